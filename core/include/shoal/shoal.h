/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one header a Shoal plugin may include: the common plugin ABI
 * (<shoal/plugin.h>: descriptor, config keys, the plugin's handle, the host
 * table every kind gets), the value types of logs (<shoal/types.h>) and the
 * ops and host tables of each kind: analyzers and policies
 * (<shoal/analyzer.h>), frontends (<shoal/frontend.h>) and shell commands
 * (<shoal/command.h>); <shoal/lines.h>, included on its own, gathers the
 * lines of a line-based protocol as Zeek's ContentLine analyzer.  Out of
 * tree: `pkg-config --cflags shoal`; contrib/example-analyzer is a complete
 * example.
 */
#ifndef SHOAL_SDK_SHOAL_H
#define SHOAL_SDK_SHOAL_H

#include <shoal/plugin.h>
#include <shoal/types.h>
#include <shoal/analyzer.h>
#include <shoal/command.h>
#include <shoal/frontend.h>

#endif

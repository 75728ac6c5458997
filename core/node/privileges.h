/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dropping root once the packet source is open: a node started as root
 * (the capture needs it) becomes the user of shoal.cfg's privileges group,
 * with that user's group (or the one named) and no supplementary groups,
 * and keeps no capability, or CAP_NET_RAW alone when asked (a source that
 * may need to open raw sockets again).  Its log folder and working folder
 * must then be writable by that user: each is checked, and named if not.
 * Nothing is done when privileges.user is empty (the default).
 */
#ifndef SHOAL_NODE_PRIVILEGES_H
#define SHOAL_NODE_PRIVILEGES_H

#include "config/config.h"

/*
 * Become cfg's privileges.user.  `who` names the node in messages, `dirs`
 * (NULL-terminated, NULL entries skipped) are the folders the node writes
 * in from now on.  Returns 0, or a negative errno with the reason logged:
 * no such user or group, not root (and not that user already), the change
 * refused by the kernel, or a folder the user cannot write.
 */
int shoal_drop_privileges(const struct shoal_config *cfg, const char *who,
                          const char *const *dirs);

#endif

#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Regenerate the autotools build files (configure, Makefile.in, ...).
set -e
cd "$(dirname "$0")"
autoreconf --install --force --warnings=all,no-portability

#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# manager_kill.sh with the manager stopped (SIGSTOP) past the workers'
# acknowledgement time-out instead of killed, then let go on: every log
# record and notice once.  Root only, as manager_kill.sh.  About 45 s.
SHOAL_FAULT=stop
export SHOAL_FAULT
exec "$(dirname "$0")/manager_kill.sh"

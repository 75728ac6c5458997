# SPDX-License-Identifier: BSD-3-Clause
# Shared by the shoalctl tests on one host (sourced after common.sh, not
# run): root and CURVE or skip, an installation under $base whose etc/
# describes a manager, a proxy and two workers (lb_procs=2) sniffing lo,
# their ports from $SHELL_BASE_PORT, and `ctl` to run one command and
# check its exit status and output.
[ "$(id -u)" = 0 ] || skip "needs root (the workers capture on lo)"
need_curve
CTL="$top_builddir/core/bin/shoalctl"
base=$(mktmp)
passed=0
mkdir -p "$base/etc"
cat >"$base/etc/node.cfg" <<CFG
[manager]
type=manager
host=localhost

[proxy-1]
type=proxy
host=localhost

[worker]
type=worker
host=localhost
interface=lo
lb_method=pcap
lb_procs=2
CFG
printf '10.0.0.0/8          Private IP space\n' >"$base/etc/networks.cfg"
cp "$top_srcdir/cfg/shoal.cfg" "$base/etc/shoal.cfg"
# Each test its own ports (SHELL_BASE_PORT): make check runs them at once.
sed -i "s/^\( *base_port = \)[0-9]*;/\1${SHELL_BASE_PORT:?set by the test};/" "$base/etc/shoal.cfg"

# ctl NAME WANT_RC PATTERN [ARGS...]: run shoalctl, check its status and
# output (in $base/out), count one more passed.
ctl() {
    name=$1 want=$2 pat=$3
    shift 3
    rc=0
    "$CTL" --base "$base" "$@" >"$base/out" 2>&1 || rc=$?
    if [ "$rc" -ne "$want" ] || ! grep -qE -- "$pat" "$base/out"; then
        cat "$base/out"
        fail "$name: exit status $rc (want $want), output lacks /$pat/?"
    fi
    passed=$((passed + 1))
}
stop_all() { "$CTL" --base "$base" stop >/dev/null 2>&1 || true; }
trap 'stop_all; cleanup' EXIT

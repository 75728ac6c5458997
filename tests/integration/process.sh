#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# shoalctl process: a synthesised trace analysed offline with the installed
# configuration gives the records of `shoal -r` over the same trace
# (conn.log, dns.log, http.log as multisets of rows, uids aside):
#  1. with a standalone node.cfg (one shoal -r), into spool/process/<time>/;
#  2. with a cluster node.cfg of 2 workers on this host (a manager of the
#     run's own merging the workers' shares), the cluster torn down after;
#  3. the same with -j 3 and -o DIR, and a proxy (node.cfg has one): the
#     known hosts are those of the standalone run, each once;
#  4. a missing trace fails and names it; a bad option fails.
# Skipped when libzmq has no CURVE (the cluster needs it).
. "$(dirname "$0")/common.sh"
need_curve
CTL="$top_builddir/core/bin/shoalctl"
out=$(mktmp)
passed=0

"$SYNTH" -q -o "$out/t.pcap" -s 3 --size 20M || fail "shoal-synth failed"
printf '10.0.0.0/8      Private IP space\n172.16.0.0/12   Private IP space\n' >"$out/networks.cfg"
mkdir -p "$out/sa"
"$SHOAL" --no-progress -q -r "$out/t.pcap" -c "$top_srcdir/cfg/shoal.cfg" \
    --networks "$out/networks.cfg" -l "$out/sa" 2>"$out/sa.err" ||
    { cat "$out/sa.err"; fail "standalone shoal -r failed"; }

# install_base NAME: an installation under $out/NAME with node.cfg from stdin.
install_base() {
    mkdir -p "$out/$1/etc"
    cat >"$out/$1/etc/node.cfg"
    cp "$top_srcdir/cfg/shoal.cfg" "$out/networks.cfg" "$out/$1/etc/"
}

# process NAME WANT_RC [ARGS...]: shoalctl process in installation NAME;
# its output in $out/NAME.out, the folder it names in $logs.
process() {
    name=$1 want=$2
    shift 2
    rc=0
    "$CTL" --base "$out/$name" process "$@" >"$out/$name.out" 2>&1 || rc=$?
    [ "$rc" -eq "$want" ] || { cat "$out/$name.out"; fail "process ($name): exit status $rc, want $want"; }
    logs=$(sed -n 's/^logs in \(.*\): .*/\1/p' "$out/$name.out")
}

# no_leftovers NAME: the run's cluster is gone, folder and processes.
no_leftovers() {
    ls -d "$logs/.cluster" >/dev/null 2>&1 && fail "$1: the run's .cluster folder is still there"
    if pgrep -f -- "--layout $logs/.cluster" >/dev/null; then
        fail "$1: nodes of the run still run"
    fi
    return 0
}

# ---- 1. standalone ----
install_base sa-cfg <<'CFG'
[shoal]
type=standalone
host=localhost
interface=eth0
CFG
process sa-cfg 0 "$out/t.pcap"
case $logs in
    "$out/sa-cfg/spool/process/"*) ;;
    *) cat "$out/sa-cfg.out"; fail "standalone: the logs are not in a folder of spool/process: '$logs'" ;;
esac
[ -f "$out/sa-cfg/spool/installed/shoal.cfg" ] || fail "standalone: process did not install etc/"
compare "$out/sa" "$logs" conn dns http || fail "standalone: process differs from shoal -r"
passed=$((passed + 1))

# ---- 2. a cluster of 2 workers ----
install_base cluster <<'CFG'
[manager]
type=manager
host=localhost

[worker]
type=worker
host=localhost
interface=eth0
lb_method=pcap
lb_procs=2
CFG
process cluster 0 "$out/t.pcap"
grep -q '^shoal: worker-2: [0-9]* packets' "$out/cluster.out" ||
    { cat "$out/cluster.out"; fail "cluster: no summary of worker-2"; }
grep -q '^shoal: worker-3' "$out/cluster.out" && fail "cluster: 3 workers for 2 in node.cfg"
compare "$out/sa" "$logs" conn dns http || fail "cluster of 2: process differs from shoal -r"
tail -n 1 "$logs/conn.log" | grep -q '^#close' || fail "cluster: conn.log was not closed"
no_leftovers cluster
first=$logs
process cluster 0 "$out/t.pcap"
[ "$logs" != "$first" ] || fail "cluster: a second run wrote into the first run's folder"
passed=$((passed + 2))

# ---- 3. -j 3, -o DIR and a proxy ----
install_base proxy <<'CFG'
[manager]
type=manager
host=localhost

[proxy-1]
type=proxy
host=localhost

[worker-1]
type=worker
host=localhost
interface=eth0
CFG
process proxy 0 "$out/t.pcap" -j 3 -o "$out/three"
[ "$logs" = "$out/three" ] || fail "-o: the logs are in '$logs', not $out/three"
grep -q '^shoal: worker-3: [0-9]* packets' "$out/proxy.out" ||
    { cat "$out/proxy.out"; fail "-j 3: no worker-3"; }
compare "$out/sa" "$logs" conn dns http || fail "3 workers and a proxy: process differs from shoal -r"
hosts() { awk -F '\t' '/^#fields/ { for (i = 2; i <= NF; i++) if ($i == "host") c = i - 1 }
    !/^#/ && c { print $c }' "$1" | sort; }
[ -n "$(hosts "$out/sa/known_hosts.log")" ] || fail "standalone wrote no known_hosts.log"
[ "$(hosts "$logs/known_hosts.log")" = "$(hosts "$out/sa/known_hosts.log")" ] ||
    fail "3 workers and a proxy: known_hosts.log holds other hosts than standalone's, or repeats"
no_leftovers proxy
passed=$((passed + 1))

# ---- 4. errors ----
process cluster 1 "$out/none.pcap"
grep -q "cannot read $out/none.pcap" "$out/cluster.out" ||
    { cat "$out/cluster.out"; fail "a missing trace: the error does not name it"; }
printf 'not a trace\n' >"$out/bad.pcap"
process cluster 1 "$out/bad.pcap"
grep -q "cannot read $out/bad.pcap" "$out/cluster.out" ||
    { cat "$out/cluster.out"; fail "a file that is no trace: the error does not name it"; }
process cluster 2 "$out/t.pcap" -x
grep -q "unknown option '-x'" "$out/cluster.out" || fail "a bad option is not named"
process cluster 2 "$out/t.pcap" -- -r "$out/t.pcap"
passed=$((passed + 1))
echo "$passed passed, 0 failed"

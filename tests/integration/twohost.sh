#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Two hosts: shoalctl drives a cluster spread over two machines, reaching
# both over OpenSSH as it would real ones.
#
# Each host is a network namespace with an address on a veth link between
# them (hosta 10.197.0.1, hostb 10.197.0.2) and its own sshd listening on
# that address, with a host key and an authorized key the test makes.
# node.cfg puts the manager and a proxy on hosta, two workers on hostb by
# address; shoalctl runs on hosta.  Neither address is "localhost", so
# every program the shell runs on a node's host goes through ssh (BatchMode,
# one master connection per host per shoalctl run) and install copies
# spool/installed to hostb with rsync over it.  hostb's sshd runs in a
# mount namespace of its own where the installation folder is an empty
# tmpfs at the same path: what hostb's nodes read, and their working
# folders, exist only there, so the test would fail if anything took the
# shared file system for a copy.  The workers sniff two veth links into
# which tcpreplay plays the halves of a synthesised trace.
#
# Checked: check, install, start, status and stop through shoalctl (and
# netstats when the command exists); the workers run in hostb's network
# namespace and their working folders are not on this file system; each
# host's sshd accepted exactly one connection for a `status` that ran a
# program there per node (the master connection); the manager on hosta
# wrote the rows of a standalone run over the trace, sent from hostb.
#
# Root only; skipped without sshd (Debian package openssh-server),
# network namespaces, or CURVE in libzmq.  About 20 s.
. "$(dirname "$0")/common.sh"
. "$top_srcdir/tests/integration/netns.sh"
. "$top_srcdir/tests/integration/ctl.sh"
netns_need
need_curve
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || skip "needs sshd (Debian package openssh-server)"
SSH=$(command -v ssh) || skip "needs ssh (Debian package openssh-client)"
command -v ssh-keygen >/dev/null || skip "needs ssh-keygen (openssh-client)"
command -v rsync >/dev/null || skip "needs rsync"
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
command -v tcpreplay >/dev/null || skip "needs tcpreplay (contrib/setup.sh installs it)"
command -v tcpdump >/dev/null || skip "needs tcpdump to split the trace (contrib/setup.sh installs it)"
out=$(mktmp)
base="$out/shoal"
A=10.197.0.1
B=10.197.0.2

# ---- the hosts and their links
netns_add hosta
netns_add hostb
netns_add tap
veth_add "$NS_hosta" eth0 "$NS_hostb" eth0
ip -n "$NS_hosta" addr add "$A/24" dev eth0 && ip -n "$NS_hostb" addr add "$B/24" dev eth0 ||
    fail "cannot address the hosts' link"
veth_add "$NS_tap" tap1 "$NS_hostb" sniff1
veth_add "$NS_tap" tap2 "$NS_hostb" sniff2

# ---- ssh: a key pair for each host and for the shell, an sshd per host
k="$out/ssh"
mkdir -p "$k/bin" "$base"
chmod 700 "$k"
ssh-keygen -q -t ed25519 -N '' -C shoal-test -f "$k/id" || fail "ssh-keygen failed"
cp "$k/id.pub" "$k/authorized_keys"
: >"$k/known_hosts"
# sshd's privilege separation folder (made at boot where sshd is a service).
[ -d /run/sshd ] || mkdir -m 0755 /run/sshd || skip "cannot make /run/sshd"
start_sshd() { # NAME ADDRESS [WRAPPER...]
    name=$1
    ssh-keygen -q -t ed25519 -N '' -f "$k/$1_key" || fail "ssh-keygen failed"
    echo "$2 $(cut -d' ' -f1,2 "$k/$1_key.pub")" >>"$k/known_hosts"
    # The nodes started over ssh find the build's plugins, and sanitizer
    # reports fail them, as those the test starts itself.  SHLVL: sshd
    # runs a command as `bash -c`, which Debian's bash has read ~/.bashrc
    # when it is the first shell of an ssh session; a .bashrc that takes
    # seconds would make every program the shell runs on a host that slow.
    cat >"$k/$1_config" <<CFG
ListenAddress $2
HostKey $k/$1_key
AuthorizedKeysFile $k/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
LogLevel VERBOSE
SetEnv SHOAL_PLUGIN_PATH=$SHOAL_PLUGIN_PATH ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS SHLVL=1
CFG
    ns=$(eval echo "\$NS_$name")
    shift 2
    ip netns exec "$ns" "$@" "$SSHD" -D -f "$k/${name}_config" -E "$k/$name.log" &
    PIDS="$PIDS $!"
}
# hostb: its own, empty, installation folder at the same path.
start_sshd hosta "$A"
start_sshd hostb "$B" unshare --mount --propagation private \
    sh -c 'mount -t tmpfs -o mode=0755 shoal-hostb "$0" && exec "$@"' "$base"
# The shell's ssh is OpenSSH's, with the test's identity and host keys.
cat >"$k/config" <<CFG
Host $A $B
    User root
    IdentityFile $k/id
    IdentitiesOnly yes
    UserKnownHostsFile $k/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
CFG
printf '#!/bin/sh\nexec %s -F %s "$@"\n' "$SSH" "$k/config" >"$k/bin/ssh"
chmod +x "$k/bin/ssh"
PATH="$k/bin:$PATH"
export PATH
accepted() { # HOST: connections its sshd accepted so far
    grep -c 'Accepted publickey for root' "$k/$1.log" 2>/dev/null
}
i=0
until [ "$(ip netns exec "$NS_hosta" ssh -o BatchMode=yes "$B" echo up 2>/dev/null)" = up ] &&
    [ "$(ip netns exec "$NS_hosta" ssh -o BatchMode=yes "$A" echo up 2>/dev/null)" = up ]; do
    i=$((i + 1))
    [ $i -lt 50 ] || { cat "$k"/*.log; fail "the hosts' sshd do not answer"; }
    sleep 0.2
done
[ ! -e "$base/spool" ] && ip netns exec "$NS_hosta" ssh -o BatchMode=yes "$B" \
    sh -c "'mkdir $base/spool && test -d $base/spool'" && [ ! -e "$base/spool" ] ||
    fail "hostb's installation folder is not its own"

# ---- the installation, and the traffic
ctl_etc "$base" "$A" sniff1 sniff2 "$B"
t="$out/t.pcap"
"$SYNTH" -q -o "$t" -s 13 --size 2M || fail "shoal-synth failed"
mkdir -p "$out/sa"
"$SHOAL" --no-progress -r "$t" -l "$out/sa" -c "$base/etc/shoal.cfg" \
    --networks "$base/etc/networks.cfg" 2>"$out/sa.err" || fail "standalone run failed"
trace_split "$t" "$out/h1.pcap" "$out/h2.pcap"
n1=$(pcap_packets "$out/h1.pcap")
n2=$(pcap_packets "$out/h2.pcap")

# ---- the session, on hosta
ctl_init "$base" "$NS_hosta"
netns_at_exit ctl_stop_all
ctl check 0 '^worker-2 is ok\.' check
ctl install 0 '^updating nodes \.\.\. done\.' install
[ -f "$base/spool/installed/layout.cfg" ] && [ ! -e "$base/spool/worker-1" ] ||
    fail "install: hosta's folder holds what only hostb should"
ctl start 0 '^starting worker-2 \.\.\.' start
a0=$(accepted hosta)
b0=$(accepted hostb)
ctl status 0 "^worker-2 +worker +$B +running +[0-9]+ " status
for n in "manager +manager +$A" "proxy-1 +proxy +$A" "worker-1 +worker +$B"; do
    grep -qE "^$n +running +[0-9]+ " "$CTL_OUT" || fail "status: not '$n ... running'"
done
[ "$(accepted hosta)" = $((a0 + 1)) ] && [ "$(accepted hostb)" = $((b0 + 1)) ] ||
    fail "status: not one ssh connection per host (hosta $a0 -> $(accepted hosta)," \
        "hostb $b0 -> $(accepted hostb))"
pid_of() { awk -v n="$1" '$1 == n { print $5 }' "$CTL_OUT"; }
for n in manager:hosta proxy-1:hosta worker-1:hostb worker-2:hostb; do
    ns=$(eval echo "\$NS_${n#*:}")
    [ "$(ip netns identify "$(pid_of "${n%:*}")")" = "$ns" ] ||
        fail "${n%:*} (pid $(pid_of "${n%:*}")) does not run on ${n#*:} ($ns)"
done
[ ! -e "$base/spool/worker-1" ] || fail "worker-1's working folder is on hosta"

if has_command netstats; then
    ctl netstats 0 '^worker-1: .*recvd=0 ' netstats
else
    echo "SKIP netstats: shoalctl has no netstats command yet"
fi
replay "$NS_tap" tap1 "$out/h1.pcap"
r1=$REPLAY_PID
replay "$NS_tap" tap2 "$out/h2.pcap"
r2=$REPLAY_PID
replay_wait "$r1"
replay_wait "$r2"
ctl_wait_packets worker-1 "$n1"
ctl_wait_packets worker-2 "$n2"
ctl stop 0 '^stopping manager \.\.\.' stop
ctl stopped 0 "^worker-2 +worker +$B +stopped" status
[ "$(grep -c ' stopped' "$CTL_OUT")" = 4 ] || fail "status: not every node stopped"

python3 "$top_srcdir/tests/integration/logrows.py" --ignore ts,duration,rtt \
    "$out/sa" "$base/spool/manager" conn dns http ||
    fail "the manager on hosta did not write the rows hostb's workers saw"
echo "$((CTL_PASSED + 2)) passed, 0 failed"

#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Command-line behaviour of shoal: usage errors, errors that name the file
# or line concerned, --version, --list-plugins, --check, and a wrong-ABI
# plugin that is refused while the node goes on.
. "$(dirname "$0")/common.sh"
out=$(mktmp)
passed=0

expect() { # expect NAME WANT_RC PATTERN -- command...
    name=$1 want=$2 pat=$3
    shift 4
    rc=0
    "$@" >"$out/stdout" 2>"$out/stderr" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        cat "$out/stdout" "$out/stderr"
        fail "$name: exit status $rc, expected $want"
    fi
    if ! grep -qE -- "$pat" "$out/stdout" "$out/stderr"; then
        cat "$out/stdout" "$out/stderr"
        fail "$name: output lacks /$pat/"
    fi
    passed=$((passed + 1))
}

expect usage 2 'give exactly one of -r FILE or -i IFACE' -- "$SHOAL"
expect badopt 2 'usage: shoal' -- "$SHOAL" --no-such-option
expect version 0 '^shoal [0-9]' -- "$SHOAL" --version
expect missing-trace 2 "cannot read $out/none.pcap" -- "$SHOAL" -r "$out/none.pcap" -l "$out"
expect missing-logdir 2 "log directory $out/nodir" -- "$SHOAL" -r "$out/x.pcap" -l "$out/nodir"
printf 'conn: { tcp_inactivity_timeout = "long"; };\n' > "$out/bad.cfg"
expect bad-config-type 2 "bad.cfg:1" -- "$SHOAL" -c "$out/bad.cfg" --check
printf 'log: {\n  dir = ".";\n  colour = "blue";\n};\n' > "$out/unknown.cfg"
expect bad-config-key 2 "unknown.cfg:3" -- "$SHOAL" -c "$out/unknown.cfg" --check
printf 'log: { dir = "."\n' > "$out/syntax.cfg"
expect bad-config-syntax 2 "syntax.cfg:[0-9]" -- "$SHOAL" -c "$out/syntax.cfg" --check
expect list-plugins 0 '^dns \(analyzer' -- "$SHOAL" --list-plugins
expect check 0 'configuration ok' -- "$SHOAL" -c "$top_srcdir/cfg/shoal.cfg" --check
printf 'plugins: { nosuch: { x = 1; }; };\n' > "$out/plug.cfg"
expect unknown-plugin-group 2 "plug.cfg:1" -- "$SHOAL" -c "$out/plug.cfg" --check

# A wrong-ABI plugin is refused with one line, and the node still runs.
fx="$top_builddir/tests/fixtures/.libs/fx_major.so"
[ -f "$fx" ] || fail "fixture $fx not built"
mkdir -p "$out/plugins" "$out/logs"
cp "$fx" "$out/plugins/"
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000' \
    > "$out/empty.pcap"
expect wrong-abi 0 "fx_major.so: abi_major: expected 2, got 3" -- \
    env SHOAL_PLUGIN_PATH="$SHOAL_PLUGIN_PATH:$out/plugins" "$SHOAL" -r "$out/empty.pcap" -l "$out/logs"
# --check with --node checks what the node would read and starts nothing:
# no workdir state, no port bound.
make_layout() {
    mkdir -p "$out/cl"
    "$SHOAL" --gen-layout "$out/cl/layout.cfg" --workdir-base "$out/cl/spool" --keys "$out/cl/keys" \
        --manager m --proxy p --worker w >/dev/null 2>&1 || fail "--gen-layout failed"
}
make_layout
for n in m p w; do
    expect "check-node-$n" 0 'configuration ok' -- "$SHOAL" --node "$n" --layout "$out/cl/layout.cfg" --check
    [ ! -e "$out/cl/spool/$n/status" ] && [ ! -e "$out/cl/spool/$n/shoal.pid" ] ||
        fail "--check of node $n wrote its lifecycle files"
done
: > "$out/cl/keys/w.key"
expect check-node-badkey 2 "w: .*w.key" -- "$SHOAL" --node w --layout "$out/cl/layout.cfg" --check
expect check-node-unknown 2 "no node named 'x'" -- "$SHOAL" --node x --layout "$out/cl/layout.cfg" --check
echo "$passed passed, 0 failed"

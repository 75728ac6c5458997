#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A worker whose manager is away, with a resend window too small for its
# trace (cluster.resend_mem_max at its 64 KiB floor, no spill file): it
# drops batches past the window and says so; once the manager comes, what
# the window held is written, and the worker's summary counts as
# acknowledged exactly the records the manager wrote, the dropped ones
# apart, the two together every record of a standalone run.
# Skipped when libzmq has no CURVE.
. "$(dirname "$0")/common.sh"
need_curve
out=$(mktmp)
base=$(port_block 9000)

"$SYNTH" -q -o "$out/t.pcap" -s 9 --conns 6000 --mix dns=90,icmp=10 || fail "shoal-synth failed"
mkdir -p "$out/sa"
"$SHOAL" -q --no-progress -r "$out/t.pcap" -l "$out/sa" || fail "standalone run failed"
want=$(cat "$out"/sa/*.log | grep -vc '^#')

cat >"$out/shoal.cfg" <<'EOF'
cluster: { resend_mem_max = 65536; resend_disk_max = 0; batch_records = 64; ack_timeout = 30.0; };
EOF
L="$out/layout.cfg"
"$SHOAL" --gen-layout "$L" --workdir-base "$out/spool" --keys "$out/keys" \
    --manager manager --worker worker-1 --base-port "$base" || fail "shoal --gen-layout failed"
"$SHOAL" --no-progress --node worker-1 --layout "$L" -c "$out/shoal.cfg" -r "$out/t.pcap" \
    2>"$out/w.err" &
w=$!
PIDS="$PIDS $w"
i=0
until grep -q 'resend window full' "$out/w.err"; do
    i=$((i + 1))
    [ $i -lt 300 ] || { cat "$out/w.err"; fail "the worker did not fill its resend window in 30 s"; }
    sleep 0.1
done
mkdir -p "$out/m"
"$SHOAL" --node manager --layout "$L" -l "$out/m" 2>"$out/m.err" &
m=$!
PIDS="$PIDS $m"
wait $w
st=$?
kill -TERM $m
wait $m || { cat "$out/m.err"; fail "the manager did not stop cleanly"; }
cat "$out/w.err"
[ $st != 0 ] || fail "the worker exited 0 though it dropped records"
line=$(grep 'batches were dropped' "$out/w.err")
dropped=$(echo "$line" | sed -n 's/.*: \([0-9]*\) log records in [0-9]* batches were dropped.*/\1/p')
acked=$(echo "$line" | sed -n 's/.*; \([0-9]*\) records in [0-9]* batches were acknowledged$/\1/p')
wrote=$(cat "$out"/m/*.log | grep -vc '^#')
echo "standalone: $want records; worker: $acked acknowledged, $dropped dropped; manager: $wrote written"
[ -n "$acked" ] && [ -n "$dropped" ] && [ "$dropped" -gt 0 ] ||
    fail "the worker's summary lacks the acknowledged or the dropped records"
[ "$acked" = "$wrote" ] || fail "the worker counts $acked records acknowledged, the manager wrote $wrote"
[ $((acked + dropped)) = "$want" ] ||
    fail "acknowledged + dropped = $((acked + dropped)), standalone wrote $want"
echo "ok: every record written once or counted as dropped"

#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kill -9 of a worker holding log batches the manager never acknowledged,
# then a second run of that worker: every record of both runs once.
#
# The worker reads a synthesised trace while its manager is not up, so
# every batch it seals stays unacknowledged (in its resend window and its
# log journal, <workdir>/log.journal); once it has read the whole trace and
# waits for acknowledgements, it is killed (SIGKILL).  The manager starts,
# and the worker runs again over a second trace: it must say that its last
# run did not stop cleanly and send the first run's batches again, under
# the same epoch and sequence, before its own.  The manager's logs then
# hold the rows of standalone runs over both traces, each once; the
# worker's journal is gone after its clean stop.  Skipped when libzmq has no
# CURVE.  About 10 s.
. "$(dirname "$0")/common.sh"
need_curve
out=$(mktmp)
base=$(port_block 31600)

"$SYNTH" -q -o "$out/t1.pcap" -s 11 --conns 3000 --mix dns=60,tcp=30,icmp=10 ||
    fail "shoal-synth failed"
"$SYNTH" -q -o "$out/t2.pcap" -s 12 --conns 2000 --mix dns=60,tcp=30,icmp=10 ||
    fail "shoal-synth failed"
mkdir -p "$out/sa" "$out/sa2"
"$SHOAL" -q --no-progress -r "$out/t1.pcap" -l "$out/sa" || fail "standalone run over t1 failed"
"$SHOAL" -q --no-progress -r "$out/t2.pcap" -l "$out/sa2" || fail "standalone run over t2 failed"
streams=
for f in "$out"/sa2/*.log; do # the second run's rows count as STREAM.2.log
    s=$(basename "$f" .log)
    mv "$f" "$out/sa/$s.2.log"
done
for f in "$out"/sa/*.log; do
    s=$(basename "$f" .log)
    s=${s%.2}
    case " $streams " in *" $s "*) ;; *) streams="$streams $s" ;; esac
done

cat >"$out/shoal.cfg" <<'CFG'
cluster: { ack_timeout = 60.0; };
CFG
L="$out/layout.cfg"
"$SHOAL" --gen-layout "$L" --workdir-base "$out/spool" --keys "$out/keys" \
    --manager manager --worker worker-1 --base-port "$base" || fail "shoal --gen-layout failed"
journal="$out/spool/worker-1/log.journal"

"$SHOAL" --no-progress --node worker-1 --layout "$L" -c "$out/shoal.cfg" -r "$out/t1.pcap" \
    2>"$out/w1.err" &
w=$!
PIDS="$PIDS $w"
i=0
until grep -q 'waiting up to .* to acknowledge' "$out/w1.err"; do
    i=$((i + 1))
    [ $i -lt 300 ] || { cat "$out/w1.err"; fail "the worker did not finish its trace in 30 s"; }
    sleep 0.1
done
kill -KILL $w
wait $w 2>/dev/null
[ -s "$journal" ] || fail "no log journal at $journal after the kill"
echo "worker-1 killed with $(wc -c <"$journal") bytes of journal"

mkdir -p "$out/m"
"$SHOAL" --node manager --layout "$L" -l "$out/m" 2>"$out/m.err" &
m=$!
PIDS="$PIDS $m"
"$SHOAL" --no-progress --node worker-1 --layout "$L" -c "$out/shoal.cfg" -r "$out/t2.pcap" \
    2>"$out/w2.err"
st=$?
kill -TERM $m
wait $m || { cat "$out/m.err"; fail "the manager did not stop cleanly"; }
cat "$out/w2.err"
[ $st = 0 ] || fail "the second run of the worker failed"
grep -q 'did not stop cleanly.*sending them again' "$out/w2.err" ||
    fail "the worker did not say it sends its last run's batches again"
[ ! -e "$journal" ] || fail "the log journal outlived a clean stop with everything acknowledged"
# shellcheck disable=SC2086
python3 "$top_srcdir/tests/integration/logrows.py" "$out/sa" "$out/m" $streams ||
    fail "the manager's logs are not the rows of both runs, each once"
n=$(sed -n 's/.*did not stop cleanly with \([0-9]*\) log batches.*/\1/p' "$out/w2.err")
rows=$(cat "$out"/m/*.log | grep -vc '^#')
echo "worker kill -9: $n unacknowledged batches read back from its journal and sent again; $rows rows of both runs, each once"

#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# run-bench.sh BUILDDIR SRCDIR -- the body of `make bench` (tests/bench/README.md).
# It generates (once, cached in BUILDDIR/bench-data) a mixed trace and a trace
# holding many TCP connections open at once, both with shoal-synth and a fixed
# seed; it then times pcap-readloop (libpcap alone) and `shoal -r` with the dns
# and http plugins, interleaved over BENCH_ROUNDS rounds, and reports packets/s,
# Gbit/s and the median per-round ratio shoal/readloop (goal <= 3.0x); last it
# measures shoal's peak RSS over the held-open trace minus its peak RSS over a
# tiny one, per connection (goal <= 384 bytes); last it times log records from
# two cluster workers to a real manager beside a raw ZeroMQ PUSH/PULL of the
# same bytes, interleaved over BENCH_ROUNDS rounds (bench-lograte; goal >= 1
# million records/s); then `shoalctl process` of the mixed trace with 2 local
# workers beside standalone `shoal -r`, interleaved, the same records checked
# (goal: <= 0.6x standalone's wall time); last `shoalctl status` on 20 local
# nodes, one of them stopped with SIGSTOP (goal: < 1 s).  The final table is
# printed and written to BUILDDIR/bench-results.txt.  Knobs (environment):
# BENCH_SIZE, BENCH_DENSE_SIZE, BENCH_CONNS, BENCH_ROUNDS, BENCH_SEED, BENCH_LOGRATE_RECORDS,
# BENCH_LOGRATE_BATCH, BENCH_STATUS_NODES, BENCH_ONLY
# (throughput,memory,lograte,process,status), BENCH_STRICT (1: exit 1 on a
# missed goal).
set -eu

RATIO_GOAL=3.0
ALL_GOAL=3.5
FLOW_GOAL=512
BYTES_GOAL=384
RATE_GOAL=1000000
BASE_CONNS=10
PROCESS_GOAL=0.6
STATUS_GOAL=1.0
DISPATCH_GOAL=1.6
WORKERS_GOAL=1.5

die() {
    echo "bench: error: $*" >&2
    exit 1
}

say() {
    echo "bench: $*"
}

[ $# -eq 2 ] || die "usage: run-bench.sh BUILDDIR SRCDIR (run it through 'make bench')"
B=$1
SRC=$2
[ -d "$B" ] || die "build directory $B does not exist"
[ -d "$SRC" ] || die "source directory $SRC does not exist"

SHOAL=$B/core/bin/shoal
SYNTH=$B/contrib/shoal-synth
READLOOP=$B/tests/bench/pcap-readloop
BTIME=$B/tests/bench/bench-time
LOGRATE=$B/tests/bench/bench-lograte
DRAIN=$B/tests/bench/bench-drain
CTL=$B/core/bin/shoalctl
. "$SRC/tests/plugin-path.sh"
SHOAL_PLUGIN_PATH=$(shoal_build_plugin_path "$B")
export SHOAL_PLUGIN_PATH
for p in "$SHOAL" "$SYNTH" "$READLOOP" "$BTIME" "$LOGRATE" "$CTL" "$DRAIN"; do
    [ -x "$p" ] || die "$p is not built: run 'make bench' in $B, which builds it first"
done

SIZE=${BENCH_SIZE:-1G}
DSIZE=${BENCH_DENSE_SIZE:-$SIZE}
CONNS=${BENCH_CONNS:-1000000}
ROUNDS=${BENCH_ROUNDS:-3}
SEED=${BENCH_SEED:-1}
STRICT=${BENCH_STRICT:-0}
LR_RECORDS=${BENCH_LOGRATE_RECORDS:-1000000}
LR_BATCH=${BENCH_LOGRATE_BATCH:-1024}
ST_NODES=${BENCH_STATUS_NODES:-20}
ONLY=${BENCH_ONLY:-all}
case $SIZE in
    '' | *[!0-9KkMmGg]* | [!0-9]*) die "BENCH_SIZE='$SIZE' is not a size like 1G, 200M or 500K" ;;
esac
case $DSIZE in
    '' | *[!0-9KkMmGg]* | [!0-9]*) die "BENCH_DENSE_SIZE='$DSIZE' is not a size like 1G, 200M or 500K" ;;
esac
case $CONNS in
    '' | *[!0-9]* | 0) die "BENCH_CONNS='$CONNS' is not a positive integer" ;;
esac
case $ROUNDS in
    '' | *[!0-9]* | 0) die "BENCH_ROUNDS='$ROUNDS' is not a positive integer" ;;
esac
case $SEED in
    '' | *[!0-9]*) die "BENCH_SEED='$SEED' is not a non-negative integer" ;;
esac
case $LR_RECORDS in
    '' | *[!0-9]* | 0) die "BENCH_LOGRATE_RECORDS='$LR_RECORDS' is not a positive integer" ;;
esac
case $LR_BATCH in
    '' | *[!0-9]* | 0) die "BENCH_LOGRATE_BATCH='$LR_BATCH' is not a positive integer" ;;
esac
case $ST_NODES in
    '' | *[!0-9]* | [0-3]) die "BENCH_STATUS_NODES='$ST_NODES' is not an integer above 3" ;;
esac
[ "$CONNS" -gt "$BASE_CONNS" ] || die "BENCH_CONNS must be larger than the baseline's $BASE_CONNS"
if [ "$ONLY" = all ]; then
    ONLY=throughput,memory,lograte,process,status,frontend
fi
for part in $(echo "$ONLY" | tr ',' ' '); do
    case $part in
        throughput | memory | lograte | process | status | frontend) ;;
        *) die "BENCH_ONLY='$ONLY': '$part' is not one of throughput, memory, lograte, process, status, frontend (comma-separated) or all" ;;
    esac
done

# want PART: true if BENCH_ONLY selects PART.
want() {
    case ",$ONLY," in
        *",$1,"*) return 0 ;;
    esac
    return 1
}

DATA=$B/bench-data
RESULTS=$B/bench-results.txt
mkdir -p "$DATA" || die "cannot create $DATA"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/shoal-bench.XXXXXX") || die "mktemp failed"
BG_PID=
STOPPED_PID=
STATUS_BASE=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ -n "$BG_PID" ]; then
        kill "$BG_PID" 2>/dev/null || true
    fi
    # The nodes of the status measurement: the stopped one woken, all stopped.
    if [ -n "$STOPPED_PID" ]; then
        kill -CONT "$STOPPED_PID" 2>/dev/null || true
    fi
    if [ -n "$STATUS_BASE" ]; then
        "$CTL" --base "$STATUS_BASE" stop >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- helpers ---------------------------------------------------------------

# to_bytes SIZE: 1G, 200M, 20K (1024-based, as shoal-synth reads them) in bytes.
to_bytes() {
    awk -v s="$1" 'BEGIN {
        n = s + 0; u = substr(s, length(s), 1)
        if (u == "K" || u == "k") n *= 1024
        else if (u == "M" || u == "m") n *= 1048576
        else if (u == "G" || u == "g") n *= 1073741824
        printf "%.0f\n", n }'
}

# field FILE KEY: the value of KEY=VALUE in a bench-time result file.
field() {
    awk -v k="$2" '{ for (i = 1; i <= NF; i++) { n = index($i, "=");
        if (substr($i, 1, n - 1) == k) { print substr($i, n + 1); exit } } }' "$1"
}

# median: the median of the numbers on stdin, one a line.
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# col FILE N: the median of column N of FILE.
col() {
    awk -v c="$2" '{ print $c }' "$1" | median
}

# thousands N: N rounded to an integer, with thousands separators (1,234,567).
thousands() {
    awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = ""
        while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
        print s o }'
}

# calc EXPR: evaluate a floating-point awk expression.
calc() {
    awk "BEGIN { printf \"%s\\n\", $1 }" 2>/dev/null
}

fsize() {
    wc -c <"$1" | tr -d ' '
}

# gen_trace OUT EXPECTED_BYTES SYNTH-ARGS...: run shoal-synth unless OUT is
# cached from the same command line; show progress from the growing file.
gen_trace() {
    out=$1
    expect=$2
    shift 2
    want="shoal-synth $*"
    if [ -s "$out" ] && [ -f "$out.cmd" ] && [ "$(cat "$out.cmd")" = "$want" ]; then
        say "using cached $out ($(fsize "$out") bytes; 'make bench-clean' regenerates)"
        return 0
    fi
    rm -f "$out" "$out.cmd" "$out.part"
    say "generating $out: $want"
    "$SYNTH" -o "$out.part" "$@" 2>"$TMP/synth.err" &
    BG_PID=$!
    start=$(date +%s)
    last=0
    while kill -0 "$BG_PID" 2>/dev/null; do
        sleep 1
        now=$(date +%s)
        got=0
        [ -f "$out.part" ] && got=$(fsize "$out.part")
        line=$(awk -v g="$got" -v e="$expect" -v t="$((now - start))" 'BEGIN {
            p = e > 0 ? 100 * g / e : 0; if (p > 100) p = 100
            printf "  %.0f of ~%.0f MiB (%3.0f%%), %d s", g / 1048576, e / 1048576, p, t }')
        if [ -t 1 ]; then
            printf '\r%s ' "$line"
        elif [ $((now - last)) -ge 10 ]; then
            echo "$line"
            last=$now
        fi
    done
    if [ -t 1 ]; then
        echo
    fi
    if ! wait "$BG_PID"; then
        BG_PID=
        cat "$TMP/synth.err" >&2
        rm -f "$out.part"
        die "shoal-synth failed making $out (its messages are above; '$SYNTH -h' for options)"
    fi
    BG_PID=
    sed -e 's/^/  /' -e 's/\.pcap\.part:/.pcap:/' "$TMP/synth.err"
    [ -s "$out.part" ] || die "shoal-synth wrote an empty $out.part"
    mv "$out.part" "$out"
    echo "$want" >"$out.cmd"
}

# timed NAME OUTFILE CMD...: run CMD under bench-time, its stdout into OUTFILE
# (stderr shown), the measurements into NAME.time.  Dies when CMD fails.
timed() {
    name=$1
    o=$2
    shift 2
    if ! "$BTIME" -o "$TMP/$name.time" -- "$@" >"$o" 2>"$TMP/$name.err"; then
        cat "$TMP/$name.err" >&2
        die "'$*' failed (exit $(field "$TMP/$name.time" status 2>/dev/null || echo '?'))"
    fi
    if [ -s "$TMP/$name.err" ]; then
        sed 's/^/  | /' "$TMP/$name.err"
    fi
}

# --- checks ----------------------------------------------------------------

if want throughput || want memory || want process || want frontend; then
    "$SHOAL" --list-plugins >"$TMP/plugins" 2>&1 || {
        cat "$TMP/plugins" >&2
        die "'$SHOAL --list-plugins' failed"
    }
    for pl in dns http; do
        grep -q "^$pl " "$TMP/plugins" ||
            die "shoal in $B does not load the $pl plugin (configure without --disable-$pl and run make)"
    done
    # The goal is stated for conn, dns and http: every other plugin found
    # (scan, known_hosts, third-party ones) is switched off by its group's
    # `enabled = false;`.
    others=$(sed -n 's/^\([a-z][a-z0-9_-]*\) (\(analyzer\|policy\) .*/\1/p' "$TMP/plugins" |
        grep -v -x -e dns -e http || true)
    {
        echo "# make bench: conn, dns and http only"
        echo "plugins: {"
        for pl in $others; do echo "    $pl: { enabled = false; };"; done
        echo "};"
    } >"$TMP/plugins.cfg"
    [ -z "$others" ] || say "plugins switched off for the measurements:" $others
    "$SYNTH" -h >"$TMP/synth.help" 2>&1 || die "'$SYNTH -h' failed"
    grep -q -- '--hold-close' "$TMP/synth.help" ||
        die "$SYNTH has no --hold/--hold-close options, needed for the memory measurement"
fi

NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
say "build $B, $NCPU CPUs, load average $LOAD"

# --- traces ----------------------------------------------------------------

if want throughput || want process || want frontend; then
    TRACE=$DATA/mixed-s$SEED-$SIZE.pcap
    gen_trace "$TRACE" "$(to_bytes "$SIZE")" -s "$SEED" --size "$SIZE" \
        --summary "$DATA/mixed-s$SEED-$SIZE.json"
fi
if want throughput; then
    # Flow-dense: two thirds short DNS exchanges over UDP, the rest TCP with
    # handshakes (generic, HTTP, TLS-like) whose messages are cut to 4 KiB,
    # about 180 k connections per GiB.
    DENSE=$DATA/dense-s$SEED-$DSIZE.pcap
    gen_trace "$DENSE" "$(to_bytes "$DSIZE")" -s "$SEED" --size "$DSIZE" \
        --mix dns=66,http=14,tls=12,tcp=8 --max-body 4K --summary "$DATA/dense-s$SEED-$DSIZE.json"
fi

if want memory; then
    # Held connections: three-way handshake, never closed, a million per second
    # of trace time, so all of them are open at the end of the trace (far inside
    # tcp_inactivity_timeout) and shoal holds every one until its end-of-input flush.
    HOLD_ARGS="--hold-close none --hold-rate 1000000"
    HOLD=$DATA/hold-s$SEED-$CONNS.pcap
    # shellcheck disable=SC2086
    gen_trace "$HOLD" "$((CONNS * 3 * 80))" -s "$SEED" --hold "$CONNS" $HOLD_ARGS
    HOLD_BASE=$DATA/hold-s$SEED-$BASE_CONNS.pcap
    # shellcheck disable=SC2086
    gen_trace "$HOLD_BASE" "$((BASE_CONNS * 3 * 80))" -s "$SEED" --hold "$BASE_CONNS" $HOLD_ARGS
fi

# --- throughput --------------------------------------------------------------

# tp_trace NAME FILE: warm FILE, then ROUNDS interleaved rounds of readloop,
# shoal with conn, dns and http (plugins.cfg) and shoal with every plugin that
# ships (allplugins.cfg).  Leaves in TMP/NAME.*: info (bytes, packets, wire
# bytes, conn.log rows), {rl,cdh,all}.rows (wall user sys maxrss_kb), and
# {cdh,all}.ratio, {cdh,all}.cpuratio (per round, over the round's readloop).
tp_trace() {
    tn=$1
    tf=$2
    say "warm-up read of $tf (untimed, brings it into the page cache)"
    "$READLOOP" "$tf" >"$TMP/warm.out" || die "pcap-readloop could not read $tf"
    tp_pkts=$(sed -n 's/^packets=\([0-9]*\) .*/\1/p' "$TMP/warm.out")
    tp_wire=$(sed -n 's/.* bytes=\([0-9]*\) .*/\1/p' "$TMP/warm.out")
    if [ -z "$tp_pkts" ] || [ "$tp_pkts" -eq 0 ]; then
        die "pcap-readloop found no packets in $tf"
    fi
    say "$tf: $(fsize "$tf") bytes, $tp_pkts packets, $tp_wire bytes on the wire"
    for x in rl.rows cdh.rows all.rows cdh.ratio all.ratio cdh.cpuratio all.cpuratio; do
        : >"$TMP/$tn.$x"
    done
    say "$ROUNDS interleaved rounds: readloop, shoal (conn, dns, http), shoal (every plugin), ..."
    printf '  %-5s %-20s %9s %8s %8s %9s %8s %7s\n' round program 'wall s' 'user s' 'sys s' \
        'Mpkt/s' 'Gbit/s' ratio
    r=1
    while [ "$r" -le "$ROUNDS" ]; do
        timed rl "$TMP/rl.out" "$READLOOP" "$tf"
        grep -q "^packets=$tp_pkts " "$TMP/rl.out" ||
            die "pcap-readloop counted $(cat "$TMP/rl.out") in round $r, not packets=$tp_pkts"
        rw=$(field "$TMP/rl.time" wall)
        ru=$(field "$TMP/rl.time" user)
        rs=$(field "$TMP/rl.time" sys)
        echo "$rw $ru $rs $(field "$TMP/rl.time" maxrss_kb)" >>"$TMP/$tn.rl.rows"
        printf '  %-5s %-20s %9.3f %8.3f %8.3f %s\n' "$r" pcap-readloop "$rw" "$ru" "$rs" \
            "$(rates "$rw" "$tp_pkts" "$tp_wire")"
        for cf in cdh:plugins.cfg all:allplugins.cfg; do
            k=${cf%%:*}
            mkdir "$TMP/logs"
            timed sh "$TMP/sh.out" "$SHOAL" -r "$tf" -l "$TMP/logs" -c "$TMP/${cf#*:}" -q \
                --no-progress
            [ -s "$TMP/logs/conn.log" ] || die "shoal wrote no conn.log from $tf in round $r"
            tp_conns=$(grep -c -v '^#' "$TMP/logs/conn.log" || true)
            rm -rf "$TMP/logs"
            sw=$(field "$TMP/sh.time" wall)
            su=$(field "$TMP/sh.time" user)
            ss=$(field "$TMP/sh.time" sys)
            echo "$sw $su $ss $(field "$TMP/sh.time" maxrss_kb)" >>"$TMP/$tn.$k.rows"
            ratio=$(calc "sprintf(\"%.3f\", $sw / $rw)")
            echo "$ratio" >>"$TMP/$tn.$k.ratio"
            calc "sprintf(\"%.3f\", ($su + $ss) / ($ru + $rs + 1e-9))" >>"$TMP/$tn.$k.cpuratio"
            printf '  %-5s %-20s %9.3f %8.3f %8.3f %s %6.2fx\n' "$r" "shoal ($k)" "$sw" "$su" \
                "$ss" "$(rates "$sw" "$tp_pkts" "$tp_wire")" "$ratio"
        done
        r=$((r + 1))
    done
    echo "$(fsize "$tf") $tp_pkts $tp_wire $tp_conns" >"$TMP/$tn.info"
}

# rates WALL PKTS WIRE: "Mpkt/s Gbit/s" for a trace read in WALL seconds.
rates() {
    calc "sprintf(\"%8.3f %8.3f\", $2 / $1 / 1e6, $3 * 8 / $1 / 1e9)"
}

# tp_ok NAME KEY GOAL: met or MISSED for the median ratio of NAME.KEY.
tp_ok() {
    calc "$(median <"$TMP/$1.$2.ratio") <= $3 ? \"met\" : \"MISSED\""
}

if want throughput; then
    {
        echo "# make bench: every plugin that ships, as configured by default"
        echo "plugins: {"
        echo "};"
    } >"$TMP/allplugins.cfg"
    tp_trace mixed "$TRACE"
    tp_trace dense "$DENSE"
    read -r FILEBYTES PKTS WIRE _ <"$TMP/mixed.info"
    THR_OK=met
    for tn in mixed dense; do
        for g in cdh:$RATIO_GOAL all:$ALL_GOAL; do
            [ "$(tp_ok "$tn" "${g%%:*}" "${g#*:}")" = met ] || THR_OK=MISSED
        done
    done
    # Peak RSS over flows on the flow-dense trace (conn, dns, http).
    read -r _ _ _ DENSE_CONNS <"$TMP/dense.info"
    DENSE_RSS=$(col "$TMP/dense.cdh.rows" 4)
    DENSE_PERFLOW=$(calc "sprintf(\"%.1f\", $DENSE_RSS * 1024 / ($DENSE_CONNS + 1e-9))")
    DENSE_OK=$(calc "$DENSE_PERFLOW <= $FLOW_GOAL ? \"met\" : \"MISSED\"")
fi

# --- memory per connection ---------------------------------------------------

if want memory; then
    MAXC=$((CONNS * 2))
    if [ "$MAXC" -lt 2000000 ]; then
        MAXC=2000000
    fi
    if [ "$MAXC" -ge 2147483648 ]; then
        MAXC=${MAXC}L
    fi
    {
        cat <<EOF
# make bench: track every held connection (the default evicts beyond max_conns).
conn: {
    max_conns = $MAXC;
};
EOF
        grep -v '^#' "$TMP/plugins.cfg"
    } >"$TMP/shoal.cfg"

    # Shoal's address space is capped at 90% of the memory available now, so a
    # too large BENCH_CONNS fails with a message instead of pushing the shared
    # machine into the OOM killer.
    VLIM=$(awk '/^MemAvailable:/ { printf "%.0f\n", $2 * 0.9 }' /proc/meminfo 2>/dev/null || true)
    [ -n "$VLIM" ] || VLIM=unlimited

    # memrun NAME TRACE NCONNS: run shoal over TRACE, check it tracked NCONNS
    # connections and evicted none; peak RSS in KiB into NAME.time.
    memrun() {
        mkdir "$TMP/logs"
        # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
        if ! "$BTIME" -o "$TMP/$1.time" -- sh -c 'ulimit -v "$0" && exec "$@"' "$VLIM" \
            "$SHOAL" -r "$2" -l "$TMP/logs" -c "$TMP/shoal.cfg" --no-progress \
            >"$TMP/$1.out" 2>"$TMP/$1.err"; then
            cat "$TMP/$1.err" >&2
            die "shoal failed over $2 (exit $(field "$TMP/$1.time" status)); its address space" \
                "was capped at $VLIM KiB (90% of MemAvailable): try a smaller BENCH_CONNS"
        fi
        sed 's/^/  | /' "$TMP/$1.err"
        rm -rf "$TMP/logs"
        seen=$(sed -n 's/.* packets, \([0-9]*\) connections, .*/\1/p' "$TMP/$1.err")
        evicted=$(sed -n 's/.* \([0-9]*\) evicted).*/\1/p' "$TMP/$1.err")
        if [ -z "$seen" ] || [ -z "$evicted" ]; then
            die "could not read the connection counts from shoal's summary line over $2"
        fi
        [ "$seen" -ge "$3" ] || die "shoal saw $seen connections in $2, expected $3"
        [ "$evicted" -eq 0 ] || die "shoal evicted $evicted connections from $2 (max_conns $MAXC)"
    }

    say "memory: shoal over $BASE_CONNS, then $CONNS connections open at once"
    memrun base "$HOLD_BASE" "$BASE_CONNS"
    memrun many "$HOLD" "$CONNS"
    SEEN=$seen
    RSS_BASE=$(field "$TMP/base.time" maxrss_kb)
    RSS_MANY=$(field "$TMP/many.time" maxrss_kb)
    PERCONN=$(calc "sprintf(\"%.1f\", ($RSS_MANY - $RSS_BASE) * 1024 / $CONNS)")
    MEM_OK=$(calc "$PERCONN <= $BYTES_GOAL ? \"met\" : \"MISSED\"")
    MEM_NOTE=
    if [ "$CONNS" -lt 1000000 ]; then
        MEM_NOTE="  (a trial run: the goal is for >= 1000000)"
    fi
fi

# --- log records to the manager ---------------------------------------------

if want lograte; then
    LR_TOTAL=$((LR_RECORDS * 2))
    : >"$TMP/lr.shoal"
    : >"$TMP/lr.raw"
    : >"$TMP/lr.curve"
    : >"$TMP/lr.ratio"
    : >"$TMP/lr.cratio"
    say "log rate: $ROUNDS interleaved rounds of 2 workers x $LR_RECORDS conn.log records" \
        "(batches of $LR_BATCH): shoal, raw, raw-curve, ..."
    printf '  %-5s %-26s %9s %12s %8s %8s %7s\n' round path 'wall s' 'records/s' 'send s' \
        'recv s' ratio
    # lograte_run NAME MODE [ARGS...]: one round of MODE into NAME.out; progress
    # and messages on stderr; dies when it fails (its messages name the cause).
    lograte_run() {
        n=$1
        shift
        if ! "$LOGRATE" -n "$LR_RECORDS" -b "$LR_BATCH" "$@" >"$TMP/$n.out"; then
            die "bench-lograte $* failed in round $r (its messages are above)"
        fi
        [ "$(field "$TMP/$n.out" rows)" = "$LR_TOTAL" ] ||
            die "bench-lograte $1 verified $(field "$TMP/$n.out" rows) rows, not $LR_TOTAL"
    }
    # lograte_row NAME LABEL [RATIO]: print the round's row of NAME.out.
    lograte_row() {
        o=$TMP/$1.out
        printf '  %-5s %-26s %9.3f %12s %8.3f %8.3f %7s\n' "$r" "$2" "$(field "$o" wall)" \
            "$(thousands "$(field "$o" rate)")" "$(field "$o" cpu_send)" \
            "$(field "$o" cpu_recv)" "${3:-}"
    }
    r=1
    while [ "$r" -le "$ROUNDS" ]; do
        mkdir "$TMP/lr"
        lograte_run lrs shoal "$SHOAL" "$TMP/lr"
        rm -rf "$TMP/lr"
        lograte_row lrs "shoal: 2 workers, manager"
        lograte_run lrr raw
        lograte_run lrc raw-curve
        sw=$(field "$TMP/lrs.out" wall)
        rw=$(field "$TMP/lrr.out" wall)
        cw=$(field "$TMP/lrc.out" wall)
        ratio=$(calc "sprintf(\"%.2f\", $sw / $rw)")
        cratio=$(calc "sprintf(\"%.2f\", $sw / $cw)")
        lograte_row lrr "raw PUSH/PULL, tcp" "${ratio}x"
        lograte_row lrc "raw PUSH/PULL, CURVE" "${cratio}x"
        for m in shoal raw curve; do
            case $m in
                shoal) o=$TMP/lrs.out ;;
                raw) o=$TMP/lrr.out ;;
                curve) o=$TMP/lrc.out ;;
            esac
            echo "$(field "$o" wall) $(field "$o" rate) $(field "$o" cpu_send)" \
                "$(field "$o" cpu_recv)" >>"$TMP/lr.$m"
        done
        echo "$ratio" >>"$TMP/lr.ratio"
        echo "$cratio" >>"$TMP/lr.cratio"
        r=$((r + 1))
    done
    LR_BYTES=$(field "$TMP/lrr.out" bytes)
    LR_BATCHES=$(field "$TMP/lrr.out" batches)
    LR_RATE=$(col "$TMP/lr.shoal" 2)
    LR_RATIO=$(median <"$TMP/lr.ratio")
    LR_CRATIO=$(median <"$TMP/lr.cratio")
    LR_ROUND_RATIOS=$(tr '\n' ' ' <"$TMP/lr.ratio" | sed 's/ $//')
    LR_OK=$(calc "($LR_RATE >= $RATE_GOAL) ? \"met\" : \"MISSED\"")
    LR_NOTE=
    if [ "$LR_RECORDS" -lt 1000000 ]; then
        LR_NOTE="  (a trial run: the goal is for BENCH_LOGRATE_RECORDS >= 1000000)"
    fi
fi

# --- shoalctl process: 2 local workers beside standalone ----------------------

# rows DIR STREAM: the data rows of DIR/STREAM.log without the uid columns
# (uids differ between runs), sorted.
rows() {
    awk -F '\t' '/^#fields/ { n = 0; for (i = 2; i <= NF; i++)
            if ($i != "uid" && $i !~ /fuid/ && $i !~ /uids$/) keep[++n] = i - 1 }
        !/^#/ && n { s = $(keep[1]); for (k = 2; k <= n; k++) s = s "\t" $(keep[k]); print s }' \
        "$1/$2.log" | LC_ALL=C sort
}

if want process; then
    PB=$TMP/process
    mkdir -p "$PB/etc"
    # A manager and two workers on this host; conn, dns and http only, as for
    # the throughput; the same local networks for both runs.
    {
        printf '[manager]\ntype=manager\nhost=localhost\n\n'
        printf '[worker]\ntype=worker\nhost=localhost\ninterface=lo\nlb_method=pcap\nlb_procs=2\n'
    } >"$PB/etc/node.cfg"
    cp "$TMP/plugins.cfg" "$PB/etc/shoal.cfg"
    printf '10.0.0.0/8 private\n172.16.0.0/12 private\n192.168.0.0/16 private\n' \
        >"$PB/etc/networks.cfg"
    if ! want throughput; then
        say "warm-up read of $TRACE (untimed, brings it into the page cache)"
        "$READLOOP" "$TRACE" >"$TMP/warm.out" || die "pcap-readloop could not read $TRACE"
    fi
    PR_FILEBYTES=$(fsize "$TRACE")
    : >"$TMP/psa.rows"
    : >"$TMP/pro.rows"
    : >"$TMP/pratio"
    : >"$TMP/pcpuratio"
    say "$ROUNDS interleaved rounds: shoal -r, shoalctl process (2 workers), ..."
    printf '  %-5s %-18s %9s %8s %8s %7s\n' round program 'wall s' 'user s' 'sys s' ratio
    r=1
    while [ "$r" -le "$ROUNDS" ]; do
        mkdir "$TMP/psa"
        timed psa "$TMP/psa.out" "$SHOAL" -r "$TRACE" -l "$TMP/psa" -c "$PB/etc/shoal.cfg" \
            --networks "$PB/etc/networks.cfg" -q --no-progress
        timed pro "$TMP/pro.out" "$CTL" --base "$PB" process "$TRACE" -o "$TMP/pro"
        grep -q '^shoal: worker-2: ' "$TMP/pro.out" ||
            die "shoalctl process did not run 2 workers in round $r: $(cat "$TMP/pro.out")"
        PR_VERIFIED=
        for st in conn dns http; do
            rows "$TMP/psa" "$st" >"$TMP/want.rows"
            rows "$TMP/pro" "$st" >"$TMP/got.rows"
            n=$(wc -l <"$TMP/want.rows" | tr -d ' ')
            [ "$n" -gt 0 ] || die "standalone wrote no $st.log rows from $TRACE"
            cmp -s "$TMP/want.rows" "$TMP/got.rows" ||
                die "round $r: shoalctl process wrote $(wc -l <"$TMP/got.rows" | tr -d ' ')" \
                    "$st.log rows, not the $n rows standalone wrote (uids aside)"
            PR_VERIFIED="$PR_VERIFIED $st $n,"
        done
        rm -rf "$TMP/psa" "$TMP/pro"
        sw=$(field "$TMP/psa.time" wall)
        su=$(field "$TMP/psa.time" user)
        ss=$(field "$TMP/psa.time" sys)
        pw=$(field "$TMP/pro.time" wall)
        pu=$(field "$TMP/pro.time" user)
        ps=$(field "$TMP/pro.time" sys)
        echo "$sw $su $ss" >>"$TMP/psa.rows"
        echo "$pw $pu $ps" >>"$TMP/pro.rows"
        ratio=$(calc "sprintf(\"%.3f\", $pw / $sw)")
        echo "$ratio" >>"$TMP/pratio"
        calc "sprintf(\"%.3f\", ($pu + $ps) / ($su + $ss + 1e-9))" >>"$TMP/pcpuratio"
        printf '  %-5s %-18s %9.3f %8.3f %8.3f\n' "$r" "shoal -r" "$sw" "$su" "$ss"
        printf '  %-5s %-18s %9.3f %8.3f %8.3f %6.2fx\n' "$r" "shoalctl process" "$pw" "$pu" \
            "$ps" "$ratio"
        r=$((r + 1))
    done
    PR_VERIFIED=${PR_VERIFIED%,}
    PR_RATIO=$(median <"$TMP/pratio")
    PR_CPURATIO=$(median <"$TMP/pcpuratio")
    PR_ROUND_RATIOS=$(tr '\n' ' ' <"$TMP/pratio" | sed 's/ $//')
    PR_OK=$(calc "$PR_RATIO <= $PROCESS_GOAL ? \"met\" : \"MISSED\"")
    PR_NOTE=
    if [ "$PR_FILEBYTES" -lt 500000000 ]; then
        PR_NOTE="  (a trial run: the goal is for a trace of >= 500 MB)"
    fi
fi

# --- frontends: the dispatcher, and shoal -r --workers 2 ----------------------

if want frontend; then
    FB=$TMP/frontend
    mkdir -p "$FB"
    { cat "$TMP/plugins.cfg"; echo 'frontend: { strategy = "dispatch"; };'; } >"$FB/shoal.cfg"
    if ! want throughput && ! want process; then
        say "warm-up read of $TRACE (untimed, brings it into the page cache)"
        "$READLOOP" "$TRACE" >"$TMP/warm.out" || die "pcap-readloop could not read $TRACE"
    fi
    FE_FILEBYTES=$(fsize "$TRACE")
    : >"$TMP/frl.rows"
    : >"$TMP/fds.rows"
    : >"$TMP/fsa.rows"
    : >"$TMP/fwk.rows"
    : >"$TMP/fbal"
    say "$ROUNDS interleaved rounds: readloop, dispatcher alone (2 draining rings)," \
        "shoal -r, shoal -r --workers 2, ..."
    printf '  %-5s %-24s %9s %8s %8s\n' round program 'wall s' 'user s' 'sys s'
    r=1
    while [ "$r" -le "$ROUNDS" ]; do
        timed frl "$TMP/frl.out" "$READLOOP" "$TRACE"
        echo "$(field "$TMP/frl.time" wall) $(field "$TMP/frl.time" user) $(field "$TMP/frl.time" sys)" >>"$TMP/frl.rows"
        "$DRAIN" "$FB/chan" 2 0 >"$TMP/drain0" &
        d0=$!
        "$DRAIN" "$FB/chan" 2 1 >"$TMP/drain1" &
        d1=$!
        timed fds "$TMP/fds.out" "$SHOAL" -c "$FB/shoal.cfg" --dispatcher --workers 2 \
            --channel "$FB/chan" -r "$TRACE"
        wait "$d0" && wait "$d1" || die "bench-drain failed in round $r"
        echo "$(field "$TMP/fds.time" wall) $(field "$TMP/fds.time" user) $(field "$TMP/fds.time" sys)" >>"$TMP/fds.rows"
        f0=$(sed -n 's/^frames=\([0-9]*\) .*/\1/p' "$TMP/drain0")
        f1=$(sed -n 's/^frames=\([0-9]*\) .*/\1/p' "$TMP/drain1")
        b0=$(sed -n 's/.* bytes=\([0-9]*\)/\1/p' "$TMP/drain0")
        b1=$(sed -n 's/.* bytes=\([0-9]*\)/\1/p' "$TMP/drain1")
        echo "$f0 $f1 $b0 $b1" >"$TMP/fbal"
        mkdir "$TMP/fsa" "$TMP/fwk"
        timed fsa "$TMP/fsa.out" "$SHOAL" -r "$TRACE" -l "$TMP/fsa" -c "$TMP/plugins.cfg" -q \
            --no-progress
        timed fwk "$TMP/fwk.out" "$SHOAL" -r "$TRACE" --workers 2 -l "$TMP/fwk" \
            -c "$FB/shoal.cfg" -q --no-progress
        FE_VERIFIED=
        for st in conn dns http; do
            rows "$TMP/fsa" "$st" >"$TMP/want.rows"
            rows "$TMP/fwk" "$st" >"$TMP/got.rows"
            cmp -s "$TMP/want.rows" "$TMP/got.rows" ||
                die "round $r: shoal -r --workers 2 wrote other $st.log rows than standalone"
            FE_VERIFIED="$FE_VERIFIED $st $(wc -l <"$TMP/want.rows" | tr -d ' '),"
        done
        rm -rf "$TMP/fsa" "$TMP/fwk"
        echo "$(field "$TMP/fsa.time" wall) $(field "$TMP/fsa.time" user) $(field "$TMP/fsa.time" sys)" >>"$TMP/fsa.rows"
        echo "$(field "$TMP/fwk.time" wall) $(field "$TMP/fwk.time" user) $(field "$TMP/fwk.time" sys)" >>"$TMP/fwk.rows"
        for x in frl:pcap-readloop fds:"dispatcher alone" fsa:"shoal -r" fwk:"shoal -r --workers 2"; do
            printf '  %-5s %-24s %9.3f %8.3f %8.3f\n' "$r" "${x#*:}" "$(field "$TMP/${x%%:*}.time" wall)" \
                "$(field "$TMP/${x%%:*}.time" user)" "$(field "$TMP/${x%%:*}.time" sys)"
        done
        r=$((r + 1))
    done
    FE_VERIFIED=${FE_VERIFIED%,}
    FE_DS=$(calc "sprintf(\"%.3f\", $(col "$TMP/fds.rows" 1) / $(col "$TMP/frl.rows" 1))")
    FE_WK=$(calc "sprintf(\"%.3f\", $(col "$TMP/fsa.rows" 1) / $(col "$TMP/fwk.rows" 1))")
    FE_DS_OK=$(calc "($FE_DS <= $DISPATCH_GOAL) ? \"met\" : \"MISSED\"")
    FE_WK_OK=$(calc "($FE_WK >= $WORKERS_GOAL) ? \"met\" : \"MISSED\"")
    read -r f0 f1 b0 b1 <"$TMP/fbal"
    FE_BAL=$(calc "sprintf(\"packets %.3f, bytes %.3f\", ($f0 > $f1 ? $f0 : $f1) * 2 / ($f0 + $f1), ($b0 > $b1 ? $b0 : $b1) * 2 / ($b0 + $b1))")
fi

# --- shoalctl status on many local nodes, one stopped -------------------------

if want status; then
    SB=$TMP/status
    mkdir -p "$SB/etc"
    # Workers sniff lo when this user may capture (root); otherwise every
    # node but the manager is a proxy (status asks every kind alike).
    ST_WORKERS=$((ST_NODES - 3))
    if [ "$(id -u)" = 0 ]; then
        ST_KINDS="1 manager, 2 proxies, $ST_WORKERS workers on lo"
        {
            printf '[manager]\ntype=manager\nhost=localhost\n\n'
            printf '[proxy-1]\ntype=proxy\nhost=localhost\n\n'
            printf '[proxy-2]\ntype=proxy\nhost=localhost\n\n'
            printf '[worker]\ntype=worker\nhost=localhost\ninterface=lo\nlb_method=pcap\n'
            printf 'lb_procs=%s\n' "$ST_WORKERS"
        } >"$SB/etc/node.cfg"
        ST_VICTIM=worker-$ST_WORKERS
    else
        ST_KINDS="1 manager, $((ST_NODES - 1)) proxies (not root: no worker may sniff lo)"
        {
            printf '[manager]\ntype=manager\nhost=localhost\n'
            i=1
            while [ "$i" -lt "$ST_NODES" ]; do
                printf '\n[proxy-%s]\ntype=proxy\nhost=localhost\n' "$i"
                i=$((i + 1))
            done
        } >"$SB/etc/node.cfg"
        ST_VICTIM=proxy-$((ST_NODES - 1))
    fi
    # Ports of their own, away from an installation's default 27760 and
    # from the tests' (which stay below 31600).
    sed "s/^\( *base_port = \)[0-9]*;/\1$((31600 + ($$ % 10) * 100));/" "$SRC/cfg/shoal.cfg" >"$SB/etc/shoal.cfg"
    : >"$SB/etc/networks.cfg"
    say "status: installing and starting $ST_NODES nodes ($ST_KINDS)"
    "$CTL" --base "$SB" install >"$TMP/st-install.out" 2>&1 ||
        { cat "$TMP/st-install.out" >&2; die "shoalctl install failed for the status measurement"; }
    STATUS_BASE=$SB
    "$CTL" --base "$SB" start >"$TMP/st-start.out" 2>&1 ||
        { cat "$TMP/st-start.out" >&2; die "shoalctl start failed (the layout's ports, from" \
            "24000, must be free)"; }
    "$CTL" --base "$SB" status >"$TMP/st.out" 2>&1 ||
        { cat "$TMP/st.out" >&2; die "not every node runs after shoalctl start"; }
    STOPPED_PID=$(awk -v n="$ST_VICTIM" '$1 == n && $4 == "running" { print $5 }' "$TMP/st.out")
    [ -n "$STOPPED_PID" ] || { cat "$TMP/st.out" >&2; die "no pid of $ST_VICTIM in status"; }
    kill -STOP "$STOPPED_PID"
    say "$ST_VICTIM (pid $STOPPED_PID) stopped with SIGSTOP; $ROUNDS rounds of shoalctl status"
    : >"$TMP/st.rows"
    r=1
    while [ "$r" -le "$ROUNDS" ]; do
        # status fails (1) when a node does not answer: expected here.
        "$BTIME" -o "$TMP/st.time" -- "$CTL" --base "$SB" status >"$TMP/st.out" 2>&1 || true
        [ "$(field "$TMP/st.time" status)" = 1 ] ||
            { cat "$TMP/st.out" >&2; die "status exited $(field "$TMP/st.time" status), not 1"; }
        grep -Eq "^$ST_VICTIM +[a-z]+ +localhost +not answering" "$TMP/st.out" ||
            { cat "$TMP/st.out" >&2; die "status does not report $ST_VICTIM as not answering"; }
        up=$(grep -Ec '^[^ ]+ +[a-z]+ +localhost +running ' "$TMP/st.out")
        [ "$up" = $((ST_NODES - 1)) ] ||
            { cat "$TMP/st.out" >&2; die "status shows $up nodes running, not $((ST_NODES - 1))"; }
        w=$(field "$TMP/st.time" wall)
        echo "$w" >>"$TMP/st.rows"
        printf '  %-5s shoalctl status %9.3f s\n' "$r" "$w"
        r=$((r + 1))
    done
    kill -CONT "$STOPPED_PID"
    STOPPED_PID=
    "$CTL" --base "$SB" stop >"$TMP/st-stop.out" 2>&1 ||
        { cat "$TMP/st-stop.out" >&2; die "shoalctl stop failed after the status measurement"; }
    STATUS_BASE=
    ST_WALL=$(median <"$TMP/st.rows")
    ST_ROUNDS=$(tr '\n' ' ' <"$TMP/st.rows" | sed 's/ $//')
    ST_OK=$(calc "$ST_WALL < $STATUS_GOAL ? \"met\" : \"MISSED\"")
fi

# --- table -------------------------------------------------------------------

{
    echo "Shoal benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -n), $NCPU CPUs," \
        "load average $LOAD at start"
    if want throughput; then
        for tn in mixed dense; do
            read -r tb tp tw tc <"$TMP/$tn.info"
            if [ "$tn" = mixed ]; then
                echo "mixed trace: $TRACE"
            else
                echo
                echo "flow-dense trace: $DENSE"
            fi
            echo "  $tb bytes, $tp packets, $tw bytes on the wire, $tc conn.log rows, seed $SEED"
        done
        echo
        echo "throughput, median of $ROUNDS interleaved rounds (page cache warm), both traces:"
        printf '  %-36s %9s %8s %8s %8s %8s %9s %7s\n' program 'wall s' 'user s' 'sys s' \
            'Mpkt/s' 'Gbit/s' 'RSS KiB' ratio
        for tn in mixed dense; do
            read -r tb tp tw tc <"$TMP/$tn.info"
            for k in rl:pcap-readloop cdh:"shoal -r (conn, dns, http)" \
                all:"shoal -r (every plugin)"; do
                f=$TMP/$tn.${k%%:*}.rows
                rt='-'
                if [ "${k%%:*}" != rl ]; then
                    rt=$(printf '%.2fx' "$(median <"$TMP/$tn.${k%%:*}.ratio")")
                fi
                printf '  %-36s %9.3f %8.3f %8.3f %s %9s %7s\n' "$tn: ${k#*:}" "$(col "$f" 1)" \
                    "$(col "$f" 2)" "$(col "$f" 3)" "$(rates "$(col "$f" 1)" "$tp" "$tw")" \
                    "$(col "$f" 4)" "$rt"
            done
        done
        echo "  shoal/readloop wall time, median of per-round ratios (rounds):"
        for tn in mixed dense; do
            for g in cdh:"conn, dns, http":$RATIO_GOAL all:"every plugin":$ALL_GOAL; do
                k=${g%%:*}
                rest=${g#*:}
                gl=${rest##*:}
                printf '    %-6s %-17s %6.2fx (%s)  goal <= %sx: %s\n' "$tn" "${rest%:*}" \
                    "$(median <"$TMP/$tn.$k.ratio")" \
                    "$(tr '\n' ' ' <"$TMP/$tn.$k.ratio" | sed 's/ $//')" "$gl" \
                    "$(tp_ok "$tn" "$k" "$gl")"
            done
        done
        printf '  shoal/readloop CPU time (user+sys), median, for information: mixed %.2fx / %.2fx,' \
            "$(median <"$TMP/mixed.cdh.cpuratio")" "$(median <"$TMP/mixed.all.cpuratio")"
        printf ' dense %.2fx / %.2fx\n' "$(median <"$TMP/dense.cdh.cpuratio")" \
            "$(median <"$TMP/dense.all.cpuratio")"
        printf '  peak RSS / flows, flow-dense trace (conn, dns, http): %s KiB / %s = %s B' \
            "$DENSE_RSS" "$DENSE_CONNS" "$DENSE_PERFLOW"
        printf '   goal <= %s B: %s\n' "$FLOW_GOAL" "$DENSE_OK"
    fi
    if want memory; then
        echo
        echo "memory per tracked connection ($HOLD):"
        printf '  %-40s %12s%s\n' "connections open at once" "$CONNS" "$MEM_NOTE"
        printf '  %-40s %12s\n' "connections shoal tracked (0 evicted)" "$SEEN"
        printf '  %-40s %12s KiB\n' "peak RSS, $BASE_CONNS connections (baseline)" "$RSS_BASE"
        printf '  %-40s %12s KiB\n' "peak RSS, $CONNS connections" "$RSS_MANY"
        printf '  %-40s %12s B   goal <= %s B: %s\n' "(peak - baseline) / connections" \
            "$PERCONN" "$BYTES_GOAL" "$MEM_OK"
    fi
    if want lograte; then
        echo
        echo "log records from 2 workers to the manager, median of $ROUNDS interleaved rounds:"
        echo "  2 x $LR_RECORDS conn.log records in $LR_BATCHES LOG_BATCHes of up to $LR_BATCH" \
            "records, $LR_BYTES bytes of msgpack"
        if [ -n "$LR_NOTE" ]; then
            echo "$LR_NOTE"
        fi
        printf '  %-34s %9s %12s %8s %8s\n' path 'wall s' 'records/s' 'send s' 'recv s'
        for m in shoal raw curve; do
            case $m in
                shoal) label="shoal: worker links -> manager" ;;
                raw) label="raw ZeroMQ PUSH/PULL, tcp" ;;
                curve) label="raw ZeroMQ PUSH/PULL, CURVE" ;;
            esac
            printf '  %-34s %9.3f %12s %8.3f %8.3f\n' "$label" "$(col "$TMP/lr.$m" 1)" \
                "$(thousands "$(col "$TMP/lr.$m" 2)")" "$(col "$TMP/lr.$m" 3)" \
                "$(col "$TMP/lr.$m" 4)"
        done
        echo "  rows verified: $LR_TOTAL of $LR_TOTAL in the manager's conn.log, every round"
        printf '  shoal/raw wall time: %.2fx (median of rounds: %s); shoal/raw-CURVE: %.2fx\n' \
            "$LR_RATIO" "$LR_ROUND_RATIOS" "$LR_CRATIO"
        printf '  shoal records/s, aggregate: %s  goal >= %s records/s: %s\n' \
            "$(thousands "$LR_RATE")" "$(thousands "$RATE_GOAL")" "$LR_OK"
    fi
    if want process; then
        echo
        echo "shoalctl process: 2 local workers and a manager beside one standalone node,"
        echo "median of $ROUNDS interleaved rounds over $TRACE ($PR_FILEBYTES bytes):"
        if [ -n "$PR_NOTE" ]; then
            echo "$PR_NOTE"
        fi
        printf '  %-34s %9s %8s %8s\n' program 'wall s' 'user s' 'sys s'
        printf '  %-34s %9.3f %8.3f %8.3f\n' "shoal -r (dns, http)" "$(col "$TMP/psa.rows" 1)" \
            "$(col "$TMP/psa.rows" 2)" "$(col "$TMP/psa.rows" 3)"
        printf '  %-34s %9.3f %8.3f %8.3f\n' "shoalctl process (2 workers)" \
            "$(col "$TMP/pro.rows" 1)" "$(col "$TMP/pro.rows" 2)" "$(col "$TMP/pro.rows" 3)"
        echo "  rows equal to standalone's (uids aside), every round:$PR_VERIFIED"
        printf '  process/standalone wall time: %.2fx (median of rounds: %s)  goal <= %sx: %s\n' \
            "$PR_RATIO" "$PR_ROUND_RATIOS" "$PROCESS_GOAL" "$PR_OK"
        printf '  process/standalone CPU time (user+sys, every process), median: %.2fx\n' \
            "$PR_CPURATIO"
    fi
    if want frontend; then
        echo
        echo "frontends: the dispatch frontend (2-tuple) over $TRACE ($FE_FILEBYTES bytes),"
        echo "median of $ROUNDS interleaved rounds:"
        printf '  %-34s %9s %8s %8s\n' program 'wall s' 'user s' 'sys s'
        for x in frl:pcap-readloop fds:"dispatcher alone (2 rings drained)" \
            fsa:"shoal -r (dns, http)" fwk:"shoal -r --workers 2 (+ manager)"; do
            printf '  %-34s %9.3f %8.3f %8.3f\n' "${x#*:}" "$(col "$TMP/${x%%:*}.rows" 1)" \
                "$(col "$TMP/${x%%:*}.rows" 2)" "$(col "$TMP/${x%%:*}.rows" 3)"
        done
        printf '  dispatcher/readloop wall time: %.2fx  goal <= %sx: %s\n' "$FE_DS" \
            "$DISPATCH_GOAL" "$FE_DS_OK"
        printf '  --workers 2 packet rate / standalone: %.2fx  goal >= %sx: %s\n' "$FE_WK" \
            "$WORKERS_GOAL" "$FE_WK_OK"
        echo "  rows equal to standalone's (uids aside), every round:$FE_VERIFIED"
        echo "  balance over 2 workers, busiest/mean: $FE_BAL"
    fi
    if want status; then
        echo
        echo "shoalctl status on $ST_NODES local nodes ($ST_KINDS), $ST_VICTIM stopped:"
        echo "  $ST_VICTIM \"not answering\", the $((ST_NODES - 1)) others running, every round"
        printf '  wall time, median of %s rounds: %.3f s (rounds: %s)  goal < %s s: %s\n' \
            "$ROUNDS" "$ST_WALL" "$ST_ROUNDS" "$STATUS_GOAL" "$ST_OK"
    fi
} >"$TMP/table"
echo
cat "$TMP/table"
cp "$TMP/table" "$RESULTS" || die "cannot write $RESULTS"
echo
say "results written to $RESULTS"

if [ "$STRICT" = 1 ] && { [ "${THR_OK:-met}" != met ] || [ "${DENSE_OK:-met}" != met ] || [ "${MEM_OK:-met}" != met ] ||
    [ "${LR_OK:-met}" != met ] || [ "${PR_OK:-met}" != met ] || [ "${ST_OK:-met}" != met ] ||
    [ "${FE_DS_OK:-met}" != met ] || [ "${FE_WK_OK:-met}" != met ]; }; then
    die "a goal was missed (BENCH_STRICT=1)"
fi
exit 0

#!/bin/bash
# bench/run-client-bench.sh: libsamsa against librdkafka as clients of the
# same samsa broker (issue 6 §6).  Starts a throw-away ZooKeeper
# (t/lib/zk.sh) and one samsa-server on free loopback ports, then for each
# case runs, alternately, kafka-producer-perf-test.sh (libsamsa) and
# bench/bench_rk_perf produce (librdkafka) with the same settings, and
# afterwards kafka-consumer-perf-test.sh against bench_rk_perf consume on
# the data just written.  Prints a table with medians of both sides,
# libsamsa / librdkafka throughput and client CPU per record (user+sys of
# the client process, from /usr/bin/time).  Stops everything, removes the
# directory.  Bounded by SAMSA_BENCH_TIMEOUT seconds (default 900).
#
#   bench/run-client-bench.sh [-r reps] [-B build-dir] [-k]
#     -r reps   repetitions per case and client (default 3)
#     -B dir    where bench/, src/ and the tools were built
#     -k        keep the temp directory
#
# Both producers: acks=1, linger.ms=5, batch.size=65536, one partition,
# unkeyed records of random letters; consumers read from offset 0 with
# every partition assigned (no group).  The consumer figure of
# kafka-consumer-perf-test.sh is fetch.nMsg.sec (from the first fetch),
# librdkafka's is timed from the first record.  librdkafka's consumer gets
# queued.min.messages=1000000: with its default (100000) one fetch of
# well-compressed records fills the queue and librdkafka 2.0 waits about
# a second before fetching again (fetch.queue.backoff.ms came in 2.1),
# which measured that timer, not the client.
#
# Exit: 0 ok, 1 failure, 77 ZooKeeper or Java missing.

set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
bench_name=run-client-bench
. "$here/bench_lib.sh"
build=$src
reps=3
keep=0
while getopts "r:B:k" o; do
    case $o in
    r) reps=$OPTARG ;;
    B) build=$(cd "$OPTARG" && pwd) ;;
    k) keep=1 ;;
    *) sed -n '2,24s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    esac
done

for p in src/samsa-server bench/bench_rk_perf src/tools/samsa-producer-perf \
         src/tools/samsa-consumer-perf; do
    if ! [ -x "$build/$p" ]; then
        echo "run-client-bench: $build/$p not built (librdkafka-dev" \
             "installed? run configure and make)" >&2
        exit 1
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-cbench.XXXXXX") || exit 1
broker_pid=
watchdog=
cleanup() {
    bench_stop_watchdog
    if [ -n "$broker_pid" ]; then
        kill -TERM "$broker_pid" 2>/dev/null
        for _ in $(seq 1 100); do
            kill -0 "$broker_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$broker_pid" 2>/dev/null
    fi
    "$src/t/lib/zk.sh" stop "$tmp/zk"
    if [ "$keep" = 1 ]; then
        echo "run-client-bench: kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Whole-run bound (bench_lib.sh).
bench_watchdog "${SAMSA_BENCH_TIMEOUT:-900}"

fail() {
    echo "run-client-bench: $*" >&2
    [ -r "$tmp/broker.log" ] && tail -40 "$tmp/broker.log" >&2
    exit 1
}


SAMSA_ZK_OWNER_PID=$$ zkport=$("$src/t/lib/zk.sh" start "$tmp/zk")
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || fail "ZooKeeper did not start"
port=$(free_port) || fail "no free port"
boot=127.0.0.1:$port
cat > "$tmp/server.properties" <<EOF
# written by bench/run-client-bench.sh
broker.id=0
listeners=PLAINTEXT://$boot
num.network.threads=3
num.io.threads=8
log.dirs=$tmp/logs
num.partitions=1
offsets.topic.replication.factor=1
zookeeper.connect=127.0.0.1:$zkport/samsa-cbench
EOF
SAMSA_LOG_LEVEL=WARN "$build/src/samsa-server" "$tmp/server.properties" \
    >"$tmp/broker.log" 2>&1 </dev/null &
broker_pid=$!
for _ in $(seq 1 300); do
    kill -0 "$broker_pid" 2>/dev/null || fail "samsa-server exited"
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

export SAMSA_BUILD_DIR=$build
# run NAME OUTFILE CMD...: CMD's stdout to OUTFILE; prints "user+sys"
run() {
    local out=$2
    shift 2
    /usr/bin/time -f "%U %S" -o "$out.time" "$@" >"$out" 2>"$out.err" ||
        { cat "$out.err" >&2; fail "failed: $*"; }
    awk '{ printf "%.3f", $1 + $2 }' "$out.time"
}
# the records/sec figure of a perf output line
rate_p() { sed -n 's/.* records sent, \([0-9.]*\) records\/sec.*/\1/p' "$1" |
           tail -1; }
rate_rk() { sed -n 's/.* records [a-z]*, \([0-9.]*\) records\/sec.*/\1/p' \
            "$1" | tail -1; }
rate_c() { tail -1 "$1" | awk -F', ' '{ print $10 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average" \
     "$(cut -d' ' -f1-3 /proc/loadavg), $reps runs per client and case"
printf '%-22s %12s %12s %7s | %14s\n' "case" "libsamsa/s" "librdkafka/s" \
    "ratio" "CPU us/rec s/rk"
i=0
for c in "100 none 1000000" "100 lz4 1000000" "1024 none 300000" \
         "1024 lz4 300000"; do
    set -- $c
    size=$1 codec=$2 n=$3
    i=$((i + 1))
    topic=cb$i
    props="acks=1 linger.ms=5 batch.size=65536 compression.type=$codec"
    : > "$tmp/p.s" ; : > "$tmp/p.r"; : > "$tmp/c.s"; : > "$tmp/c.r"
    for r in $(seq 1 "$reps"); do
        cpu=$(run p "$tmp/ps$r" "$src/bin/kafka-producer-perf-test.sh" \
              --topic "$topic" --num-records "$n" --record-size "$size" \
              --throughput -1 --producer-props bootstrap.servers=$boot \
              $props)
        echo "$(rate_p "$tmp/ps$r") $cpu" >> "$tmp/p.s"
        xs=
        for kv in $props; do xs="$xs -X $kv"; done
        cpu=$(run p "$tmp/pr$r" "$build/bench/bench_rk_perf" produce \
              -b "$boot" -t "$topic" -n "$n" -s "$size" $xs)
        echo "$(rate_rk "$tmp/pr$r") $cpu" >> "$tmp/p.r"
    done
    for r in $(seq 1 "$reps"); do
        cpu=$(run c "$tmp/cs$r" "$src/bin/kafka-consumer-perf-test.sh" \
              --bootstrap-server "$boot" --topic "$topic" \
              --messages "$n" --timeout 60000)
        echo "$(rate_c "$tmp/cs$r") $cpu" >> "$tmp/c.s"
        cpu=$(run c "$tmp/cr$r" "$build/bench/bench_rk_perf" consume \
              -b "$boot" -t "$topic" -n "$n" -X queued.min.messages=1000000)
        echo "$(rate_rk "$tmp/cr$r") $cpu" >> "$tmp/c.r"
    done
    for side in p c; do
        s=$(awk '{ print $1 }' "$tmp/$side.s" | median)
        k=$(awk '{ print $1 }' "$tmp/$side.r" | median)
        us=$(awk -v n="$n" '{ print $2 * 1e6 / n }' "$tmp/$side.s" | median)
        uk=$(awk -v n="$n" '{ print $2 * 1e6 / n }' "$tmp/$side.r" | median)
        [ -n "$s" ] && [ -n "$k" ] || fail "no rate parsed for $c ($side)"
        what=produce
        [ $side = c ] && what=consume
        printf '%-22s %12.0f %12.0f %6.1f%% | %6.2f / %-6.2f\n' \
            "$what $size B $codec" "$s" "$k" \
            "$(awk -v a="$s" -v b="$k" 'BEGIN { print 100 * a / b }')" \
            "$us" "$uk"
    done
done
kill -0 "$broker_pid" 2>/dev/null || fail "samsa-server died"
exit 0

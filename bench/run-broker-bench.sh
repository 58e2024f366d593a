#!/bin/bash
# bench/run-broker-bench.sh: the broker benchmarks (issue 3 §7) in one
# command.  Starts a throw-away ZooKeeper (t/lib/zk.sh) and one samsa-server
# on free loopback ports with its log directory under $TMPDIR (default
# /tmp, the disk the tests use), runs bench_produce and bench_consume -
# each compares samsa with librdkafka's in-memory mock cluster started
# inside the benchmark and prints a table with both sides and the ratio -
# then stops everything and removes the directory.  Bounded: the
# benchmarks' own waits are bounded and the whole run is killed after
# SAMSA_BENCH_TIMEOUT seconds (default 600).
#
#   bench/run-broker-bench.sh [-r reps] [-B build-dir] [-k] [-v] [-p|-c]
#                             [-a] [-- extra bench_produce args]
#     -r reps   repetitions per case (default 3); tables show medians
#     -B dir    where bench/ and src/samsa-server were built (default: the
#               source tree, i.e. an in-tree build)
#     -k        keep the temp directory (broker log, segments)
#     -v        print every repetition
#     -p / -c   run only the producer / only the consumer benchmark
#     -a        split CPUs: samsa-server and the mock cluster's threads
#               on CPU 1, the clients on CPU 0 (bench_produce -a); the
#               default shares both CPUs between client and broker;
#               producer only (implies -p)
# Environment:
#   SAMSA_BENCH_SERVER  the broker binary (default: the build's
#                       src/samsa-server); for A/B runs of two builds
#   SAMSA_BENCH_PROPS   more server.properties lines, appended last so
#                       they win (e.g. "num.io.threads=2")
#   SAMSA_BENCH_PERF=1  `perf record -g` the broker into the temp
#                       directory (which is then kept)
#
# Exit: 0 ok, 1 failure (the broker's log tail is printed), 77 ZooKeeper
# or Java missing.

set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
bench_name=run-broker-bench
. "$here/bench_lib.sh"
build=$src
reps=3
keep=0
verbose=
only=
split=
while getopts "r:B:kvpca" o; do
    case $o in
    r) reps=$OPTARG ;;
    B) build=$(cd "$OPTARG" && pwd) ;;
    k) keep=1 ;;
    v) verbose=-v ;;
    p) only=produce ;;
    c) only=consume ;;
    a) split=-a only=produce ;;
    *) sed -n '2,33s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))

for p in src/samsa-server bench/bench_produce bench/bench_consume; do
    if ! [ -x "$build/$p" ]; then
        echo "run-broker-bench: $build/$p not built (librdkafka-dev" \
             "installed? run configure and make)" >&2
        exit 1
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-bench.XXXXXX") || exit 1
broker_pid=
perf_pid=
watchdog=
cleanup() {
    bench_stop_watchdog
    [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null &&
        wait "$perf_pid" 2>/dev/null
    if [ -n "$broker_pid" ]; then
        kill -TERM "$broker_pid" 2>/dev/null
        for _ in $(seq 1 100); do
            kill -0 "$broker_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$broker_pid" 2>/dev/null
    fi
    "$src/t/lib/zk.sh" stop "$tmp/zk"
    if [ "$keep" = 1 ] || [ -n "${SAMSA_BENCH_PERF:-}" ]; then
        echo "run-broker-bench: kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Whole-run bound (bench_lib.sh).
bench_watchdog "${SAMSA_BENCH_TIMEOUT:-600}"

fail() {
    echo "run-broker-bench: $*" >&2
    [ -r "$tmp/broker.log" ] && tail -40 "$tmp/broker.log" >&2
    exit 1
}


SAMSA_ZK_OWNER_PID=$$ zkport=$("$src/t/lib/zk.sh" start "$tmp/zk")
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || fail "ZooKeeper did not start"

port=$(free_port) || fail "no free port"
cat > "$tmp/server.properties" <<EOF
# written by bench/run-broker-bench.sh: conf/server.properties' values,
# on loopback and a temp directory
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$port
num.network.threads=3
num.io.threads=8
log.dirs=$tmp/logs
num.partitions=1
offsets.topic.replication.factor=1
log.segment.bytes=1073741824
zookeeper.connect=127.0.0.1:$zkport/samsa-bench
zookeeper.connection.timeout.ms=18000
${SAMSA_BENCH_PROPS:-}
EOF
pin=
[ -n "$split" ] && pin="taskset -c 1"
SAMSA_LOG_LEVEL=${SAMSA_LOG_LEVEL:-WARN} $pin \
    "${SAMSA_BENCH_SERVER:-$build/src/samsa-server}" \
    "$tmp/server.properties" \
    >"$tmp/broker.log" 2>&1 </dev/null &
broker_pid=$!
for _ in $(seq 1 300); do
    kill -0 "$broker_pid" 2>/dev/null || fail "samsa-server exited"
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
    fail "samsa-server is not listening on $port"

if [ -n "${SAMSA_BENCH_PERF:-}" ]; then
    perf record -g -o "$tmp/perf.data" -p "$broker_pid" \
        >"$tmp/perf.log" 2>&1 &
    perf_pid=$!
fi

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg), data in $tmp"
status=0
if [ "$only" != consume ]; then
    "$build/bench/bench_produce" -b "127.0.0.1:$port" -B "$broker_pid" \
        -r "$reps" \
        $split $verbose "$@" || status=1
    echo
fi
if [ "$only" != produce ] && [ $status = 0 ]; then
    "$build/bench/bench_consume" -b "127.0.0.1:$port" -B "$broker_pid" \
        -D "$tmp/logs" -r "$reps" $verbose || status=1
fi
kill -0 "$broker_pid" 2>/dev/null || fail "samsa-server died"
[ $status = 0 ] || fail "a benchmark failed"
exit 0

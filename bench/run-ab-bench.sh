#!/bin/bash
# bench/run-ab-bench.sh: A/B of two samsa-server binaries under the
# producer benchmark.  Starts a throw-away ZooKeeper and two single-broker
# clusters (one ZooKeeper chroot each, Kafka's default thread counts,
# log directories under $TMPDIR), then runs bench_produce with the
# baseline as its -x side, so both binaries are measured in one process,
# alternating which goes first, with the same machine load: the way to
# claim a broker-side gain on a shared machine, where separate
# run-broker-bench.sh runs swing by +-15 %.
#
#   bench/run-ab-bench.sh [-B build-dir] old-server new-server
#                         [-- bench_produce args, e.g. -r 5 -c 1 -l 1.5]
#
# Exit: 0 ok, 1 failure, 77 ZooKeeper or Java missing.

set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
bench_name=run-ab-bench
. "$here/bench_lib.sh"
build=$src
while getopts "B:" o; do
    case $o in
    B) build=$(cd "$OPTARG" && pwd) ;;
    *) sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
old=$1 new=$2
shift 2
[ "${1:-}" = -- ] && shift

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-ab.XXXXXX") || exit 1
pids=
cleanup() {
    bench_stop_watchdog
    for p in $pids; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in $pids; do
        for _ in $(seq 1 100); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null
    done
    "$src/t/lib/zk.sh" stop "$tmp/zk"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
bench_watchdog "${SAMSA_BENCH_TIMEOUT:-900}"

SAMSA_ZK_OWNER_PID=$$ zkport=$("$src/t/lib/zk.sh" start "$tmp/zk")
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "$bench_name: ZooKeeper did not start" >&2; exit 1; }

# start NAME BINARY: sets port_NAME and pid_NAME
start() {
    local port pid
    port=$(free_port) || exit 1
    cat > "$tmp/$1.properties" <<P
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$port
num.network.threads=3
num.io.threads=8
log.dirs=$tmp/logs-$1
num.partitions=1
offsets.topic.replication.factor=1
log.segment.bytes=1073741824
zookeeper.connect=127.0.0.1:$zkport/samsa-ab-$1
P
    SAMSA_LOG_LEVEL=WARN "$2" "$tmp/$1.properties" >"$tmp/$1.log" 2>&1 \
        </dev/null &
    pid=$!
    pids="$pids $pid"
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "$bench_name: $2 is not listening" >&2
        tail -20 "$tmp/$1.log" >&2
        exit 1
    fi
    eval "port_$1=$port pid_$1=$pid"
}
start old "$old"
start new "$new"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/bench_produce" -x "127.0.0.1:$port_old" -X "$pid_old" \
    -N old -b "127.0.0.1:$port_new" -B "$pid_new" -n new "$@"

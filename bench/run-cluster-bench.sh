#!/bin/bash
# bench/run-cluster-bench.sh: replication cost (issue 4 §5).  Starts a
# throw-away ZooKeeper, one samsa broker (chroot /single) and a cluster of
# three (chroot /trio, the same settings), all on free loopback ports with
# their logs under $TMPDIR (default /tmp), and runs bench_produce with the
# three-broker cluster and replication factor 3 as the measured side and
# the single broker (replication factor 1) as the baseline, side by side
# in one run: every case, acks=1 and acks=all.  CPU per record sums the
# three brokers.  Every case writes fresh topics and the trio keeps three
# copies, so partitions are capped by retention (64 MiB segments, 128 MiB
# retained per partition, checked every 5 s) on both sides: an uncapped
# run filled a 76 GB disk.  Bounded: killed after SAMSA_BENCH_TIMEOUT
# seconds (default 900).
#
#   bench/run-cluster-bench.sh [-r reps] [-B build-dir] [-k] [-v]
#                              [-- extra bench_produce args]
# Exit: 0 ok, 1 failure (the brokers' log tails are printed), 77 ZooKeeper
# or Java missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
bench_name=run-cluster-bench
. "$here/bench_lib.sh"
build=$src
reps=3
keep=0
verbose=
while getopts "r:B:kv" o; do
    case $o in
    r) reps=$OPTARG ;;
    B) build=$(cd "$OPTARG" && pwd) ;;
    k) keep=1 ;;
    v) verbose=-v ;;
    *) sed -n '2,17s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
for p in src/samsa-server bench/bench_produce; do
    [ -x "$build/$p" ] || { echo "run-cluster-bench: $build/$p not built" >&2
                            exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-cbench.XXXXXX") || exit 1
pids=()
watchdog=
cleanup() {
    bench_stop_watchdog
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break
                                  sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
    done
    "$src/t/lib/zk.sh" stop "$tmp/zk"
    if [ "$keep" = 1 ]; then echo "run-cluster-bench: kept $tmp" >&2
    else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# Whole-run bound (bench_lib.sh).
bench_watchdog "${SAMSA_BENCH_TIMEOUT:-900}"

fail() {
    echo "run-cluster-bench: $*" >&2
    for l in "$tmp"/broker*.log; do
        [ -r "$l" ] && { echo "== $l" >&2; tail -20 "$l" >&2; }
    done
    exit 1
}

SAMSA_ZK_OWNER_PID=$$ zkport=$("$src/t/lib/zk.sh" start "$tmp/zk")
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || fail "ZooKeeper did not start"

# start_broker ID CHROOT: starts it, prints its port
start_broker() {
    local id=$1 chroot=$2 port
    port=$(free_port) || fail "no free port"
    cat > "$tmp/server$id.properties" <<PROPS
broker.id=$id
listeners=PLAINTEXT://127.0.0.1:$port
num.network.threads=3
num.io.threads=8
log.dirs=$tmp/logs$id
num.partitions=1
offsets.topic.replication.factor=1
log.segment.bytes=67108864
log.retention.bytes=134217728
log.retention.check.interval.ms=5000
zookeeper.connect=127.0.0.1:$zkport$chroot
${SAMSA_BENCH_PROPS:-}
PROPS
    SAMSA_LOG_LEVEL=${SAMSA_LOG_LEVEL:-WARN} "$build/src/samsa-server" \
        "$tmp/server$id.properties" >"$tmp/broker$id.log" 2>&1 </dev/null &
    pids+=($!)
    echo "$port" > "$tmp/port$id"
}
start_broker 0 /single
for id in 1 2 3; do start_broker $id /trio; done
for id in 0 1 2 3; do
    port=$(cat "$tmp/port$id")
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
        fail "broker $id is not listening on $port"
done
sleep 2     # the trio's controller learns all three brokers

trio="127.0.0.1:$(cat "$tmp/port1"),127.0.0.1:$(cat "$tmp/port2"),127.0.0.1:$(cat "$tmp/port3")"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg), data in $tmp"
"$build/bench/bench_produce" -b "$trio" -B "${pids[1]},${pids[2]},${pids[3]}" \
    -R 3 -n "3-brk" -x "127.0.0.1:$(cat "$tmp/port0")" -X "${pids[0]}" \
    -N "1-brk" -r "$reps" $verbose "$@" || fail "the benchmark failed"
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || fail "a broker died"; done
exit 0

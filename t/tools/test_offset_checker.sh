#!/usr/bin/env bash
# test_offset_checker.sh: bin/kafka-consumer-offset-checker.sh
# (samsa-consumer-offset-checker) against a real ZooKeeper (t/lib/zk.sh)
# and a real broker (src/samsa-server on port 0).  TAP output.
#
# Topics alpha (2 partitions), beta and gamma (1 each) get 5/3, 7 and 0
# records (kcat -P, one partition at a time); a 0.8-style group's offsets
# and owners are written to ZooKeeper directly (zkq set), as the 0.8
# high-level consumer and OffsetCommit v0 write them; a kcat -G group
# commits to __consumer_offsets.  Checked, byte for
# byte: Kafka's columns and widths, Offset/logSize/Lag/Owner per
# partition, "-1"/"unknown"/"none", offsets from the group coordinator,
# the owned topics as the default list,
# --topic (sorted), --broker-info, the lag following new records, a
# partition without a state znode, Kafka's messages for a group without
# owners and for usage errors, and the kafka-run-class.sh entry.
# Every wait is bounded.
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
mult=${SAMSA_TEST_TIMEOUT_MULT:-1}
zkq=$top_builddir/t/tools/zkq
server=$top_builddir/src/samsa-server
COC=$srcdir/bin/kafka-consumer-offset-checker.sh
KT=$srcdir/bin/kafka-topics.sh
export SAMSA_BUILD_DIR=$top_builddir

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-coc.XXXXXX") || exit 1
broker_pid=
n=0
failed=0

cleanup() {
    [ -n "$broker_pid" ] && stop_pid "$broker_pid"
    "$srcdir/t/lib/zk.sh" stop "$tmp/zk" >/dev/null 2>&1
    if [ "$failed" != 0 ] && [ -f "$tmp/broker.log" ]; then
        echo "# broker log:"
        sed 's/^/# /' "$tmp/broker.log" | tail -n 60
    fi
    [ "${SAMSA_TEST_LEAVE:-0}" = 1 ] || rm -rf "$tmp"
}
trap cleanup EXIT

. "$srcdir/t/lib/tap.sh"

# check NAME RC EXPECTED_STDOUT CMD...
check() {
    local name=$1 want_rc=$2 want=$3
    shift 3
    run "$@"
    if [ "$rc" = "$want_rc" ] && [ "$out" = "$want" ]; then
        ok "$name"
    else
        not_ok "$name" "command: $*" "exit $rc (want $want_rc)" \
            "stdout:" "$out" "want:" "$want" "stderr: $err"
    fi
}

# row GROUP TOPIC PID OFFSET LOGSIZE LAG OWNER: one line of Kafka's format
row() { printf '%-15s %-30s %-3s %-15s %-15s %-15s %s\n' "$@"; }

if ! command -v kcat >/dev/null; then
    echo "1..0 # SKIP kcat not installed"
    exit 0
fi
export SAMSA_ZK_OWNER_PID=$$
zkport=$("$srcdir/t/lib/zk.sh" start "$tmp/zk")
zrc=$?
if [ $zrc = 77 ] && [ "${SAMSA_TEST_REQUIRE_ZK:-0}" = 0 ]; then
    echo "1..0 # SKIP ZooKeeper or Java not installed"
    exit 0
fi
[ $zrc = 0 ] || bail "ZooKeeper did not start"
ZK=127.0.0.1:$zkport/samsa-coc
wait_ms=$((30000 * mult))

cat > "$tmp/server.properties" <<EOF
broker.id=0
listeners=PLAINTEXT://127.0.0.1:0
log.dirs=$tmp/logs
zookeeper.connect=$ZK
offsets.topic.replication.factor=1
EOF
"$server" "$tmp/server.properties" > "$tmp/broker.log" 2>&1 &
broker_pid=$!
port=$("$zkq" "$ZK" port 0 "$wait_ms") ||
    { failed=1; bail "the broker did not register in ZooKeeper"; }

for t in "alpha 0,0" "beta 0" "gamma 0" "warm 0"; do
    set -- $t
    run "$KT" --zookeeper "$ZK" --create --topic "$1" \
        --replica-assignment "$2"
    [ "$rc" = 0 ] || bail "kafka-topics.sh --create $1: $err"
    "$zkq" "$ZK" states "$1" "$wait_ms" >/dev/null ||
        bail "no partition state for $1"
done

# produce TOPIC PARTITION COUNT
produce() {
    local i
    for i in $(seq 1 "$3"); do echo "$1-$2-$i"; done |
        timeout $((30 * mult)) kcat -P -b "127.0.0.1:$port" -t "$1" \
            -p "$2" -X topic.request.required.acks=1 2>"$tmp/kcat.err" ||
        bail "kcat -P $1/$2: $(cat "$tmp/kcat.err")"
}
# the broker's metadata may lag the state znodes for a moment: retry
# the first produce (bounded)
for _ in $(seq 1 $((20 * mult))); do
    echo warm | timeout 10 kcat -P -b "127.0.0.1:$port" -t warm -p 0 \
        -X topic.request.required.acks=1 2>/dev/null && break
    sleep 0.5
done
produce alpha 0 5
produce alpha 1 3
produce beta 0 7

G=grp
OWNER=grp_host-1700000000000-ab12cd34-0
"$zkq" "$ZK" set /consumers/$G/offsets/alpha/0 2 &&
"$zkq" "$ZK" set /consumers/$G/offsets/alpha/1 3 &&
"$zkq" "$ZK" set /consumers/$G/offsets/beta "" &&
"$zkq" "$ZK" set /consumers/$G/owners/alpha/0 $OWNER &&
"$zkq" "$ZK" set /consumers/$G/owners/beta "" ||
    bail "zkq set failed"

HDR=$(row Group Topic Pid Offset logSize Lag Owner)
A0=$(row $G alpha 0 2 5 3 $OWNER)
check "the owned topics: offsets, log sizes, lag and owners" 0 \
"$HDR
$A0
$(row $G alpha 1 3 3 0 none)
$(row $G beta 0 -1 7 unknown none)
" "$COC" --zookeeper "$ZK" --group $G

check "--topic: sorted; a topic never committed is unknown" 0 \
"$HDR
$A0
$(row $G alpha 1 3 3 0 none)
$(row $G gamma 0 unknown 0 unknown none)
" "$COC" --zookeeper "$ZK" --group $G --topic gamma,alpha

produce alpha 1 4
produce gamma 0 2
"$zkq" "$ZK" set /consumers/$G/offsets/gamma/0 1 || bail "zkq set"
check "new records raise the lag; --broker-info lists the leader" 0 \
"$HDR
$A0
$(row $G alpha 1 3 7 4 none)
$(row $G gamma 0 1 2 1 none)
BROKER INFO
0 -> 127.0.0.1:$port
" "$COC" --zookeeper "$ZK" --group $G --topic alpha,gamma --broker-info

# a group that commits to __consumer_offsets (kcat -G, OffsetCommit v2+):
# the offsets come from the group coordinator (OffsetFetch v1), as with
# Kafka 0.8.2's tool
timeout $((60 * mult)) kcat -b "127.0.0.1:$port" -G kgrp -e -q \
    -X auto.offset.reset=earliest -X enable.auto.commit=true \
    -X auto.commit.interval.ms=100 alpha >/dev/null 2>"$tmp/kcat.err" ||
    bail "kcat -G: $(cat "$tmp/kcat.err")"
check "offsets committed to Kafka, from the coordinator" 0 \
"$HDR
$(row kgrp alpha 0 5 5 0 none)
$(row kgrp alpha 1 7 7 0 none)
" "$COC" --zookeeper "$ZK" --group kgrp --topic alpha
assert "... without a warning on stderr" test -z "$err"
run "$zkq" "$ZK" exists /consumers/kgrp
assert "... which are not in ZooKeeper" test "$rc" = 1

# a topic whose partition has no state znode (assigned to a broker that
# never existed: the controller cannot elect a leader)
"$zkq" "$ZK" set /brokers/topics/delta \
    '{"version":2,"partitions":{"0":[7]}}' || bail "zkq set"
sleep 1
run "$zkq" "$ZK" exists /brokers/topics/delta/partitions/0/state
echo "# delta-0 state znode: $([ "$rc" = 0 ] && echo present || echo absent)"
if [ "$rc" = 0 ]; then
    want_delta="Could not parse broker info due to null
"
else
    want_delta="No broker for partition delta - 0
"
fi
check "a partition without a live leader" 0 \
"$HDR
${want_delta}" "$COC" --zookeeper "$ZK" --group $G --topic delta

NONODE='org.apache.zookeeper.KeeperException$NoNodeException'
NOGRP=/consumers/nogroup
check "a group without owners and no --topic: Kafka's NoNode message" 0 \
"Exiting due to: $NONODE: KeeperErrorCode = NoNode for $NOGRP/owners.
" "$COC" --zookeeper "$ZK" --group nogroup

check "kafka-run-class.sh kafka.tools.ConsumerOffsetChecker" 0 \
"$HDR
$(row $G beta 0 -1 7 unknown none)
" "$srcdir/bin/kafka-run-class.sh" kafka.tools.ConsumerOffsetChecker \
    --zookeeper "$ZK" --group $G --topic beta

run "$COC"
assert "no options: Kafka's message and the options, exit 1" \
    test "$rc" = 1 -a "${err%%$'\n'*}" = \
    "Check the offset of your consumers." -a -z "$out"
run "$COC" --zookeeper "$ZK"
assert "no --group: Kafka's message, exit 1" \
    test "$rc" = 1 -a "${err%%$'\n'*}" = \
    'Missing required argument "[group]"'
run "$COC" --zookeeper "$ZK" --group $G --no-such-option
assert "an unknown option: exit 1 naming it" \
    test "$rc" = 1 -a -n "$(printf '%s' "$err" | grep -- --no-such-option)"

echo "1..$n"
[ "$failed" = 0 ]

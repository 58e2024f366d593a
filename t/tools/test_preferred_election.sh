#!/usr/bin/env bash
# test_preferred_election.sh: bin/kafka-preferred-replica-election.sh
# (samsa-preferred-replica-election) against a real ZooKeeper (t/lib/zk.sh)
# and a real broker (src/samsa-server on port 0).  TAP output.
#
# First with ZooKeeper only (no controller, so the request stays): the
# znode Kafka's tool writes, Kafka's messages and exit status for a file
# with unknown partitions, an election already in progress, bad files and
# bad options.  Then a broker starts: its controller processes the pending
# request at failover and deletes the znode (its leaders already are the
# preferred replicas, so nothing moves - leadership moving back is covered
# by t/unit/controller/test_preferred_election.c), and a request made while
# it runs is processed too.  Every wait is bounded.
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
mult=${SAMSA_TEST_TIMEOUT_MULT:-1}
zkq=$top_builddir/t/tools/zkq
server=$top_builddir/src/samsa-server
KPE=$srcdir/bin/kafka-preferred-replica-election.sh
KT=$srcdir/bin/kafka-topics.sh
export SAMSA_BUILD_DIR=$top_builddir

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-pre.XXXXXX") || exit 1
broker_pid=
n=0
failed=0

cleanup() {
    [ -n "$broker_pid" ] && stop_pid "$broker_pid"
    "$srcdir/t/lib/zk.sh" stop "$tmp/zk" >/dev/null 2>&1
    if [ "$failed" != 0 ] && [ -f "$tmp/broker.log" ]; then
        echo "# broker log:"
        sed 's/^/# /' "$tmp/broker.log" | tail -n 100
    fi
    [ "${SAMSA_TEST_LEAVE:-0}" = 1 ] || rm -rf "$tmp"
}
trap cleanup EXIT

. "$srcdir/t/lib/tap.sh"

# check NAME RC EXPECTED_STDOUT EXPECTED_STDERR_LAST_LINE CMD...
check() {
    local name=$1 want_rc=$2 want=$3 want_err=$4
    shift 4
    run "$@"
    if [ "$rc" = "$want_rc" ] && [ "$out" = "$want" ] &&
       [ "${err##*$'\n'}" = "$want_err" ]; then
        ok "$name"
    else
        not_ok "$name" "command: $*" "exit $rc (want $want_rc)" \
            "stdout: $(printf '%q' "$out")" "want:   $(printf '%q' "$want")" \
            "stderr: $err" "want (last line): $want_err"
    fi
}

export SAMSA_ZK_OWNER_PID=$$
zkport=$("$srcdir/t/lib/zk.sh" start "$tmp/zk")
zrc=$?
if [ $zrc = 77 ] && [ "${SAMSA_TEST_REQUIRE_ZK:-0}" = 0 ]; then
    echo "1..0 # SKIP ZooKeeper or Java not installed"
    exit 0
fi
[ $zrc = 0 ] || bail "ZooKeeper did not start"
ZK=127.0.0.1:$zkport/samsa-pre
P=/admin/preferred_replica_election
wait_ms=$((30000 * mult))

DEPR="This tool is deprecated. Please use kafka-leader-election tool. Tracking issue: KAFKA-8405"
WARNZK="Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.
Use --bootstrap-server instead to specify a broker to connect to."
EXC="Caused by: kafka.admin.AdminOperationException:"

# ------------------------------------------------- ZooKeeper only

run "$KT" --zookeeper "$ZK" --create --topic a --replica-assignment 0,0
assert "create topic a (2 partitions on broker 0) without a broker" \
    test "$rc" = 0
run "$KT" --zookeeper "$ZK" --create --topic b --replica-assignment 0
assert "create topic b" test "$rc" = 0

cat > "$tmp/p.json" <<'EOF'
{"partitions": [{"topic": "a", "partition": 1},
                {"topic": "nosuch", "partition": 0},
                {"topic": "a", "partition": 7}]}
EOF
check "file with unknown partitions: skipped, the rest requested" 0 \
"$DEPR
$WARNZK
Created preferred replica election path with a-1
Successfully started preferred replica election for partitions Set(a-1)
Skipping preferred replica leader election for partition a-7 since it doesn't exist.
Skipping preferred replica leader election for partition nosuch-0 since it doesn't exist.
" "" "$KPE" --zookeeper "$ZK" --path-to-json-file "$tmp/p.json"
assert "the znode holds Kafka's JSON" test \
    "$("$zkq" "$ZK" get $P)" = \
    '{"version":1,"partitions":[{"topic":"a","partition":1}]}'
check "a second request while one is pending fails" 1 \
"$DEPR
$WARNZK
" "$EXC Preferred replica leader election currently in progress for a-1. Aborting operation" \
    "$KPE" --zookeeper "$ZK"

echo '{"partitions": []}' > "$tmp/empty.json"
check "an empty file is refused" 1 "$DEPR
" "$EXC Preferred replica election data is empty" \
    "$KPE" --zookeeper "$ZK" --path-to-json-file "$tmp/empty.json"
echo '{"partitions": [{"topic":"a","partition":0},{"topic":"a","partition":0}]}' \
    > "$tmp/dup.json"
check "a duplicate partition is refused" 1 "$DEPR
" "$EXC Preferred replica election data contains duplicate partitions: a-0" \
    "$KPE" --zookeeper "$ZK" --path-to-json-file "$tmp/dup.json"
run "$KPE"
assert "no options: usage, exit 1" test "$rc" = 1 -a -n "$err"
run "$KPE" --zookeeper "$ZK" --bootstrap-server 127.0.0.1:1
assert "both --zookeeper and --bootstrap-server: usage, exit 1" \
    test "$rc" = 1 -a "${err%%$'\n'*}" = \
    "Exactly one of 'bootstrap-server' or 'zookeeper' must be provided"
run "$KPE" --zookeeper "$ZK" --no-such-option
assert "an unknown option: exit 1 naming it" \
    test "$rc" = 1 -a -n "$(printf '%s' "$err" | grep -- --no-such-option)"

# ------------------------------------------------- with a broker

cat > "$tmp/server.properties" <<EOF
broker.id=0
listeners=PLAINTEXT://127.0.0.1:0
log.dirs=$tmp/logs
zookeeper.connect=$ZK
num.partitions=1
offsets.topic.replication.factor=1
EOF
SAMSA_LOG_LEVEL=INFO "$server" "$tmp/server.properties" \
    > "$tmp/broker.log" 2>&1 &
broker_pid=$!
"$zkq" "$ZK" port 0 "$wait_ms" >/dev/null ||
    { failed=1; bail "the broker did not register in ZooKeeper"; }
assert "the controller processes the pending request and deletes it" \
    "$zkq" "$ZK" gone $P "$wait_ms"
assert "the controller logged the partition as not needing an election" \
    grep -q "Preferred replica election not needed for partition a-1" \
    "$tmp/broker.log"
"$zkq" "$ZK" states b "$wait_ms" >/dev/null
check "a request with every partition while the broker runs" 0 \
"$DEPR
$WARNZK
Created preferred replica election path with a-0,a-1,b-0
Successfully started preferred replica election for partitions Set(a-0, a-1, b-0)
" "" "$KPE" --zookeeper "$ZK"
assert "... is processed and deleted" "$zkq" "$ZK" gone $P "$wait_ms"
run "$zkq" "$ZK" states a "$wait_ms"
assert "leaders unchanged (broker 0 is every preferred replica)" \
    test "$out" = $'0 0 0\n1 0 0\n'

echo "1..$n"
[ "$failed" = 0 ]

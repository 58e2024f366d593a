#!/usr/bin/env bash
# test_reassign.sh: bin/kafka-reassign-partitions.sh
# (samsa-reassign-partitions) against a real ZooKeeper (t/lib/zk.sh) and
# three real brokers (ids 1-3, registered so the tool can check broker
# ids).  TAP output.
#
# Covered: --generate (Kafka's two JSON documents; the proposal is
# AdminUtils' assignment over --broker-list), --execute (rollback JSON,
# the /admin/reassign_partitions znode, --throttle written to the topic
# and broker configs with change notifications, a second --execute only
# re-limits), --verify (a move the controller completes through
# replication, with the throttle removed; one that cannot complete since
# its partition is offline), and Kafka's validation messages.
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
mult=${SAMSA_TEST_TIMEOUT_MULT:-1}
zkq=$top_builddir/t/tools/zkq
server=$top_builddir/src/samsa-server
KR=$srcdir/bin/kafka-reassign-partitions.sh
KT=$srcdir/bin/kafka-topics.sh
export SAMSA_BUILD_DIR=$top_builddir

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-reassign.XXXXXX") || exit 1
broker_pids=
n=0
failed=0

cleanup() {
    local p
    for p in $broker_pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $broker_pids; do
        for _ in $(seq 1 100); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    "$srcdir/t/lib/zk.sh" stop "$tmp/zk" >/dev/null 2>&1
    if [ "$failed" != 0 ] && [ -f "$tmp/broker1.log" ]; then
        echo "# broker 1 log:"
        sed 's/^/# /' "$tmp/broker1.log" | tail -n 60
    fi
    [ "${SAMSA_TEST_LEAVE:-0}" = 1 ] || rm -rf "$tmp"
}
trap cleanup EXIT

. "$srcdir/t/lib/tap.sh"

# expect NAME RC STDOUT CMD...
expect() {
    local name=$1 want_rc=$2 want=$3
    shift 3
    run "$@"
    if [ "$rc" = "$want_rc" ] && [ "$out" = "$want" ]; then
        ok "$name"
    else
        not_ok "$name" "command: $*" "exit $rc (want $want_rc)" \
            "stdout: $(printf '%q' "$out")" "want:   $(printf '%q' "$want")" \
            "stderr: $err"
    fi
}

# usage_err NAME FIRST_STDERR_LINE CMD...: exit 1, message on stderr
usage_err() {
    local name=$1 want=$2
    shift 2
    run "$@"
    if [ "$rc" = 1 ] && [ "${err%%$'\n'*}" = "$want" ]; then
        ok "$name"
    else
        not_ok "$name" "exit $rc" "stderr: $err" "want:   $want"
    fi
}

# config_of PATH KEY...: the values of KEYs in an entity config znode
config_of() {
    local path=$1
    shift
    "$zkq" "$ZK" get "$path" | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)["config"]
print(" ".join(str(c.get(k)) for k in sys.argv[1:]))' "$@"
}

export SAMSA_ZK_OWNER_PID=$$
zkport=$("$srcdir/t/lib/zk.sh" start "$tmp/zk")
zrc=$?
if [ $zrc = 77 ] && [ "${SAMSA_TEST_REQUIRE_ZK:-0}" = 0 ]; then
    echo "1..0 # SKIP ZooKeeper or Java not installed"
    exit 0
fi
[ $zrc = 0 ] || bail "ZooKeeper did not start"
ZK=127.0.0.1:$zkport/samsa-reassign
P=/admin/reassign_partitions
wait_ms=$((30000 * mult))

for id in 1 2 3; do
    printf '%s\n' "broker.id=$id" "listeners=PLAINTEXT://127.0.0.1:0" \
        "log.dirs=$tmp/logs$id" "zookeeper.connect=$ZK" \
        "offsets.topic.replication.factor=1" > "$tmp/server$id.properties"
    SAMSA_LOG_LEVEL=INFO "$server" "$tmp/server$id.properties" \
        > "$tmp/broker$id.log" 2>&1 &
    broker_pids="$broker_pids $!"
done
for id in 1 2 3; do
    "$zkq" "$ZK" port $id "$wait_ms" >/dev/null ||
        { failed=1; bail "broker $id did not register in ZooKeeper"; }
done
run "$KT" --zookeeper "$ZK" --create --topic a --replica-assignment 1:2,2:1,1:2
assert "create topic a (replicas 1:2,2:1,1:2)" test "$rc" = 0
"$zkq" "$ZK" states a "$wait_ms" >/dev/null

CUR='{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any","any"]},{"topic":"a","partition":1,"replicas":[2,1],"log_dirs":["any","any"]},{"topic":"a","partition":2,"replicas":[1,2],"log_dirs":["any","any"]}]}'

# ------------------------------------------------- --generate

echo '{"topics": [{"topic": "a"}], "version": 1}' > "$tmp/topics.json"
run "$KR" --zookeeper "$ZK" --generate --topics-to-move-json-file \
    "$tmp/topics.json" --broker-list 2,3
assert "generate: exit 0 with Kafka's headings" test "$rc" = 0 -a \
    "$(printf '%s' "$out" | sed -n 1p)" = \
    "Current partition replica assignment" -a \
    "$(printf '%s' "$out" | sed -n 4p)" = \
    "Proposed partition reassignment configuration"
assert "generate: the current assignment as Kafka's JSON" \
    test "$(printf '%s' "$out" | sed -n 2p)" = "$CUR"
assert "generate: the proposal keeps 3 partitions x 2 replicas on 2 and 3" \
    test "$(printf '%s' "$out" | sed -n 5p | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
ps = d["partitions"]
ok = d["version"] == 1 and sorted(p["partition"] for p in ps) == [0, 1, 2]
ok = ok and all(sorted(p["replicas"]) == [2, 3] and
                p["log_dirs"] == ["any", "any"] for p in ps)
print(ok)')" = True
expect "generate: duplicate brokers refused" 1 \
    $'Partitions reassignment failed due to Broker list contains duplicate entries: 2\n' \
    "$KR" --zookeeper "$ZK" --generate --topics-to-move-json-file \
    "$tmp/topics.json" --broker-list 2,2
expect "generate: too few brokers for the replication factor" 1 \
    $'Partitions reassignment failed due to Replication factor: 2 larger than available brokers: 1.\n' \
    "$KR" --zookeeper "$ZK" --generate --topics-to-move-json-file \
    "$tmp/topics.json" --broker-list 3

# ------------------------------------------------- --execute, --verify

# a-0 [1,2] -> [2,3]: the controller completes it through replication
echo '{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[2,3]}]}' \
    > "$tmp/plan.json"
expect "execute: Kafka's output, exit 0" 0 "Current partition replica assignment

$CUR

Save this to use as the --reassignment-json-file option during rollback
Warning: You must run Verify periodically, until the reassignment completes, to ensure the throttle is removed. You can also alter the throttle by rerunning the Execute command passing a new value.
The inter-broker throttle limit was set to 50000000 B/s
Successfully started reassignment of partitions.
" "$KR" --zookeeper "$ZK" --execute --reassignment-json-file \
    "$tmp/plan.json" --throttle 50000000
assert "execute: topic throttles (leader: old replicas, follower: new)" \
    test "$(config_of /config/topics/a \
            leader.replication.throttled.replicas \
            follower.replication.throttled.replicas)" = "0:1,0:2 0:3"
for id in 1 2 3; do
    assert "execute: broker $id throttle rates" \
        test "$(config_of /config/brokers/$id \
                leader.replication.throttled.rate \
                follower.replication.throttled.rate)" = "50000000 50000000"
done
assert "execute: change notifications were written" \
    test "$("$zkq" "$ZK" children /config/changes | wc -l)" -ge 4
done_out=$'Status of partition reassignment: \nReassignment of partition a-0 completed successfully\nThrottle was removed.\n'
for _ in $(seq 1 $((150 * mult))); do
    run "$KR" --zookeeper "$ZK" --verify --reassignment-json-file \
        "$tmp/plan.json"
    [ "$out" = "$done_out" ] && break
    case $out in
    *"is still in progress"*) sleep 0.2 ;;
    *) break ;;
    esac
done
expect_out() { [ "$rc" = 0 ] && [ "$out" = "$done_out" ]; }
assert "verify: completed (through replication), throttle removed" expect_out
assert "verify: the broker rates are gone" \
    test "$(config_of /config/brokers/1 leader.replication.throttled.rate)" = None
assert "verify: the topic throttles are gone" \
    test "$(config_of /config/topics/a leader.replication.throttled.replicas)" = None
run "$zkq" "$ZK" get /brokers/topics/a
assert "the assignment of a-0 is [2,3]" test \
    "$(printf '%s' "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["partitions"]["0"])')" = "[2, 3]"

# stuck-0 lives on broker 4, which never registered: offline, so its move
# waits for a leader that never comes and the request stays pending
run "$KT" --zookeeper "$ZK" --create --topic stuck --replica-assignment 4
assert "create topic stuck on the absent broker 4" test "$rc" = 0
echo '{"version":1,"partitions":[{"topic":"stuck","partition":0,"replicas":[1,2]}]}' \
    > "$tmp/stuck.json"
run "$KR" --zookeeper "$ZK" --execute --reassignment-json-file \
    "$tmp/stuck.json"
assert "execute stuck: started" test "$rc" = 0 -a \
    "${out##*$'\n'Save this to use as the --reassignment-json-file option during rollback$'\n'}" = \
    $'Successfully started reassignment of partitions.\n'
assert "execute: /admin/reassign_partitions holds the plan" test \
    "$("$zkq" "$ZK" get $P)" = \
    '{"version":1,"partitions":[{"topic":"stuck","partition":0,"replicas":[1,2]}]}'
expect "execute again: only the throttle changes" 0 \
    $'There is an existing assignment running.\nThe inter-broker throttle limit was set to 1000 B/s\n' \
    "$KR" --zookeeper "$ZK" --execute --reassignment-json-file \
    "$tmp/stuck.json" --throttle 1000
assert "execute again: the new rate" \
    test "$(config_of /config/brokers/2 leader.replication.throttled.rate)" = 1000
expect "verify: in progress while the znode is there" 0 \
    $'Status of partition reassignment: \nReassignment of partition stuck-0 is still in progress\n' \
    "$KR" --zookeeper "$ZK" --verify --reassignment-json-file "$tmp/stuck.json"
assert "verify: the throttle stays while in progress" \
    test "$(config_of /config/brokers/1 leader.replication.throttled.rate)" = 1000

# ------------------------------------------------- validation

bad_plan() {
    local name=$1 json=$2 msg=$3
    printf '%s\n' "$json" > "$tmp/bad.json"
    expect "$name" 1 "Partitions reassignment failed due to $msg
" "$KR" --zookeeper "$ZK" --execute --reassignment-json-file "$tmp/bad.json"
}
bad_plan "empty plan" '{"version":1,"partitions":[]}' \
    "Partition reassignment data file is empty"
bad_plan "empty replica list" \
    '{"partitions":[{"topic":"a","partition":0,"replicas":[]}]}' \
    "Partition replica list cannot be empty"
bad_plan "duplicate partition" \
    '{"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}' \
    "Partition reassignment contains duplicate topic partitions: a-0"
bad_plan "duplicate replica" \
    '{"partitions":[{"topic":"a","partition":1,"replicas":[1,1]}]}' \
    "Partition replica lists may not contain duplicate entries: a-1 contains multiple entries for 1"
bad_plan "unknown partition" \
    '{"partitions":[{"topic":"a","partition":9,"replicas":[1]}]}' \
    "The proposed assignment contains non-existent partitions: a-9"
bad_plan "unknown broker" \
    '{"partitions":[{"topic":"a","partition":1,"replicas":[1,7]}]}' \
    "The proposed assignment contains non-existent brokerIDs: 7"
bad_plan "not JSON" 'nope' "The input string is not a valid JSON"
bad_plan "log dirs need --bootstrap-server" \
    '{"partitions":[{"topic":"a","partition":1,"replicas":[1],"log_dirs":["/x"]}]}' \
    "bootstrap-server needs to be provided in order to reassign replica to the specified log directory"
usage_err "two actions: usage error" \
    "Command must include exactly one action: --generate, --execute or --verify" \
    "$KR" --zookeeper "$ZK" --generate --execute
usage_err "verify without a file: usage error" \
    "If --verify option is used, command must include --reassignment-json-file that was used during the --execute option" \
    "$KR" --zookeeper "$ZK" --verify
usage_err "verify with --throttle: usage error" \
    "Option \"[verify]\" can't be used with option \"[throttle]\"" \
    "$KR" --zookeeper "$ZK" --verify --reassignment-json-file \
    "$tmp/plan.json" --throttle 5
usage_err "no --zookeeper: usage error" \
    "Missing required argument \"[zookeeper]\"" \
    "$KR" --verify --reassignment-json-file "$tmp/plan.json"

echo "1..$n"
[ "$failed" = 0 ]

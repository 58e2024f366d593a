#!/usr/bin/env bash
# test_topics.sh: bin/kafka-topics.sh (samsa-topics) against a real
# ZooKeeper (t/lib/zk.sh) and a real broker (src/samsa-server on port 0),
# in both modes: --zookeeper (the tool writes znodes, samsa's controller
# acts on them) and --bootstrap-server (the admin client).  TAP output.
#
# Each case runs the script and compares stdout byte for byte and the exit
# status with Kafka 2.8's; stderr is only checked where Kafka's message
# goes there (usage errors, uncaught exceptions).  Describe output is
# compared with what the partition state znodes say (t/tools/zkq).
#
# The broker is ready when /brokers/ids/0 exists (its port is read from
# there); every wait is a bounded poll.  On failure the broker's log is
# printed.  Knobs: SAMSA_TEST_LEAVE=1 keeps the temp dir and leaves the
# processes' logs; SAMSA_TEST_CATLOG=1 prints the broker log at the end;
# SAMSA_TEST_TIMEOUT_MULT scales the waits; SAMSA_TEST_REQUIRE_ZK=1 turns
# a missing ZooKeeper into a failure instead of a skip.
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
mult=${SAMSA_TEST_TIMEOUT_MULT:-1}
zkq=$top_builddir/t/tools/zkq
server=$top_builddir/src/samsa-server
KT=$srcdir/bin/kafka-topics.sh
export SAMSA_BUILD_DIR=$top_builddir

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-topics.XXXXXX") || exit 1
broker_pid=
n=0
failed=0

cleanup() {
    [ -n "$broker_pid" ] && stop_pid "$broker_pid"
    "$srcdir/t/lib/zk.sh" stop "$tmp/zk" >/dev/null 2>&1
    if [ "${SAMSA_TEST_CATLOG:-0}" = 1 ] ||
       { [ "$failed" != 0 ] && [ -f "$tmp/broker.log" ]; }; then
        echo "# broker log:"
        sed 's/^/# /' "$tmp/broker.log" | tail -n 200
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
            "stdout: $(printf '%q' "$out")" "want:   $(printf '%q' "$want")" \
            "stderr: $err"
    fi
}

# check_err NAME STDERR_FIRST_LINE CMD...: exit 1, no stdout
check_err() {
    local name=$1 want=$2
    shift 2
    run "$@"
    if [ "$rc" = 1 ] && [ -z "$out" ] && [ "${err%%$'\n'*}" = "$want" ]; then
        ok "$name"
    else
        not_ok "$name" "command: $*" "exit $rc" "stdout: $out" \
            "stderr: $err" "want:   $want"
    fi
}

# ------------------------------------------------------------ start-up

export SAMSA_ZK_OWNER_PID=$$
zkport=$("$srcdir/t/lib/zk.sh" start "$tmp/zk")
zrc=$?
if [ $zrc = 77 ] && [ "${SAMSA_TEST_REQUIRE_ZK:-0}" = 0 ]; then
    echo "1..0 # SKIP ZooKeeper or Java not installed"
    exit 0
fi
[ $zrc = 0 ] || bail "ZooKeeper did not start"
ZK=127.0.0.1:$zkport/samsa-topics

cat > "$tmp/server.properties" <<EOF
broker.id=0
listeners=PLAINTEXT://127.0.0.1:0
log.dirs=$tmp/logs
zookeeper.connect=$ZK
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
EOF
SAMSA_LOG_LEVEL=INFO "$server" "$tmp/server.properties" \
    > "$tmp/broker.log" 2>&1 &
broker_pid=$!
bport=$("$zkq" "$ZK" port 0 $((30000 * mult))) ||
    { failed=1; bail "the broker did not register in ZooKeeper"; }
BS=127.0.0.1:$bport
cat > "$tmp/client.properties" <<EOF
# samsa-topics reads Kafka admin client properties
default.api.timeout.ms=$((20000 * mult))
request.timeout.ms=$((15000 * mult))
client.id=test-topics
some.unknown.key=ignored
EOF
Z=("$KT" --zookeeper "$ZK")
B=("$KT" --bootstrap-server "$BS" --command-config "$tmp/client.properties")
wait_ms=$((30000 * mult))

# The describe lines of TOPIC as its state znodes say (rf 1, broker 0).
partition_lines() {
    "$zkq" "$ZK" states "$1" "$wait_ms" | while read -r p leader isr; do
        [ "$leader" = -1 ] && leader=none
        printf '\tTopic: %s\tPartition: %s\tLeader: %s\tReplicas: 0\tIsr: %s\n' \
            "$1" "$p" "$leader" "$isr"
    done
}

# json_get PATH EXPR: evaluate a Python expression over the znode's JSON
json_get() {
    "$zkq" "$ZK" get "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}

# poll_list NAME TOPIC MODE...: wait until TOPIC is gone from --list
poll_gone() {
    local name=$1 topic=$2 i
    shift 2
    for i in $(seq 1 $((300 * mult))); do
        run "$@" --list
        if [ "$rc" = 0 ] && ! printf '%s' "$out" | grep -qx "$topic"; then
            ok "$name"
            return
        fi
        sleep 0.1
    done
    not_ok "$name" "$topic still listed: $out"
}

# all_gone PATH...: wait (bounded) until every znode is gone
all_gone() {
    local p
    for p in "$@"; do
        "$zkq" "$ZK" gone "$p" "$wait_ms" || return 1
    done
}

WARN_COLLIDE="WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both."
WARN_PARTS="WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected"
WARN_CFG="WARNING: Altering topic configuration from this script has been deprecated and may be removed in future releases.
         Going forward, please use kafka-configs.sh for this functionality"
E="Error while executing topic command :"

# ------------------------------------------------------------ --zookeeper

check "zk: create demo, 3 partitions" 0 $'Created topic demo.\n' \
    "${Z[@]}" --create --topic demo --partitions 3 --replication-factor 1
assert "zk: /brokers/topics/demo holds 3 partitions on broker 0" \
    test "$(json_get /brokers/topics/demo 'sorted(d["partitions"].items())')" = \
    "[('0', [0]), ('1', [0]), ('2', [0])]"
lines=$(partition_lines demo)
assert "zk: the controller elected leader 0 for every partition" \
    test "$(printf '%s\n' "$lines" | grep -c $'Leader: 0\tReplicas: 0\tIsr: 0$')" = 3
check "zk: describe demo matches the state znodes" 0 \
    "Topic: demo	PartitionCount: 3	ReplicationFactor: 1	Configs: 
$lines
" "${Z[@]}" --describe --topic demo
check "zk: create with --replica-assignment and --config" 0 \
    $'Created topic ra.\n' "${Z[@]}" --create --topic ra \
    --replica-assignment 0,0 --config retention.ms=1000 \
    --config cleanup.policy=compact
assert "zk: ra's assignment znode" \
    test "$(json_get /brokers/topics/ra 'sorted(d["partitions"].items())')" = \
    "[('0', [0]), ('1', [0])]"
assert "zk: ra's config znode" \
    test "$(json_get /config/topics/ra 'sorted(d["config"].items())')" = \
    "[('cleanup.policy', 'compact'), ('retention.ms', '1000')]"
check "zk: create an existing topic" 1 \
    "$E Topic 'demo' already exists.
" "${Z[@]}" --create --topic demo --partitions 1 --replication-factor 1
check "zk: --if-not-exists on an existing topic" 0 "" \
    "${Z[@]}" --create --topic demo --partitions 1 --replication-factor 1 \
    --if-not-exists
check "zk: create an internal topic (collision warning first)" 0 \
    "$WARN_COLLIDE
Created topic __consumer_offsets.
" "${Z[@]}" --create --topic __consumer_offsets --partitions 1 \
    --replication-factor 1
check "zk: list" 0 $'__consumer_offsets\ndemo\nra\n' "${Z[@]}" --list
check "zk: list --exclude-internal" 0 $'demo\nra\n' \
    "${Z[@]}" --list --exclude-internal
check "zk: list with a regex" 0 $'demo\nra\n' "${Z[@]}" --list \
    --topic 'd.*|r.'
lines=$(partition_lines ra)
check "zk: describe ra (configs in Kafka's order)" 0 \
    "Topic: ra	PartitionCount: 2	ReplicationFactor: 1	Configs: cleanup.policy=compact,retention.ms=1000
$lines
" "${Z[@]}" --describe --topic ra
check "zk: describe --topics-with-overrides" 0 \
    $'Topic: ra\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=1000\n' \
    "${Z[@]}" --describe --topics-with-overrides
check "zk: alter --partitions" 0 "$WARN_PARTS
Adding partitions succeeded!
" "${Z[@]}" --alter --topic demo --partitions 5
assert "zk: the new partitions got leaders" \
    test "$("$zkq" "$ZK" states demo "$wait_ms" | wc -l)" = 5
check "zk: alter to fewer partitions" 1 "$WARN_PARTS
$E The number of partitions for a topic can only be increased. Topic demo currently has 5 partitions, 2 would not be an increase.
" "${Z[@]}" --alter --topic demo --partitions 2
check "zk: alter --config" 0 "$WARN_CFG
Updated config for topic demo.
" "${Z[@]}" --alter --topic demo --config retention.ms=2000
assert "zk: demo's config znode and a change notification" \
    test "$(json_get /config/topics/demo 'd["config"]')" = \
    "{'retention.ms': '2000'}" -a \
    -n "$("$zkq" "$ZK" children /config/changes)"
check "zk: alter --delete-config" 0 "$WARN_CFG
Updated config for topic demo.
" "${Z[@]}" --alter --topic demo --delete-config retention.ms
assert "zk: demo's config is empty again" \
    test "$(json_get /config/topics/demo 'd["config"]')" = "{}"
check "zk: create on a broker that does not exist" 0 \
    $'Created topic off.\n' "${Z[@]}" --create --topic off \
    --replica-assignment 5
check "zk: describe --unavailable-partitions" 0 \
    $'\tTopic: off\tPartition: 0\tLeader: none\tReplicas: 5\tIsr: \n' \
    "${Z[@]}" --describe --unavailable-partitions
check "zk: describe --under-replicated-partitions" 0 \
    $'\tTopic: off\tPartition: 0\tLeader: none\tReplicas: 5\tIsr: \n' \
    "${Z[@]}" --describe --under-replicated-partitions --topic 'off|demo'
check "zk: describe a missing topic" 1 \
    "$E Topic 'nope' does not exist as expected
" "${Z[@]}" --describe --topic nope
check "zk: describe a missing topic --if-exists" 0 "" \
    "${Z[@]}" --describe --topic nope --if-exists
check "zk: delete" 0 "Topic ra is marked for deletion.
Note: This will have no impact if delete.topic.enable is not set to true.
" "${Z[@]}" --delete --topic ra
poll_gone "zk: the controller deleted ra" ra "${Z[@]}"
# the controller removes the assignment (what --list reads) first, the
# config and the deletion marker after it
assert "zk: ra's znodes are gone" all_gone /brokers/topics/ra \
    /config/topics/ra /admin/delete_topics/ra
check "zk: delete an internal topic" 1 \
    "$E Topic __consumer_offsets is a kafka internal topic and is not allowed to be marked for deletion.
" "${Z[@]}" --delete --topic __consumer_offsets
check "zk: an illegal name" 1 \
    "$E Topic name \"bad name\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'
" "${Z[@]}" --create --topic 'bad name' --partitions 1 \
    --replication-factor 1
check "zk: replication factor above the brokers" 1 \
    "$E Replication factor: 2 larger than available brokers: 1.
" "${Z[@]}" --create --topic x --partitions 1 --replication-factor 2

# ------------------------------------------------------------ --bootstrap-server

check "bs: create b1" 0 $'Created topic b1.\n' \
    "${B[@]}" --create --topic b1 --partitions 2 --replication-factor 1
check "bs: create b0 with the broker's defaults" 0 $'Created topic b0.\n' \
    "${B[@]}" --create --topic b0
check "bs: create with --replica-assignment and --config" 0 \
    $'Created topic b2.\n' "${B[@]}" --create --topic b2 \
    --replica-assignment 0,0,0 --config cleanup.policy=compact
assert "bs: b2's znodes" \
    test "$(json_get /brokers/topics/b2 'len(d["partitions"])')$(json_get /config/topics/b2 'd["config"]')" = \
    "3{'cleanup.policy': 'compact'}"
check "bs: create an existing topic" 1 "$E Topic 'b1' already exists.
" "${B[@]}" --create --topic b1 --partitions 2
check "bs: --if-not-exists on an existing topic" 0 "" \
    "${B[@]}" --create --topic b1 --partitions 2 --if-not-exists
# "off" never came online (its only replica, broker 5, does not exist), so
# no broker's metadata cache holds it - as in Kafka, only --zookeeper
# lists it
check "bs: list" 0 $'__consumer_offsets\nb0\nb1\nb2\ndemo\n' \
    "${B[@]}" --list
check "bs: list --exclude-internal" 0 $'b0\nb1\nb2\ndemo\n' \
    "${B[@]}" --list --exclude-internal
check "bs: list of nothing prints an empty line" 0 $'\n' \
    "${B[@]}" --list --topic 'zz.*'
lines=$(partition_lines b1)
check "bs: describe b1 matches the state znodes" 0 \
    "Topic: b1	PartitionCount: 2	ReplicationFactor: 1	Configs: 
$lines
" "${B[@]}" --describe --topic b1
run "${Z[@]}" --describe --topic b2
zk_b2=$out
check "bs: describe b2 reads as --zookeeper's" 0 "$zk_b2" \
    "${B[@]}" --describe --topic b2
run "${B[@]}" --describe --topic 'b[0-2]'
assert "bs: describe several topics in Kafka's (HashMap) order" \
    test "$(printf '%s' "$out" | grep '^Topic:' | cut -f1 | tr '\n' ' ')" = \
    "Topic: b2 Topic: b0 Topic: b1 "
check "bs: alter --partitions (silent, as Kafka)" 0 "" \
    "${B[@]}" --alter --topic b1 --partitions 4
assert "bs: b1 has 4 partitions with leaders" \
    test "$("$zkq" "$ZK" states b1 "$wait_ms" | wc -l)" = 4
check "bs: alter to fewer partitions" 1 \
    "$E Topic currently has 4 partitions, which is higher than the requested 3.
" "${B[@]}" --alter --topic b1 --partitions 3
check "bs: alter with --replica-assignment" 0 "" \
    "${B[@]}" --alter --topic b0 --partitions 2 --replica-assignment 0,0
assert "bs: b0's assignment grew" \
    test "$(json_get /brokers/topics/b0 'sorted(d["partitions"].items())')" = \
    "[('0', [0]), ('1', [0])]"
check "bs: replication factor above the brokers" 1 \
    "$E Replication factor: 3 larger than available brokers: 1.
" "${B[@]}" --create --topic x --partitions 1 --replication-factor 3
check "bs: partitions 0" 1 "$E The partitions must be greater than 0
" "${B[@]}" --create --topic x --partitions 0
check "bs: unknown config" 1 "$E Unknown topic config name: foo
" "${B[@]}" --create --topic x --config foo=bar
check "bs: min.insync.replicas=2 topic" 0 $'Created topic mi.\n' \
    "${B[@]}" --create --topic mi --partitions 1 --replication-factor 1 \
    --config min.insync.replicas=2
"$zkq" "$ZK" states mi "$wait_ms" >/dev/null
check "bs: describe --under-min-isr-partitions" 0 \
    $'\tTopic: mi\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\n' \
    "${B[@]}" --describe --under-min-isr-partitions --topic 'mi|b1'
lines=$(partition_lines b0)
check "bs: describe --at-min-isr-partitions" 0 "$lines
" "${B[@]}" --describe --at-min-isr-partitions --topic 'mi|b0'
check "bs: delete (silent, as Kafka)" 0 "" "${B[@]}" --delete --topic b2
poll_gone "bs: b2 is gone" b2 "${B[@]}"
# the brokers forget a topic when its deletion starts; its znodes go at
# the end
assert "bs: b2's znodes are gone" all_gone /brokers/topics/b2 \
    /config/topics/b2 /admin/delete_topics/b2
check "bs: delete a missing topic" 1 \
    "$E Topic 'nope' does not exist as expected
" "${B[@]}" --delete --topic nope
check "bs: describe a missing topic --if-exists" 0 "" \
    "${B[@]}" --describe --topic nope --if-exists
printf 'default.api.timeout.ms=%d\n' $((1500 * mult)) > "$tmp/short.properties"
check "bs: no broker reachable" 1 \
    "$E Timed out waiting for a node assignment. Call: listTopics
" "$KT" --bootstrap-server "127.0.0.1:1" --command-config \
    "$tmp/short.properties" --list

# ------------------------------------------------------------ command line

check_err "usage: no action" \
    "Command must include exactly one action: --list, --describe, --create, --alter or --delete" \
    "${Z[@]}"
check_err "usage: both connections" \
    'Exception in thread "main" java.lang.IllegalArgumentException: Only one of --bootstrap-server or --zookeeper must be specified' \
    "${B[@]}" --list --zookeeper "$ZK"
check_err "usage: --create without --topic" \
    'Missing required argument "[topic]"' "${Z[@]}" --create
check_err "usage: --zookeeper create without counts" \
    'Missing required argument "[partitions]"' "${Z[@]}" --create --topic t
check_err "usage: --under-min-isr-partitions with --zookeeper" \
    'Option "[under-min-isr-partitions]" can'"'"'t be used with option "[zookeeper]"' \
    "${Z[@]}" --describe --under-min-isr-partitions
check_err "usage: --config with --alter and --bootstrap-server" \
    'Option combination "[bootstrap-server],[config]" can'"'"'t be used with option "[alter]" (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)' \
    "${B[@]}" --alter --topic b1 --config retention.ms=1
check_err "usage: --help" \
    "This tool helps to create, delete, describe, or change a topic." \
    "$KT" --help
check "kafka-run-class.sh kafka.admin.TopicCommand" 0 \
    $'__consumer_offsets\nb0\nb1\ndemo\nmi\noff\n' \
    "$srcdir/bin/kafka-run-class.sh" kafka.admin.TopicCommand \
    --zookeeper "$ZK" --list

echo "1..$n"
[ "$failed" = 0 ]

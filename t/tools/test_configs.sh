#!/usr/bin/env bash
# test_configs.sh: bin/kafka-configs.sh (samsa-configs) against a real
# ZooKeeper (t/lib/zk.sh) and a real broker (src/samsa-server on port 0):
# the tool writes /config/<type>/<name> and a change notification, and the
# running broker applies it without a restart (server/dynamic_config.c).
# TAP output.
#
# Checked: stdout byte for byte and exit status as Kafka 2.8's
# ConfigCommand --zookeeper prints them; the znodes the tool writes; that
# a topic's segment.bytes and retention.ms take effect on the live log
# (segments roll, then old ones are deleted); that --delete-config
# reverts; that DescribeConfigs (confluent-kafka AdminClient) reports the
# values and their sources (DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG,
# DYNAMIC_DEFAULT_BROKER_CONFIG, DEFAULT_CONFIG) including a live
# offsets.storage switch; and that bad input is refused with Kafka's
# messages.  Knobs as in test_topics.sh: SAMSA_TEST_LEAVE,
# SAMSA_TEST_CATLOG, SAMSA_TEST_TIMEOUT_MULT, SAMSA_TEST_REQUIRE_ZK.
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
mult=${SAMSA_TEST_TIMEOUT_MULT:-1}
zkq=$top_builddir/t/tools/zkq
server=$top_builddir/src/samsa-server
KC=$srcdir/bin/kafka-configs.sh
KT=$srcdir/bin/kafka-topics.sh
PYC=(/usr/bin/python3 "$srcdir/t/tools/configs_client.py")
export SAMSA_BUILD_DIR=$top_builddir

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-configs.XXXXXX") || exit 1
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

# check_err NAME STDOUT STDERR CMD...: exit 1, exact stdout and stderr
check_err() {
    local name=$1 want_out=${2:+$2$'\n'} want=$3
    shift 3
    run "$@"
    if [ "$rc" = 1 ] && [ "$out" = "$want_out" ] && [ "$err" = "$want" ]; then
        ok "$name"
    else
        not_ok "$name" "command: $*" "exit $rc" "stdout: $out" \
            "stderr: $err" "want:   $want"
    fi
}

# poll NAME WANT CMD...: run CMD until its stdout is WANT (bounded)
poll() {
    local name=$1 want=$2 i
    shift 2
    for i in $(seq 1 $((100 * mult))); do
        run "$@"
        if [ "$rc" = 0 ] && [ "$out" = "$want"$'\n' ]; then
            ok "$name"
            return
        fi
        sleep 0.2
    done
    not_ok "$name" "command: $*" "last stdout: $out" "want: $want" \
        "stderr: $err"
}

# ------------------------------------------------------------ start-up

if ! /usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null; then
    echo "1..0 # SKIP /usr/bin/python3 has no confluent_kafka"
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
ZK=127.0.0.1:$zkport/samsa-configs

cat > "$tmp/server.properties" <<EOF2
broker.id=0
listeners=PLAINTEXT://127.0.0.1:0
log.dirs=$tmp/logs
zookeeper.connect=$ZK
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
log.retention.check.interval.ms=500
log.segment.delete.delay.ms=0
EOF2
SAMSA_LOG_LEVEL=INFO "$server" "$tmp/server.properties" \
    > "$tmp/broker.log" 2>&1 &
broker_pid=$!
bport=$("$zkq" "$ZK" port 0 $((30000 * mult))) ||
    { failed=1; bail "the broker did not register in ZooKeeper"; }
BS=127.0.0.1:$bport
Z=("$KC" --zookeeper "$ZK")
W="Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.
Use --bootstrap-server instead to specify a broker to connect to."
wait_ms=$((30000 * mult))

json_get() {
    "$zkq" "$ZK" get "$1" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}

segments() { ls "$tmp/logs/$1-0" | grep -c '\.log$'; }

"$KT" --zookeeper "$ZK" --create --topic cfg --partitions 1 \
    --replication-factor 1 >/dev/null 2>&1 ||
    bail "kafka-topics.sh could not create topic cfg"
"$zkq" "$ZK" states cfg "$wait_ms" >/dev/null || bail "no leader for cfg"

# ------------------------------------------------------------ topics

check "describe a topic without overrides" 0 "$W
Configs for topic 'cfg' are 
" "${Z[@]}" --entity-type topics --entity-name cfg --describe
"${PYC[@]}" "$BS" produce cfg 5 100 || not_ok "produce 5 messages"
assert "one segment with the default segment.bytes" test "$(segments cfg)" = 1

check "alter segment.bytes and cleanup.policy with brackets" 0 "$W
Completed updating config for entity: topic 'cfg'.
" "${Z[@]}" --entity-type topics --entity-name cfg --alter \
    --add-config 'segment.bytes=1000,cleanup.policy=[delete]'
assert "/config/topics/cfg holds the whole map" test \
    "$(json_get /config/topics/cfg 'sorted(d["config"].items()), d["version"]')" = \
    "[('cleanup.policy', 'delete'), ('segment.bytes', '1000')] 1"
last=$("$zkq" "$ZK" children /config/changes | tail -n 1)
assert "a v2 change notification names topics/cfg" test \
    "$(json_get "/config/changes/$last" 'd["version"], d["entity_path"]')" = \
    "2 topics/cfg"
order=$("${PYC[@]}" java-order segment.bytes cleanup.policy | tr ' ' '\n')
want=$(for k in $order; do
           case $k in segment.bytes) echo "$k=1000";; *) echo "$k=delete";;
           esac; done | paste -sd,)
raw=$(for k in $order; do
          case $k in segment.bytes) printf '"%s":"1000"\n' "$k";;
                     *) printf '"%s":"delete"\n' "$k";; esac; done | paste -sd,)
assert "the entity znode is Kafka's bytes (keys in Java's order)" test \
    "$("$zkq" "$ZK" get /config/topics/cfg)" = \
    "{\"version\":1,\"config\":{$raw}}"
assert "the notification is Kafka's bytes" test \
    "$("$zkq" "$ZK" get "/config/changes/$last")" = \
    '{"version":2,"entity_path":"topics/cfg"}'
check "describe lists the overrides in Java's order" 0 "$W
Configs for topic 'cfg' are $want
" "${Z[@]}" --entity-type topics --entity-name cfg --describe
poll "DescribeConfigs: segment.bytes is DYNAMIC_TOPIC_CONFIG" \
    "1000 DYNAMIC_TOPIC_CONFIG" \
    "${PYC[@]}" "$BS" describe topic cfg segment.bytes
# the broker applied it to the live log: every 300-byte batch rolls
"${PYC[@]}" "$BS" produce cfg 6 300 || not_ok "produce 6 messages"
assert "segments roll at the new segment.bytes without a restart" \
    test "$(segments cfg)" -ge 3

check "alter retention.ms" 0 "$W
Completed updating config for entity: topic 'cfg'.
" "${Z[@]}" --entity-type topics --entity-name cfg --alter \
    --add-config retention.ms=1000
gone=0
for _ in $(seq 1 $((150 * mult))); do
    [ "$(segments cfg)" = 1 ] && { gone=1; break; }
    sleep 0.2
done
assert "retention.ms=1000 deletes the old segments live" test "$gone" = 1

check "--delete-config reverts" 0 "$W
Completed updating config for entity: topic 'cfg'.
" "${Z[@]}" --entity-type topics --entity-name cfg --alter \
    --delete-config retention.ms,segment.bytes,cleanup.policy
check "describe after --delete-config" 0 "$W
Configs for topic 'cfg' are 
" "${Z[@]}" --entity-type topics --entity-name cfg --describe
poll "DescribeConfigs: segment.bytes back to DEFAULT_CONFIG" \
    "1073741824 DEFAULT_CONFIG" \
    "${PYC[@]}" "$BS" describe topic cfg segment.bytes

# min.insync.replicas and max.message.bytes reach the Produce path live
check "alter min.insync.replicas above the replication factor" 0 "$W
Completed updating config for entity: topic 'cfg'.
" "${Z[@]}" --entity-type topics --entity-name cfg --alter \
    --add-config min.insync.replicas=2
poll "acks=all is refused with NOT_ENOUGH_REPLICAS" "NOT_ENOUGH_REPLICAS" \
    "${PYC[@]}" "$BS" produce-one cfg 10
check "alter max.message.bytes, delete min.insync.replicas" 0 "$W
Completed updating config for entity: topic 'cfg'.
" "${Z[@]}" --entity-type topics --entity-name cfg --alter \
    --add-config max.message.bytes=2000 --delete-config min.insync.replicas
poll "a batch over max.message.bytes is MSG_SIZE_TOO_LARGE" \
    "MSG_SIZE_TOO_LARGE" "${PYC[@]}" "$BS" produce-one cfg 3000
poll "a small one is accepted again" "ok" \
    "${PYC[@]}" "$BS" produce-one cfg 10
"${Z[@]}" --entity-type topics --entity-name cfg --alter \
    --delete-config max.message.bytes >/dev/null 2>&1

check_err "--delete-config of a key not set" "$W" "Invalid config(s): nope" \
    "${Z[@]}" --entity-type topics --entity-name cfg --alter \
    --delete-config nope
args="--zookeeper $ZK --entity-type topics --entity-name nope --alter --add-config retention.ms=1"
check_err "an unknown topic" "$W" "Error while executing config command with args '$args'
org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic 'nope' does not exist." \
    "$KC" $args
args="--zookeeper $ZK --entity-type topics --entity-name cfg --alter --add-config retention.ms=abc"
check_err "a bad topic value" "$W" "Error while executing config command with args '$args'
org.apache.kafka.common.config.ConfigException: Invalid value abc for configuration retention.ms: Not a number of type LONG" \
    "$KC" $args
check_err "a malformed --add-config" "$W" \
    "requirement failed: Invalid entity config: all configs to be added must be in the format \"key=val\"." \
    "${Z[@]}" --entity-type topics --entity-name cfg --alter --add-config a
assert "nothing was written by the failed commands" test \
    "$(json_get /config/topics/cfg 'd["config"]')" = "{}"

# --add-config trims around '=' and ','; --add-config-file; --topic
check "spaces around = and , are dropped" 0 "$W
Completed updating config for entity: topic 'cfg'.
" "${Z[@]}" --entity-type topics --entity-name cfg --alter \
    --add-config ' retention.ms = 5000 , segment.ms=60000'
assert "the trimmed keys and values were stored" test \
    "$(json_get /config/topics/cfg 'sorted(d["config"].items())')" = \
    "[('retention.ms', '5000'), ('segment.ms', '60000')]"
printf 'retention.bytes=1000000\n' > "$tmp/add.properties"
check "--add-config-file" 0 "$W
Completed updating config for entity: topic 'cfg'.
" "${Z[@]}" --entity-type topics --entity-name cfg --alter \
    --add-config-file "$tmp/add.properties" --delete-config retention.ms \
    --delete-config segment.ms
check "--topic is --entity-type topics --entity-name" 0 "$W
Configs for topic 'cfg' are retention.bytes=1000000
" "${Z[@]}" --topic cfg --describe
poll "DescribeConfigs: retention.bytes is DYNAMIC_TOPIC_CONFIG" \
    "1000000 DYNAMIC_TOPIC_CONFIG" \
    "${PYC[@]}" "$BS" describe topic cfg retention.bytes
check "describe every topic with a config znode" 0 "$W
Configs for topic 'cfg' are retention.bytes=1000000
" "${Z[@]}" --entity-type topics --describe
check "client quotas are stored" 0 "$W
Completed updating config for entity: client-id 'app'.
" "${Z[@]}" --entity-type clients --entity-name app --alter \
    --add-config producer_byte_rate=1024
check_err "an unknown client key" "$W" \
    "requirement failed: Unknown Dynamic Configuration: Set(foo)." \
    "${Z[@]}" --entity-type clients --entity-name app --alter \
    --add-config foo=1

# ------------------------------------------------------------ brokers

poll "DescribeConfigs: offsets.storage is DEFAULT_CONFIG" "kafka DEFAULT_CONFIG" \
    "${PYC[@]}" "$BS" describe broker 0 offsets.storage
check "alter the cluster default offsets.storage" 0 "$W
Completed updating config for entity: default brokers.
" "${Z[@]}" --entity-type brokers --entity-default --alter \
    --add-config offsets.storage=zookeeper
poll "offsets.storage switched live (DYNAMIC_DEFAULT_BROKER_CONFIG)" \
    "zookeeper DYNAMIC_DEFAULT_BROKER_CONFIG" \
    "${PYC[@]}" "$BS" describe broker 0 offsets.storage
check "describe the cluster default" 0 "$W
Configs for default brokers are offsets.storage=zookeeper
" "${Z[@]}" --entity-type brokers --entity-default --describe
check "alter broker 0's log.retention.ms" 0 "$W
Completed updating config for entity: brokers '0'.
" "${Z[@]}" --entity-type brokers --entity-name 0 --alter \
    --add-config log.retention.ms=86400000
poll "DescribeConfigs: log.retention.ms is DYNAMIC_BROKER_CONFIG" \
    "86400000 DYNAMIC_BROKER_CONFIG" \
    "${PYC[@]}" "$BS" describe broker 0 log.retention.ms
check "describe every broker entity" 0 "$W
Configs for brokers '0' are log.retention.ms=86400000
Configs for default brokers are offsets.storage=zookeeper
" "${Z[@]}" --entity-type brokers --describe
args="--zookeeper $ZK --entity-type brokers --entity-default --alter --add-config offsets.storage=disk"
check_err "a bad offsets.storage is refused" "$W" "Error while executing config command with args '$args'
org.apache.kafka.common.config.ConfigException: Invalid value disk for configuration offsets.storage: String must be one of: kafka, zookeeper, dual" \
    "$KC" $args
args="--zookeeper $ZK --entity-type brokers --entity-name 0 --alter --add-config broker.id=3"
check_err "a read-only broker key is refused" "$W" "Error while executing config command with args '$args'
org.apache.kafka.common.config.ConfigException: Cannot update these configs dynamically: Set(broker.id)" \
    "$KC" $args
check "--delete-config of the default reverts" 0 "$W
Completed updating config for entity: default brokers.
" "${Z[@]}" --entity-type brokers --entity-default --alter \
    --delete-config offsets.storage
poll "offsets.storage back to DEFAULT_CONFIG" "kafka DEFAULT_CONFIG" \
    "${PYC[@]}" "$BS" describe broker 0 offsets.storage

# ------------------------------------------------------------ arguments

run "$KC" --zookeeper "$ZK" --entity-type topics
assert "no action: usage on stderr, exit 1" test "$rc" = 1 -a -z "$out" -a \
    "${err%%$'\n'*}" = "Command must include exactly one action: --describe, --alter"
check_err "an unknown entity type" "" \
    "Invalid entity type foo, the entity type must be one of topics,clients,users,brokers,ips with the --zookeeper argument" \
    "${Z[@]}" --entity-type foo --describe
check_err "a broker name that is not an id" "" \
    "The entity name for brokers must be a valid integer broker id, but it is: abc" \
    "${Z[@]}" --entity-type brokers --entity-name abc --describe
check_err "--alter of topics needs a name" "" \
    "an entity name must be specified with --alter of topics" \
    "${Z[@]}" --entity-type topics --alter --add-config a=b
check_err "--alter needs something to change" "" \
    "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter" \
    "${Z[@]}" --entity-type topics --entity-name cfg --alter
check_err "neither --zookeeper nor --bootstrap-server" "" \
    "One of the required --bootstrap-server or --zookeeper arguments must be specified" \
    "$KC" --entity-type topics --describe

check_err "a duplicate entity type" "" \
    "Duplicate entity type(s) specified: topics" \
    "${Z[@]}" --entity-type topics --entity-type topics --describe
check_err "generic and specific entity options" "" \
    "--entity-{type,name,default} should not be used in conjunction with specific entity flags" \
    "${Z[@]}" --entity-name cfg --topic cfg --describe
check_err "two types other than users and clients" "" \
    "Only 'users' and 'clients' entity types may be specified together" \
    "${Z[@]}" --entity-type topics --entity-type brokers --describe
check_err "--all needs --bootstrap-server" "" \
    "--bootstrap-server must be specified for --all" \
    "${Z[@]}" --entity-type topics --describe --all
check_err "--bootstrap-server is refused" "" \
    "samsa-configs: --bootstrap-server is not supported yet (samsa serves no AlterConfigs); use --zookeeper" \
    "$KC" --bootstrap-server "$BS" --entity-type topics --describe
check_err "an unknown option" "" "nope is not a recognized option" \
    "${Z[@]}" --nope

echo "1..$n"
[ "$failed" = 0 ]

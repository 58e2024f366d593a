#!/usr/bin/env bash
# test_leader_election.sh: bin/kafka-leader-election.sh (samsa-leader-
# election, ElectLeaders through libsamsa) against a real ZooKeeper
# (t/lib/zk.sh) and three real brokers (src/samsa-server on port 0, no
# controlled shutdown, so a stopped broker's leadership moves at once).
# TAP output.
#
#   1. option checks with Kafka's messages and exit status;
#   2. PREFERRED: broker 1 stops (p-0 moves to 2), comes back and rejoins
#      the ISR; --all-topic-partitions gives p-0 back to 1 (state znode and
#      kafka-topics.sh --describe), then the same by --topic and by JSON
#      file report "Valid replica already elected", an unknown partition
#      fails with Kafka's exception line and exit 1;
#   3. UNCLEAN: u-0 [3,2] loses 2 (ISR 3), then 3 (no leader); 2 returns
#      outside the ISR and the partition stays offline (the topic default
#      forbids unclean elections); PREFERRED cannot elect it, UNCLEAN
#      elects 2 with ISR 2;
#   4. kafka-preferred-replica-election.sh --bootstrap-server: the same
#      request, PREFERRED, with that tool's wording;
#   5. an ElectLeaders request sent by hand to a broker that is not the
#      controller is answered NOT_CONTROLLER.
# Every wait is bounded.
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
mult=${SAMSA_TEST_TIMEOUT_MULT:-1}
zkq=$top_builddir/t/tools/zkq
server=$top_builddir/src/samsa-server
KLE=$srcdir/bin/kafka-leader-election.sh
KT=$srcdir/bin/kafka-topics.sh
KPE=$srcdir/bin/kafka-preferred-replica-election.sh
export SAMSA_BUILD_DIR=$top_builddir

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-kle.XXXXXX") || exit 1
declare -A pid
n=0
failed=0

stop_broker() {
    local p=${pid[$1]:-}
    [ -n "$p" ] || return 0
    stop_pid "$p"
    pid[$1]=
}

start_broker() {
    SAMSA_LOG_LEVEL=INFO "$server" "$tmp/server$1.properties" \
        >> "$tmp/broker$1.log" 2>&1 &
    pid[$1]=$!
    "$zkq" "$ZK" port "$1" "$wait_ms" >/dev/null ||
        { failed=1; bail "broker $1 did not register in ZooKeeper"; }
}

cleanup() {
    local id
    for id in 1 2 3; do stop_broker $id; done
    "$srcdir/t/lib/zk.sh" stop "$tmp/zk" >/dev/null 2>&1
    if [ "$failed" != 0 ]; then
        for id in 1 2 3; do
            [ -f "$tmp/broker$id.log" ] || continue
            echo "# broker $id log:"
            grep -i "elect\|controller" "$tmp/broker$id.log" | tail -n 30 |
                sed 's/^/# /'
        done
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

# wait_state TOPIC LINE: until "zkq states TOPIC" has LINE ("p leader isr")
wait_state() {
    local i
    for i in $(seq 1 $((200 * mult))); do
        "$zkq" "$ZK" states "$1" "$wait_ms" 2>/dev/null | grep -qx "$2" &&
            return 0
        sleep 0.1
    done
    return 1
}

export SAMSA_ZK_OWNER_PID=$$
zkport=$("$srcdir/t/lib/zk.sh" start "$tmp/zk")
zrc=$?
if [ $zrc = 77 ] && [ "${SAMSA_TEST_REQUIRE_ZK:-0}" = 0 ]; then
    echo "1..0 # SKIP ZooKeeper or Java not installed"
    exit 0
fi
[ $zrc = 0 ] || bail "ZooKeeper did not start"
ZK=127.0.0.1:$zkport/samsa-kle
wait_ms=$((30000 * mult))
ACFE='Exception in thread "main" kafka.common.AdminCommandFailedException:'
ERRS=org.apache.kafka.common.errors

# ------------------------------------------------- option checks

check "no --election-type" 1 "" "$ACFE Missing required option(s): election-type" \
    "$KLE" --bootstrap-server 127.0.0.1:1 --all-topic-partitions
check "neither required option" 1 "" \
    "$ACFE Missing required option(s): election-type, bootstrap-server" \
    "$KLE" --all-topic-partitions
check "--topic and --all-topic-partitions" 1 "" \
    "$ACFE One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file" \
    "$KLE" --bootstrap-server 127.0.0.1:1 --election-type preferred \
    --topic t --partition 0 --all-topic-partitions
check "--topic without --partition" 1 "" \
    "$ACFE Missing required option(s): partition" \
    "$KLE" --bootstrap-server 127.0.0.1:1 --election-type preferred --topic t
check "--partition without --topic" 1 "" \
    "$ACFE Option partition is only allowed if topic is used" \
    "$KLE" --bootstrap-server 127.0.0.1:1 --election-type preferred \
    --all-topic-partitions --partition 0
check "an unknown election type" 1 "" \
    'Exception in thread "main" joptsimple.OptionArgumentConversionException: Cannot parse argument '"'"'clean'"'"' of option election-type' \
    "$KLE" --bootstrap-server 127.0.0.1:1 --election-type clean \
    --all-topic-partitions
echo '{"partitions": [{"topic":"a","partition":0},{"topic":"a","partition":0}]}' \
    > "$tmp/dup.json"
check "a duplicate partition in the file" 1 "" \
    'Exception in thread "main" kafka.admin.AdminOperationException: Replica election data contains duplicate partitions: a-0' \
    "$KLE" --bootstrap-server 127.0.0.1:1 --election-type PREFERRED \
    --path-to-json-file "$tmp/dup.json"
run "$KLE"
assert "no option: usage on stderr, exit 1" \
    test "$rc" = 1 -a -z "$out" -a -n "$(printf '%s' "$err" | grep -- --election-type)"

# ------------------------------------------------- PREFERRED

for id in 1 2 3; do
    printf '%s\n' "broker.id=$id" "listeners=PLAINTEXT://127.0.0.1:0" \
        "log.dirs=$tmp/logs$id" "zookeeper.connect=$ZK" \
        "offsets.topic.replication.factor=1" \
        "controlled.shutdown.enable=false" \
        "auto.leader.rebalance.enable=false" > "$tmp/server$id.properties"
    start_broker $id
done
BS=127.0.0.1:$("$zkq" "$ZK" port 1 "$wait_ms")
run "$KT" --zookeeper "$ZK" --create --topic p --replica-assignment 1:2,2:3
assert "create topic p (1:2, 2:3)" test "$rc" = 0
assert "p-0 is led by 1" wait_state p "0 1 1,2"

stop_broker 1
assert "broker 1 stopped: p-0 moves to 2" wait_state p "0 2 2"
start_broker 1
BS=127.0.0.1:$("$zkq" "$ZK" port 1 "$wait_ms")
assert "broker 1 back in p-0's ISR, still not its leader" \
    wait_state p "0 2 2,1"
check "preferred election of every partition" 0 \
"Successfully completed leader election (PREFERRED) for partitions p-0
" "" "$KLE" --bootstrap-server "$BS" --election-type preferred \
    --all-topic-partitions
assert "the state znode names 1 as p-0's leader at once" \
    test "$("$zkq" "$ZK" states p "$wait_ms" | head -n 1)" = "0 1 2,1"
ok_desc=0
for _ in $(seq 1 $((100 * mult))); do
    run "$KT" --bootstrap-server "$BS" --describe --topic p
    if printf '%s' "$out" | grep -q \
        $'Partition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 2,1'; then
        ok_desc=1
        break
    fi
    sleep 0.1
done
assert "kafka-topics.sh --describe shows leader 1 for p-0" test "$ok_desc" = 1
check "again, by --topic: nothing to do" 0 \
"Valid replica already elected for partitions p-0
" "" "$KLE" --bootstrap-server "$BS" --election-type PREFERRED --topic p \
    --partition 0
check "again, every partition: nothing reported" 0 "" "" \
    "$KLE" --bootstrap-server "$BS" --election-type preferred \
    --all-topic-partitions
cat > "$tmp/p.json" <<'EOF'
{"partitions": [{"topic": "p", "partition": 1},
                {"topic": "nosuch", "partition": 0}]}
EOF
check "a file with an unknown partition" 1 \
"Valid replica already elected for partitions p-1
Error completing leader election (PREFERRED) for partition: nosuch-0: $ERRS.UnknownTopicOrPartitionException: The partition does not exist.
" "$ACFE 1 replica(s) could not be elected" \
    "$KLE" --bootstrap-server "$BS" --election-type preferred \
    --path-to-json-file "$tmp/p.json"

# ------------------------------------------------- UNCLEAN

run "$KT" --zookeeper "$ZK" --create --topic u --replica-assignment 3:2
assert "create topic u (3:2)" test "$rc" = 0
assert "u-0 is led by 3" wait_state u "0 3 3,2"
stop_broker 2
assert "broker 2 stopped: u-0's ISR is 3" wait_state u "0 3 3"
stop_broker 3
assert "broker 3 stopped: u-0 has no leader" wait_state u "0 -1 3"
start_broker 2
sleep 0.5
assert "broker 2 back: u-0 stays offline (unclean election disabled)" \
    wait_state u "0 -1 3"
check "preferred election of u-0: its preferred replica is dead" 1 \
"Error completing leader election (PREFERRED) for partition: u-0: $ERRS.PreferredLeaderNotAvailableException: Failed to elect leader for partition u-0 under strategy PreferredReplicaPartitionLeaderElectionStrategy
" "$ACFE 1 replica(s) could not be elected" \
    "$KLE" --bootstrap-server "$BS" --election-type preferred --topic u \
    --partition 0
check "unclean election of u-0" 0 \
"Successfully completed leader election (UNCLEAN) for partitions u-0
" "" "$KLE" --bootstrap-server "$BS" --election-type unclean --topic u \
    --partition 0
assert "u-0: leader 2, ISR 2" \
    test "$("$zkq" "$ZK" states u "$wait_ms")" = "0 2 2"
check "unclean election of a partition with a live leader" 0 \
"Valid replica already elected for partitions p-0
" "" "$KLE" --bootstrap-server "$BS" --election-type Unclean --topic p \
    --partition 0

# ------------------------- kafka-preferred-replica-election.sh --bootstrap-server

# (p-1 lost both replicas above; p-0, led by 1 throughout, is the stable one)
DEPR="This tool is deprecated. Please use kafka-leader-election tool. Tracking issue: KAFKA-8405"
echo '{"partitions": [{"topic": "p", "partition": 0}, {"topic": "nosuch", "partition": 0}]}' \
    > "$tmp/p0.json"
check "kafka-preferred-replica-election.sh --bootstrap-server: not needed, unknown" 1 \
"$DEPR
Preferred replica already elected for partitions p-0
Error completing preferred leader election for partition: nosuch-0: $ERRS.UnknownTopicOrPartitionException: The partition does not exist.
" "$ACFE 1 preferred replica(s) could not be elected" \
    "$KPE" --bootstrap-server "$BS" --path-to-json-file "$tmp/p0.json"
start_broker 3
assert "broker 3 back in u-0's ISR" wait_state u "0 2 2,3"
echo '{"partitions": [{"topic": "u", "partition": 0}]}' > "$tmp/u.json"
check "kafka-preferred-replica-election.sh --bootstrap-server elects u-0" 0 \
"$DEPR
Successfully completed preferred leader election for partitions u-0
" "" "$KPE" --bootstrap-server "$BS" --path-to-json-file "$tmp/u.json"
assert "u-0: leader 3 again" \
    test "$("$zkq" "$ZK" states u "$wait_ms")" = "0 3 2,3"

# ------------------------------------------------- NOT_CONTROLLER

ctl=$("$zkq" "$ZK" get /controller | sed 's/.*"brokerid":\([0-9]*\).*/\1/')
other=1
[ "$ctl" = 1 ] && other=2
port=$("$zkq" "$ZK" port $other "$wait_ms")
run /usr/bin/python3 - "$port" <<'EOF'
import socket, struct, sys
# ElectLeaders v1: ElectionType 0, [p: [0]], TimeoutMs 5000
body = struct.pack(">bi", 0, 1) + struct.pack(">h", 1) + b"p" + \
    struct.pack(">iii", 1, 0, 5000)
hdr = struct.pack(">hhih", 43, 1, 7, 4) + b"test"
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(struct.pack(">i", len(hdr) + len(body)) + hdr + body)
def read(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise SystemExit("connection closed")
        b += c
    return b
size, = struct.unpack(">i", read(4))
r = read(size)
corr, throttle, top, nres = struct.unpack(">iihi", r[:14])
tl, = struct.unpack(">h", r[14:16])
topic = r[16:16 + tl].decode()
off = 16 + tl
npart, pid, code = struct.unpack(">iih", r[off:off + 10])
print(corr, top, nres, topic, npart, pid, code)
EOF
assert "ElectLeaders to non-controller broker $other: NOT_CONTROLLER (41)" \
    test "$rc" = 0 -a "$out" = $'7 0 1 p 1 0 41\n'

echo "1..$n"
[ "$failed" = 0 ]

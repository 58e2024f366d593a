#!/usr/bin/python3
"""test_groups.py: the group coordinator with real clients (issue 5).

One broker (conf/server.properties: offsets.topic.replication.factor=1,
group.initial.rebalance.delay.ms=0):

  * three confluent-kafka consumers in one group on a 6-partition topic:
    every partition is owned by exactly one member; one member closes and
    its partitions move to the other two;
  * a restarted static member (group.instance.id) takes its partitions
    back without waiting for its old session to expire;
  * a third member joining triggers a rebalance, and the group shares the
    records like a queue (each read once, by all members);
  * committed offsets survive restarting the group: a new consumer of the
    same group resumes after the last commit;
  * committed offsets survive a broker restart (__consumer_offsets is
    loaded again when the broker becomes its leader);
  * kafka-python and kcat -G groups consume every record exactly once;
  * three kcat -G members split the topic, and a member killed with
    SIGKILL loses its partitions to the others within the session timeout;
    three kafka-python members and three kafkajs members split it too;
  * two groups on one topic each get every record;
  * OffsetCommit/OffsetFetch v0 (kafka-python's 0.8.1 profile) use
    ZooKeeper's /consumers/<group>/offsets/<topic>/<partition>;
  * offsets.storage kafka -> zookeeper -> dual -> kafka (broker restarts
    in between): commits land in the selected store, fetches fall back
    or take the larger, nobody rewinds;
  * FindCoordinator with fewer live brokers than
    offsets.topic.replication.factor: COORDINATOR_NOT_AVAILABLE and
    Kafka's log line, no __consumer_offsets;
  * DeleteGroups through kafka-python's admin client, OffsetDelete with a
    raw request;
  * Burrow 1.2.1 (Debian, skipped if absent) reads offsets and group
    metadata from __consumer_offsets and v0 offsets from ZooKeeper;
  * DescribeGroups / ListGroups through the confluent-kafka admin client.
Every wait is bounded (harness.T scales it).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import assert_eq, T    # noqa: E402

suite = harness.Suite("groups")
S = {}
NPART = 6
# As conf/server.properties: one broker holds every offsets replica, and
# the first rebalance does not wait for more members.
PROPS = {"offsets.topic.replication.factor": "1",
         "offsets.topic.num.partitions": "8",
         "group.initial.rebalance.delay.ms": "0"}


def controller_known(c):
    """Until the broker's metadata names a controller: a CreateTopics sent
    before that was once seen to stay unanswered for 30 s (librdkafka's
    admin client waits for the controller)."""
    from confluent_kafka.admin import AdminClient
    a = AdminClient({"bootstrap.servers": c.bootstrap})

    def known():
        md = a.list_topics(timeout=T(5))
        return md.controller_id >= 0
    harness.wait_for(known, 30, "a controller in the metadata", 0.2)


def setup():
    if "c" not in S:
        S["c"] = suite.cluster(props=PROPS)
        controller_known(S["c"])
    return S["c"]


def create_topic(c, name, parts=NPART):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    fs = a.create_topics([NewTopic(name, parts, 1)],
                         operation_timeout=T(20))
    fs[name].result(T(30))
    c.topic_leader_ready(name, parts)


def produce(c, topic, n, prefix, parts=NPART):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": c.bootstrap})
    for i in range(n):
        p.produce(topic, value=b"%s-%d" % (prefix, i), partition=i % parts)
    assert_eq(p.flush(T(30)), 0, "records left unflushed")


def ck_consumer(c, group, extra=None):
    from confluent_kafka import Consumer
    conf = {"bootstrap.servers": c.bootstrap, "group.id": group,
            "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 500, "enable.auto.commit": False}
    conf.update(extra or {})
    return Consumer(conf)


def poll_all(cons, seconds, stop):
    """Poll every consumer until stop(records) or the deadline."""
    got = []
    deadline = time.monotonic() + T(seconds)
    while time.monotonic() < deadline:
        for k in cons:
            m = k.poll(0.1)
            if m is not None and m.error() is None:
                got.append((k, m))
        if stop(got):
            return got
    return got


def owned(cons, seconds, want_total):
    """Poll until the members' assignments cover want_total partitions."""
    deadline = time.monotonic() + T(seconds)
    while time.monotonic() < deadline:
        for k in cons:
            k.poll(0.1)
        a = [sorted(tp.partition for tp in k.assignment()) for k in cons]
        if sum(len(x) for x in a) == want_total and all(a):
            return a
    raise harness.WaitTimeout("assignments never covered %d partitions: %r"
                              % (want_total, a))


@suite.test("three confluent-kafka members split 6 partitions; a leaver's "
            "partitions move")
def t_split():
    c = setup()
    create_topic(c, "split")
    cons = [ck_consumer(c, "g-split") for _ in range(3)]
    for k in cons:
        k.subscribe(["split"])
    a = owned(cons, 60, NPART)
    flat = sorted(p for x in a for p in x)
    assert_eq(flat, list(range(NPART)), "each partition owned once")
    cons[0].close()
    a = owned(cons[1:], 60, NPART)
    flat = sorted(p for x in a for p in x)
    assert_eq(flat, list(range(NPART)), "after a leave, each owned once")
    for k in cons[1:]:
        k.close()


@suite.test("a third member joining triggers a rebalance; the group "
            "shares the records like a queue, each read once")
def t_join_and_queue():
    c = setup()
    create_topic(c, "queue")
    cons = [ck_consumer(c, "g-queue") for _ in range(2)]
    for k in cons:
        k.subscribe(["queue"])
    a = owned(cons, 60, NPART)
    assert_eq(sorted(p for x in a for p in x), list(range(NPART)),
              "two members split the topic")
    cons.append(ck_consumer(c, "g-queue"))
    cons[2].subscribe(["queue"])
    a = owned(cons, 60, NPART)
    assert_eq(sorted(p for x in a for p in x), list(range(NPART)),
              "three members after the join")
    produce(c, "queue", 60, b"q")
    got = poll_all(cons, 60, lambda g: len(g) >= 60)
    vals = sorted(m.value() for _, m in got)
    assert_eq(vals, sorted(b"q-%d" % i for i in range(60)),
              "every record read once by the group")
    assert_eq(len({id(k) for k, _ in got}), 3, "all three members read")
    for k in cons:
        k.close()


@suite.test("a restarted static member (group.instance.id) gets its "
            "partitions back without waiting for its session timeout")
def t_static_member():
    c = setup()
    create_topic(c, "static")
    conf = {"group.instance.id": "inst-1", "session.timeout.ms": 30000}
    k = ck_consumer(c, "g-static", conf)
    k.subscribe(["static"])
    owned([k], 60, NPART)
    k.close()                       # static members send no LeaveGroup
    t0 = time.monotonic()
    k = ck_consumer(c, "g-static", conf)
    k.subscribe(["static"])
    owned([k], 60, NPART)
    took = time.monotonic() - t0
    assert_eq(took < T(15), True, "back after %.1fs (session 30s)" % took)
    k.close()


@suite.test("commits survive restarting the group")
def t_commits():
    c = setup()
    create_topic(c, "commits")
    produce(c, "commits", 60, b"a")
    k = ck_consumer(c, "g-commit")
    k.subscribe(["commits"])
    got = poll_all([k], 60, lambda g: len(g) >= 60)
    assert_eq(len(got), 60, "first run reads everything")
    k.commit(asynchronous=False)
    k.close()
    produce(c, "commits", 12, b"b")
    k = ck_consumer(c, "g-commit")
    k.subscribe(["commits"])
    got = poll_all([k], 60, lambda g: len(g) >= 12)
    vals = sorted(m.value() for _, m in got)
    time.sleep(T(1))
    extra = [m for m in [k.poll(0.2) for _ in range(5)]
             if m is not None and m.error() is None]
    assert_eq(len(vals) + len(extra), 12, "second run reads only new ones")
    assert_eq(all(v.startswith(b"b-") for v in vals), True, "only new")
    k.close()


@suite.test("commits survive a broker restart (stored in "
            "__consumer_offsets, loaded on leadership)")
def t_commits_restart():
    from confluent_kafka import TopicPartition
    c = setup()
    create_topic(c, "durable")
    produce(c, "durable", 30, b"d")
    k = ck_consumer(c, "g-durable")
    k.subscribe(["durable"])
    got = poll_all([k], 60, lambda g: len(g) >= 30)
    assert_eq(len(got), 30, "first run reads everything")
    k.commit(asynchronous=False)
    k.close()
    b = c.brokers[0]
    mark = b.log_mark()
    assert_eq(b.stop(), 0, "clean shutdown")
    b.start()
    b.wait_log(r"Finished loading offsets and group metadata from "
               r"__consumer_offsets-\d+ in \d+ milliseconds \([1-9]", 30, mark)
    c.topic_leader_ready("durable", NPART)
    k = ck_consumer(c, "g-durable")
    parts = [TopicPartition("durable", p) for p in range(NPART)]
    deadline = time.monotonic() + T(30)
    while True:
        try:
            offs = k.committed(parts, timeout=T(10))
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert_eq(sum(tp.offset for tp in offs), 30, "committed offsets kept")
    produce(c, "durable", 6, b"e")
    k.subscribe(["durable"])
    got = poll_all([k], 60, lambda g: len(g) >= 6)
    vals = sorted(m.value() for _, m in got)
    assert_eq(vals, sorted(b"e-%d" % i for i in range(6)),
              "resumes after the last commit")
    k.close()


@suite.test("two groups each get every record")
def t_two_groups():
    c = setup()
    create_topic(c, "two")
    produce(c, "two", 30, b"x")
    for g in ("g-two-a", "g-two-b"):
        k = ck_consumer(c, g)
        k.subscribe(["two"])
        got = poll_all([k], 60, lambda r: len(r) >= 30)
        assert_eq(sorted(m.value() for _, m in got),
                  sorted(b"x-%d" % i for i in range(30)), g)
        k.close()


@suite.test("kafka-python group consumes everything once")
def t_kafka_python():
    from kafka import KafkaConsumer
    c = setup()
    create_topic(c, "kp")
    produce(c, "kp", 40, b"k")
    k = KafkaConsumer("kp", bootstrap_servers=c.bootstrap, group_id="g-kp",
                      auto_offset_reset="earliest",
                      consumer_timeout_ms=int(T(15) * 1000))
    vals = []
    deadline = time.monotonic() + T(60)
    for m in k:
        vals.append(m.value)
        if len(vals) >= 40 or time.monotonic() > deadline:
            break
    k.commit()
    k.close()
    assert_eq(sorted(vals), sorted(b"k-%d" % i for i in range(40)),
              "kafka-python group")


@suite.test("kcat -G consumes everything once")
def t_kcat():
    kcat = shutil.which("kcat") or shutil.which("kafkacat")
    if kcat is None:
        raise harness.Skip("kcat not installed")
    c = setup()
    create_topic(c, "kc")
    produce(c, "kc", 24, b"c")
    p = subprocess.Popen([kcat, "-b", c.bootstrap, "-G", "g-kcat", "-o",
                          "beginning", "-e", "-q", "-f", "%s\\n", "kc"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=T(60))
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    vals = sorted(v for v in out.split(b"\n") if v)
    assert_eq(vals, sorted(b"c-%d" % i for i in range(24)),
              "kcat -G: %s" % err.decode(errors="replace")[-500:])


def kcat_bin():
    kcat = shutil.which("kcat") or shutil.which("kafkacat")
    if kcat is None:
        raise harness.Skip("kcat not installed")
    return kcat


ASSIGN_RE = re.compile(r"rebalanced \(memberid [^)]*\): (assigned|revoked): "
                       r"(.*)")


def kcat_assignment(log_path):
    """The partitions a kcat -G member owns, from its last rebalance line
    (None before its first assignment)."""
    try:
        with open(log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    last = None
    for m in ASSIGN_RE.finditer(text):
        last = m
    if last is None:
        return None
    if last.group(1) == "revoked":
        return []
    return sorted(int(p) for p in re.findall(r"\[(\d+)\]", last.group(2)))


def kcat_split(logs, want):
    """Until the members' assignments partition range(want) exactly."""
    a = [kcat_assignment(lp) for lp in logs]
    if any(x is None or not x for x in a):
        return None
    flat = sorted(p for x in a for p in x)
    return a if flat == list(range(want)) else None


@suite.test("three kcat -G members split 6 partitions; a member killed "
            "with SIGKILL loses its partitions within the session timeout")
def t_kcat_kill():
    kcat = kcat_bin()
    c = setup()
    create_topic(c, "kck")
    procs, logs = [], []
    for i in range(3):
        lp = os.path.join(suite.tmp, "kcat-kill-%d.log" % i)
        procs.append(harness.spawn([kcat, "-b", c.bootstrap, "-G", "g-kck",
                                    "-X", "session.timeout.ms=6000",
                                    "-f", "%p %o\\n", "kck"], lp))
        logs.append(lp)
    a = harness.wait_for(lambda: kcat_split(logs, NPART), 60,
                         "three kcat members to split %d partitions" % NPART)
    assert_eq(len(a), 3, "three members")
    t0 = time.monotonic()
    harness.reap(procs[0], signal.SIGKILL)
    a = harness.wait_for(lambda: kcat_split(logs[1:], NPART), 6 + 3 + 10,
                         "the two survivors to take over")
    took = time.monotonic() - t0
    assert_eq(took < T(6 + 3 + 10), True, "reassigned in %.1fs" % took)
    for p in procs[1:]:
        harness.reap(p)


@suite.test("three kafka-python members split 6 partitions")
def t_kafka_python_split():
    # kafka-python joins inside poll() and blocks there until the
    # rebalance completes, so each member needs its own thread.
    import threading
    from kafka import KafkaConsumer
    c = setup()
    create_topic(c, "kps")
    stop = threading.Event()
    cons = [KafkaConsumer("kps", bootstrap_servers=c.bootstrap,
                          group_id="g-kps", session_timeout_ms=6000,
                          heartbeat_interval_ms=500,
                          max_poll_interval_ms=15000,
                          auto_offset_reset="earliest")
            for _ in range(3)]

    def run(k):
        while not stop.is_set():
            k.poll(timeout_ms=100)
    threads = [threading.Thread(target=run, args=(k,), daemon=True)
               for k in cons]
    for t in threads:
        t.start()

    def split():
        a = [sorted(tp.partition for tp in k.assignment()) for k in cons]
        flat = sorted(p for x in a for p in x)
        return a if all(a) and flat == list(range(NPART)) else None
    try:
        a = harness.wait_for(split, 60, "kafka-python members to split "
                             "%d partitions" % NPART, 0.2)
        assert_eq(len(a), 3, "three members")
    finally:
        stop.set()
        for t in threads:
            t.join(T(10))
    for k in cons:
        k.close()


@suite.test("three kafkajs members split 6 partitions and read every "
            "record once")
def t_kafkajs_split():
    import json
    node_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "node")
    if not os.path.isdir(os.path.join(node_dir, "node_modules", "kafkajs")):
        raise harness.Skip("kafkajs not installed")
    c = setup()
    create_topic(c, "kjs")
    produce(c, "kjs", 36, b"j")
    req = {"brokers": [c.bootstrap], "topic": "kjs", "groupId": "g-kjs",
           "members": 3, "expect": 36, "partitions": NPART,
           "seconds": T(60)}
    cp = harness.run(["node", os.path.join(node_dir, "kjs_group.js"),
                      json.dumps(req)], 90, check=False)
    out = cp.stdout.decode(errors="replace").strip().splitlines()
    res = json.loads(out[-1]) if out else {"ok": False,
                                           "error": cp.stderr[-500:]}
    assert_eq(res.get("ok"), True, "kafkajs: %r" % res.get("error"))
    a = res["assignments"]
    assert_eq(all(a), True, "every member owns some: %r" % a)
    assert_eq(sorted(p for x in a for p in x), list(range(NPART)),
              "each partition owned once: %r" % a)
    assert_eq(sorted(res["values"]), sorted("j-%d" % i for i in range(36)),
              "every record once")


@suite.test("OffsetCommit/OffsetFetch v0 use ZooKeeper "
            "/consumers/<group>/offsets/<topic>/<partition>, v1+ do not")
def t_zk_offsets_v0():
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    c = setup()
    create_topic(c, "zk0", 2)
    # kafka-python with a 0.8.1 profile commits and fetches with v0
    k = KafkaConsumer(bootstrap_servers=c.bootstrap, group_id="g-zk0",
                      api_version=(0, 8, 1), enable_auto_commit=False)
    tp0, tp1 = TopicPartition("zk0", 0), TopicPartition("zk0", 1)
    k.assign([tp0, tp1])
    k.commit({tp0: OffsetAndMetadata(17, "")})
    zk = c.kazoo()
    data, _ = zk.get("/consumers/g-zk0/offsets/zk0/0")
    assert_eq(data, b"17", "v0 commit in ZooKeeper as decimal text")
    zk.create("/consumers/g-zk0/offsets/zk0/1", b"42", makepath=True)
    assert_eq(k.committed(tp0), 17, "v0 fetch of our commit")
    assert_eq(k.committed(tp1), 42, "v0 fetch of an 0.8 consumer's commit")
    k.close()
    # the confluent-kafka group above committed with v2+: not in ZooKeeper
    assert_eq(zk.exists("/consumers/g-commit"), None,
              "v1+ commits stay out of ZooKeeper")


@suite.test("DeleteGroups (kafka-python admin): an empty group and its "
            "offsets go, an active one is refused")
def t_delete_groups():
    from kafka import KafkaAdminClient
    from kafka.errors import GroupIdNotFoundError, NonEmptyGroupError
    c = setup()
    create_topic(c, "del")
    produce(c, "del", 12, b"z")
    k = ck_consumer(c, "g-del")
    k.subscribe(["del"])
    got = poll_all([k], 60, lambda g: len(g) >= 12)
    assert_eq(len(got), 12, "read everything")
    k.commit(asynchronous=False)
    a = KafkaAdminClient(bootstrap_servers=c.bootstrap)
    try:
        res = dict(a.delete_consumer_groups(["g-del", "g-never"]))
        # kafka-python answers error classes
        assert_eq(res["g-del"], NonEmptyGroupError, "active")
        assert_eq(res["g-never"], GroupIdNotFoundError, "unknown")
        k.close()
        res = dict(a.delete_consumer_groups(["g-del"]))
        assert_eq(res["g-del"].__name__, "NoError", "deleted")
        offs = a.list_consumer_group_offsets("g-del")
        assert_eq(offs, {}, "offsets gone")
    finally:
        a.close()
    # a new member of the deleted group starts from the beginning again
    k = ck_consumer(c, "g-del")
    k.subscribe(["del"])
    got = poll_all([k], 60, lambda g: len(g) >= 12)
    assert_eq(len(got), 12, "re-read after the delete")
    k.close()


def raw_request(bootstrap, api_key, version, body):
    """Send one request (header v1) and return the response body."""
    import socket
    import struct
    req = struct.pack(">hhih", api_key, version, 7, 11) + b"test-groups"
    req += body
    host, port = bootstrap.split(",")[0].rsplit(":", 1)
    with socket.create_connection((host, int(port)), T(10)) as sock:
        sock.sendall(struct.pack(">i", len(req)) + req)
        buf = b""
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i",
                                                           buf[:4])[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError("connection closed: %r" % buf)
            buf += chunk
    return buf[8:]                          # size, correlation id


@suite.test("FindCoordinator with too few brokers for "
            "offsets.topic.replication.factor: COORDINATOR_NOT_AVAILABLE "
            "and Kafka's log line")
def t_find_coordinator_rf():
    import struct
    c = suite.cluster(name="rf3", props={
        "offsets.topic.replication.factor": "3"})
    b = c.brokers[0]
    body = struct.pack(">h", 4) + b"g-rf"
    err = None
    deadline = time.monotonic() + T(30)
    while time.monotonic() < deadline:
        err = struct.unpack(">h", raw_request(c.bootstrap, 10, 0,
                                              body)[:2])[0]
        if re.search(r"Number of alive brokers '1' does not meet the "
                     r"required replication factor '3' for the "
                     r"__consumer_offsets topic", b.log()):
            break
        time.sleep(0.2)
    assert_eq(err, 15, "COORDINATOR_NOT_AVAILABLE")
    b.wait_log(r"configured via 'offsets.topic.replication.factor'", 5)
    assert_eq(c.kazoo().exists("/brokers/topics/__consumer_offsets"), None,
              "__consumer_offsets not created")


def offset_delete(bootstrap, group, topics):
    """One raw OffsetDelete v0 request (no installed client sends it):
    topics is [(name, [partition])]; returns (ErrorCode, {(topic,
    partition): ErrorCode})."""
    import struct

    def s16(b):
        return struct.pack(">h", len(b)) + b
    body = s16(group.encode()) + struct.pack(">i", len(topics))
    for name, parts in topics:
        body += s16(name.encode()) + struct.pack(">i", len(parts))
        body += b"".join(struct.pack(">i", p) for p in parts)
    buf = raw_request(bootstrap, 47, 0, body)
    err, _throttle, nt = struct.unpack(">hii", buf[:10])
    pos = 10
    out = {}
    for _ in range(nt):
        ln = struct.unpack(">h", buf[pos:pos + 2])[0]
        name = buf[pos + 2:pos + 2 + ln].decode()
        pos += 2 + ln
        np_ = struct.unpack(">i", buf[pos:pos + 4])[0]
        pos += 4
        for _ in range(np_):
            p, e = struct.unpack(">ih", buf[pos:pos + 6])
            pos += 6
            out[(name, p)] = e
    return err, out


@suite.test("OffsetDelete v0 removes an empty group's offset")
def t_offset_delete():
    from confluent_kafka import TopicPartition
    c = setup()
    create_topic(c, "odel", 2)
    produce(c, "odel", 4, b"o", 2)
    k = ck_consumer(c, "g-odel")
    k.assign([TopicPartition("odel", 0, 0), TopicPartition("odel", 1, 0)])
    got = poll_all([k], 60, lambda g: len(g) >= 2)
    assert_eq(len(got) >= 2, True, "read some")
    k.commit(offsets=[TopicPartition("odel", 0, 1),
                      TopicPartition("odel", 1, 1)], asynchronous=False)
    k.close()
    err, parts = offset_delete(c.bootstrap, "g-odel",
                               [("odel", [0]), ("nosuch", [0])])
    assert_eq(err, 0, "group-level error")
    assert_eq(parts, {("odel", 0): 0, ("nosuch", 0): 3}, "partitions")
    err, parts = offset_delete(c.bootstrap, "g-none", [("odel", [0])])
    assert_eq(err, 69, "GROUP_ID_NOT_FOUND")
    k = ck_consumer(c, "g-odel")
    offs = k.committed([TopicPartition("odel", 0), TopicPartition("odel", 1)],
                       timeout=T(10))
    assert_eq([tp.offset for tp in offs], [-1001, 1], "odel-0 deleted only")
    k.close()


def restart_with(c, props):
    """Restart the cluster's only broker with props changed; returns once
    its offsets partitions are loaded again."""
    b = c.brokers[0]
    b.props.update(props)
    mark = b.log_mark()
    assert_eq(b.stop(), 0, "clean shutdown")
    b.start()
    b.wait_log(r"Finished loading offsets and group metadata", 30, mark)


def st_commit(c, group, offsets):
    from confluent_kafka import TopicPartition
    k = ck_consumer(c, group)
    k.commit(offsets=[TopicPartition("st", p, o)
                      for p, o in enumerate(offsets)], asynchronous=False)
    k.close()


def st_committed(c, group):
    from confluent_kafka import TopicPartition
    k = ck_consumer(c, group)
    try:
        return [tp.offset for tp in k.committed(
            [TopicPartition("st", 0), TopicPartition("st", 1)],
            timeout=T(20))]
    finally:
        k.close()


def st_zk(c, group):
    zk = c.kazoo()
    out = []
    for p in range(2):
        path = "/consumers/%s/offsets/st/%d" % (group, p)
        out.append(int(zk.get(path)[0]) if zk.exists(path) else None)
    return out


@suite.test("offsets.storage kafka -> zookeeper -> dual -> kafka: v1+ "
            "commits land in the selected store, fetches never rewind")
def t_offsets_storage():
    c = suite.cluster(name="storage", props=PROPS)
    controller_known(c)
    create_topic(c, "st", 2)
    st_commit(c, "g-st", [2, 2])
    assert_eq(st_zk(c, "g-st"), [None, None], "kafka: not in ZooKeeper")
    restart_with(c, {"offsets.storage": "zookeeper"})
    c.topic_leader_ready("st", 2)
    assert_eq(st_committed(c, "g-st"), [2, 2], "zookeeper: falls back")
    st_commit(c, "g-st", [4, 4])
    assert_eq(st_zk(c, "g-st"), [4, 4], "zookeeper: written there")
    assert_eq(st_committed(c, "g-st"), [4, 4], "zookeeper: read there")
    restart_with(c, {"offsets.storage": "dual"})
    c.topic_leader_ready("st", 2)
    assert_eq(st_committed(c, "g-st"), [4, 4], "dual: the larger")
    st_commit(c, "g-st", [5, 6])
    assert_eq(st_zk(c, "g-st"), [5, 6], "dual: ZooKeeper too")
    restart_with(c, {"offsets.storage": "kafka"})
    c.topic_leader_ready("st", 2)
    assert_eq(st_committed(c, "g-st"), [5, 6], "kafka again: no rewind")


BURROW_TOML = """
[general]
pidfile="%(dir)s/burrow.pid"
[logging]
filename="%(dir)s/burrow.log"
level="debug"
[zookeeper]
servers=[ "%(zk)s" ]
timeout=6
root-path="/burrow"
[client-profile.samsa]
client-id="burrow-samsa"
kafka-version="0.10.2"
[cluster.local]
class-name="kafka"
servers=[ "%(bootstrap)s" ]
client-profile="samsa"
topic-refresh=5
offset-refresh=5
[consumer.local]
class-name="kafka"
cluster="local"
servers=[ "%(bootstrap)s" ]
client-profile="samsa"
group-whitelist=""
[consumer.zk]
class-name="kafka_zk"
cluster="local"
servers=[ "%(zk)s" ]
zookeeper-path="%(chroot)s"
zookeeper-timeout=6
group-refresh=2
[httpserver.default]
address="127.0.0.1:%(port)d"
[storage.default]
class-name="inmemory"
workers=4
intervals=10
expire-group=604800
min-distance=1
"""


def burrow_offsets(port, group):
    """{partition: last offset} Burrow reports for group on topic "bt"."""
    import json
    import urllib.request
    url = "http://127.0.0.1:%d/v3/kafka/local/consumer/%s" % (port, group)
    try:
        res = json.loads(urllib.request.urlopen(url, timeout=2).read())
    except Exception:               # noqa: BLE001 -- not up yet / 404
        return None
    parts = res.get("topics", {}).get("bt") or []
    out = {}
    for i, p in enumerate(parts):
        offs = [o for o in (p.get("offsets") or []) if o]
        if offs:
            out[i] = offs[-1]["offset"]
    return out


@suite.test("Burrow (Debian 1.2.1) reads offsets and group metadata from "
            "__consumer_offsets and v0 offsets from ZooKeeper")
def t_burrow():
    import socket
    from kafka import KafkaConsumer, TopicPartition as KTP
    from kafka.structs import OffsetAndMetadata
    burrow = shutil.which("Burrow") or shutil.which("burrow")
    if burrow is None:
        raise harness.Skip("Burrow not installed (Debian package burrow)")
    c = setup()
    create_topic(c, "bt", 2)
    produce(c, "bt", 10, b"b", 2)   # 5 records in each partition
    k = ck_consumer(c, "g-burrow")
    k.subscribe(["bt"])
    got = poll_all([k], 60, lambda g: len(g) >= 10)
    assert_eq(len(got), 10, "read everything")
    k.commit(asynchronous=False)
    kz = KafkaConsumer(bootstrap_servers=c.bootstrap, group_id="g-burrow-zk",
                       api_version=(0, 8, 1), enable_auto_commit=False)
    kz.assign([KTP("bt", 0)])
    kz.commit({KTP("bt", 0): OffsetAndMetadata(3, "")})
    kz.close()
    d = os.path.join(suite.tmp, "burrow")
    os.makedirs(d, exist_ok=True)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with open(os.path.join(d, "burrow.toml"), "w") as f:
        f.write(BURROW_TOML % {"dir": d, "zk": c.zk.connect(""),
                               "chroot": c.chroot, "port": port,
                               "bootstrap": c.bootstrap})
    bp = harness.spawn([burrow, "--config-dir", d],
                       os.path.join(d, "out.log"))
    try:
        harness.wait_for(lambda: burrow_offsets(port, "g-burrow") ==
                         {0: 5, 1: 5}, 60, "Burrow to report g-burrow", 0.5)
        harness.wait_for(lambda: burrow_offsets(port, "g-burrow-zk") ==
                         {0: 3}, 60, "Burrow to report g-burrow-zk", 0.5)
        with open(os.path.join(d, "burrow.log")) as f:
            log = f.read()
        assert_eq('"message_type":"metadata"' in log, True,
                  "group metadata decoded")
        # a group with a static member is stored as metadata v3 (the
        # first version with instance ids), which Burrow 1.2.1 cannot
        # decode; every other group's records must decode
        bad = [ln for ln in log.splitlines()
               if '"level":"warn"' in ln and "decode" in ln and
               "g-static" not in ln]
        assert_eq(bad, [], "no decode warnings")
    finally:
        harness.reap(bp)
        k.close()


@suite.test("DescribeGroups and ListGroups through the admin client")
def t_describe():
    from confluent_kafka.admin import AdminClient
    c = setup()
    create_topic(c, "desc")
    k = ck_consumer(c, "g-desc")
    k.subscribe(["desc"])
    owned([k], 60, NPART)
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    groups = {g.id: g for g in a.list_groups(timeout=T(10))}
    assert_eq("g-desc" in groups, True, "listed: %r" % list(groups))
    g = groups["g-desc"]
    assert_eq(g.state, "Stable", "state")
    assert_eq(g.protocol_type, "consumer", "protocol type")
    assert_eq(len(g.members), 1, "members")
    k.close()


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka", "kafka"))

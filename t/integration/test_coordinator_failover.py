#!/usr/bin/python3
"""test_coordinator_failover.py: kill -9 of a group's coordinator (issue 5).

Three brokers, __consumer_offsets with replication factor 3 (4 offsets
partitions, to keep the loads short), a 6-partition RF 3 topic with 100
records per partition:

  * a confluent-kafka group member reads about half of it and commits
    synchronously what it read;
  * the coordinator - the leader of offsets partition
    abs(javaStringHashCode(group)) % 4, which FindCoordinator v0 names
    too - is killed with SIGKILL;
  * a surviving broker becomes coordinator (FindCoordinator names it, and
    it is the new leader of that offsets partition), and OffsetFetch
    there (a second client's committed()) answers the commits intact;
  * the member, still running, carries on: the first record each
    partition delivers after the kill is exactly at its committed offset
    (no rewind past the commit, no skip).  The new coordinator loads the
    group with its members (src/coordinator/group.h, sm_grp_load), as
    Kafka's does, so the member keeps its membership: no reassignment
    (the first record after any assignment would be checked too);
  * 100 more records per partition are produced and the member reads to
    the end; its final commit equals the log end offsets.

Every wait is bounded (harness.T scales it).
"""

import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402

suite = harness.Suite("coordinator_failover")
S = {}
TOPIC = "fo"
GROUP = "g-failover"
NPART = 6
NOFF = 4
PER = 100
PROPS = {"offsets.topic.replication.factor": "3",
         "offsets.topic.num.partitions": str(NOFF),
         "group.initial.rebalance.delay.ms": "0",
         "zookeeper.session.timeout.ms": "6000",
         "replica.lag.time.max.ms": "5000"}


def java_hash(s):
    """java.lang.String.hashCode of s (UTF-16 code units, int32)."""
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


def offsets_partition(group):
    # Kafka's Utils.abs is x & 0x7fffffff
    return (java_hash(group) & 0x7FFFFFFF) % NOFF


def find_coordinator(broker, group):
    """FindCoordinator v0 asked of broker: (ErrorCode, NodeId)."""
    g = group.encode()
    body = struct.pack(">h", len(g)) + g
    hdr = struct.pack(">hhi", 10, 0, 7) + struct.pack(">h", 8) + b"samsa-it"
    frame = hdr + body
    with socket.create_connection(("127.0.0.1", broker.port),
                                  timeout=T(10)) as s:
        s.sendall(struct.pack(">i", len(frame)) + frame)
        buf = b""
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i",
                                                           buf[:4])[0]:
            chunk = s.recv(65536)
            if not chunk:
                raise AssertionError("connection closed")
            buf += chunk
    err, node = struct.unpack(">hi", buf[8:14])
    return err, node


def consumer(c, extra=None):
    from confluent_kafka import Consumer
    conf = {"bootstrap.servers": c.bootstrap, "group.id": GROUP,
            "auto.offset.reset": "earliest", "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 500, "enable.auto.commit": False,
            "enable.partition.eof": False}
    conf.update(extra or {})
    return Consumer(conf)


def produce(c, start):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": c.bootstrap, "acks": "all"})
    for part in range(NPART):
        for i in range(start, start + PER):
            p.produce(TOPIC, value=b"%d-%d" % (part, i), partition=part)
    assert_eq(p.flush(T(30)), 0, "records left unflushed")


def committed(k):
    from confluent_kafka import TopicPartition
    res = k.committed([TopicPartition(TOPIC, p) for p in range(NPART)],
                      timeout=T(10))
    return {tp.partition: tp.offset for tp in res}


def tps(offsets):
    from confluent_kafka import TopicPartition
    return [TopicPartition(TOPIC, p, o) for p, o in sorted(offsets.items())]


def on_assign(k, parts):
    """A (re)assignment after the kill: the member restarts each
    partition at its committed offset, the last commit."""
    st = S.get("resume")
    if st is None:
        return
    st["gens"] += 1
    for tp in parts:
        st["nxt"][tp.partition] = S["pos"][tp.partition]


def setup():
    from confluent_kafka.admin import AdminClient
    c = suite.cluster(brokers=3, props=PROPS)
    a = AdminClient({"bootstrap.servers": c.bootstrap})

    def controller():
        return a.list_topics(timeout=T(5)).controller_id >= 0
    wait_for(controller, 30, "a controller in the metadata", 0.2)

    c.create_topic(TOPIC, NPART, 3)
    produce(c, 0)
    S["c"] = c
    return c


@suite.test("a group commits; its coordinator is the leader of offsets "
            "partition abs(hash(group)) % 4, on all three replicas")
def t_commit():
    c = setup()
    k = consumer(c)
    k.subscribe([TOPIC], on_assign=on_assign)
    pos = {}
    deadline = time.monotonic() + T(60)
    # about half of every partition: stop taking a partition's records
    # at offset PER/2 by pausing it
    from confluent_kafka import TopicPartition
    while time.monotonic() < deadline and \
            sum(pos.values()) < NPART * PER // 2:
        m = k.poll(0.2)
        if m is None or m.error() is not None:
            continue
        p = m.partition()
        assert_eq(m.offset(), pos.get(p, 0), "in order, from 0, on %d" % p)
        pos[p] = m.offset() + 1
        if pos[p] == PER // 2:
            k.pause([TopicPartition(TOPIC, p)])
    assert_eq(sum(pos.values()), NPART * PER // 2,
              "read half of each partition: %r" % pos)
    k.commit(offsets=[TopicPartition(TOPIC, p, o) for p, o in pos.items()],
             asynchronous=False)
    assert_eq(committed(k), pos, "committed")
    # the member keeps its position; resume every partition, but do not
    # poll (which would deliver) until after the kill
    k.resume([TopicPartition(TOPIC, p) for p in range(NPART)])
    S["k"], S["pos"] = k, pos
    op = offsets_partition(GROUP)
    st = c.partition_state("__consumer_offsets", op)
    assert_eq(sorted(st["isr"]), [0, 1, 2], "offsets partition ISR")
    for b in c.brokers:
        assert_eq(find_coordinator(b, GROUP), (0, st["leader"]),
                  "FindCoordinator on broker %d" % b.id)
    S["coord"] = st["leader"]


@suite.test("kill -9 of the coordinator: a survivor becomes coordinator "
            "and answers the commits intact")
def t_failover():
    from confluent_kafka import Consumer
    c, pos, old = S["c"], S["pos"], S["coord"]
    t0 = time.monotonic()
    c.brokers[old].kill(wait_unregistered=False)
    live = [b for b in c.brokers if b.id != old]
    op = offsets_partition(GROUP)

    seen = {}

    def moved():
        st = seen["state"] = c.partition_state("__consumer_offsets", op)
        seen["found"] = [find_coordinator(b, GROUP) for b in live]
        if st["leader"] in (-1, old):
            return None
        if seen["found"] != [(0, st["leader"])] * len(live):
            return None
        return (st["leader"],)          # broker 0 is a true value too
    try:
        new, = wait_for(moved, 30, "a new coordinator for %s" % GROUP, 0.2)
    except harness.WaitTimeout:
        raise AssertionError("no new coordinator: offsets partition %d "
                             "state %r, FindCoordinator answers %r" %
                             (op, seen.get("state"), seen.get("found")))
    assert new != old, "coordinator moved"
    print("# coordinator %d -> %d after %.1fs" % (old, new,
                                                  time.monotonic() - t0))
    # a client outside the group: OffsetFetch goes to the new coordinator
    other = Consumer({"bootstrap.servers": ",".join(b.bootstrap
                                                    for b in live),
                      "group.id": GROUP})
    got = {}

    def intact():
        got["v"] = committed(other)
        return got["v"] == pos
    try:
        wait_for(intact, 30, "OffsetFetch from the new coordinator", 0.3)
    except harness.WaitTimeout:
        raise AssertionError("committed offsets after the failover: %r, "
                             "want %r" % (got.get("v"), pos))
    finally:
        other.close()


@suite.test("the member resumes at exactly its committed offsets and reads "
            "to the end; the final commit is the log end")
def t_resume():
    from confluent_kafka import KafkaException
    c, k, pos = S["c"], S["k"], S["pos"]
    produce(c, PER)
    end = {p: 2 * PER for p in range(NPART)}
    st = S["resume"] = {"nxt": dict(pos), "first": {}, "gens": 0}
    deadline = time.monotonic() + T(60)
    while time.monotonic() < deadline:
        m = k.poll(0.2)
        if m is not None and m.error() is None:
            p = m.partition()
            st["first"].setdefault((st["gens"], p), m.offset())
            assert_eq(m.offset(), st["nxt"][p], "next record of partition "
                      "%d (assignments since the kill: %d)" %
                      (p, st["gens"]))
            assert_eq(m.value(), b"%d-%d" % (p, m.offset()), "its value")
            st["nxt"][p] = m.offset() + 1
        if st["nxt"] != end:
            continue
        try:
            k.commit(offsets=tps(end), asynchronous=False)
        except KafkaException as e:
            # a rebalance under way: read on (from the last commit)
            print("# final commit retried: %s" % e)
            continue
        break
    assert_eq(st["nxt"], end, "read to the end")
    # every partition, after the kill and after each reassignment the
    # coordinator move caused, starts exactly at the last commit
    for (gen, p), off in sorted(st["first"].items()):
        assert_eq(off, pos[p], "first record of partition %d in "
                  "assignment %d after the kill" % (p, gen))
    last = max(g for g, _p in st["first"])
    assert_eq(sorted(p for g, p in st["first"] if g == last),
              list(range(NPART)), "partitions read in the last assignment")
    print("# assignments after the kill: %d" % st["gens"])
    assert_eq(committed(k), end, "final commit = log end")
    k.close()


@suite.test("the member keeps its membership across the failover: no "
            "reassignment (Kafka's new coordinator loads the members from "
            "the group metadata)")
def t_no_rebalance():
    assert_eq(S["resume"]["gens"], 0, "assignments after the kill")


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

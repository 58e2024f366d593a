#!/usr/bin/python3
"""test_topics.py: what topic configs do to the log, seen through clients.

  * many small segments (segment.bytes=1024): every client reads across
    segment boundaries, ListOffsets by time finds records in old segments;
  * retention (retention.bytes): old segments go, the log start offset
    moves, earliest follows, and reading from it works;
  * compaction (cleanup.policy=compact): the latest value of every key
    survives at its original offset, older ones go;
  * a topic deleted and created again under the same name starts empty;
  * acks=0 producing (no response expected) and a fetch that waits in
    purgatory until a record arrives.
"""

import os
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402
import clients                      # noqa: E402
from clients import Rec             # noqa: E402

suite = harness.Suite("topics")
S = {}


def cluster():
    if "c" not in S:
        S["c"] = suite.cluster(props={
            "log.cleaner.backoff.ms": "200",
            "log.retention.check.interval.ms": "300",
            "log.segment.delete.delay.ms": "0",
            "delete.topic.enable": "true"})
    return S["c"]


def create(c, name, partitions=1, config=None):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    f = a.create_topics([NewTopic(name, partitions, 1, config=config or {})],
                        operation_timeout=T(20))
    f[name].result(T(30))
    c.topic_leader_ready(name, partitions)


def segments(c, topic, partition=0):
    d = os.path.join(c.brokers[0].dir, "data", "%s-%d" % (topic, partition))
    return sorted(f for f in os.listdir(d) if f.endswith(".log"))


@suite.test("many small segments: every client reads across them; "
            "offsets by time in old segments")
def small_segments():
    c = cluster()
    create(c, "segs", config={"segment.bytes": "1024"})
    # recent timestamps: retention.ms (7 days) must not delete segments
    # while the test reads them
    base = int(time.time() * 1000) - 3600 * 1000
    recs = [Rec(b"k%d" % i, b"value-%04d-" % i + b"x" * 40,
                ts=base + i * 10) for i in range(120)]
    ck = clients.Confluent(c.bootstrap)
    for i in range(0, 120, 8):          # several batches per segment
        ck.produce("segs", recs[i:i + 8])
    nseg = len(segments(c, "segs"))
    if nseg < 5:
        raise AssertionError("only %d segments" % nseg)
    for cl in clients.all_clients(c.bootstrap):
        got = cl.consume("segs", 0, 0, 120)
        assert_eq([(r.offset, r.value) for r in got],
                  [(i, r.value) for i, r in enumerate(recs)],
                  "%s reads all %d segments" % (cl.name, nseg))
        got = cl.consume("segs", 0, 77, 3)
        assert_eq([r.offset for r in got], [77, 78, 79],
                  "%s seek into a middle segment" % cl.name)
    for cl in (clients.KafkaPython(c.bootstrap), ck,
               clients.Kcat(c.bootstrap)):
        for i in (0, 33, 64, 119):
            assert_eq(cl.by_time("segs", 0, base + i * 10 - 5), i,
                      "%s offset for time of record %d" % (cl.name, i))


@suite.test("retention.bytes: old segments go, earliest follows, reads "
            "from the new start work")
def retention():
    c = cluster()
    create(c, "ret", config={"segment.bytes": "1024",
                             "retention.bytes": "2048"})
    ck = clients.Confluent(c.bootstrap)
    for i in range(0, 100, 5):
        ck.produce("ret", [Rec(None, b"r%03d-" % j + b"y" * 60)
                           for j in range(i, i + 5)])
    wait_for(lambda: ck.earliest("ret", 0) > 0, 20,
             "the log start offset to move")
    start = ck.earliest("ret", 0)
    assert_eq(ck.latest("ret", 0), 100, "latest after retention")
    for cl in clients.all_clients(c.bootstrap):
        if cl.name != "kafkajs":
            assert_eq(cl.earliest("ret", 0) >= start, True,
                      "%s earliest %d >= %d" % (cl.name,
                                                cl.earliest("ret", 0), start))
        got = cl.consume("ret", 0, 99, 1)
        assert_eq(got[0].value[:5], b"r099-", "%s reads the tail" % cl.name)
    start = ck.earliest("ret", 0)
    got = ck.consume("ret", 0, start, 100 - start)
    assert_eq([r.offset for r in got], list(range(start, 100)),
              "offsets from the log start")
    # a consumer asking below the start is reset by the client
    kp = clients.KafkaPython(c.bootstrap)
    got = kp.consume("ret", 0, 0, 1)
    assert_eq(got[0].offset >= start, True, "kafka-python reset to start")


@suite.test("compaction: the latest value of each key survives at its "
            "offset")
def compaction():
    c = cluster()
    create(c, "compacted", config={"cleanup.policy": "compact",
                                   "segment.bytes": "1024",
                                   "min.cleanable.dirty.ratio": "0.01",
                                   "segment.ms": "100"})
    ck = clients.Confluent(c.bootstrap)
    latest = {}
    n = 0
    for rnd in range(12):
        batch = [Rec(b"key-%d" % k, b"v%d-%d-" % (rnd, k) + b"z" * 30)
                 for k in range(8)]
        offs = ck.produce("compacted", batch)
        for r, o in zip(batch, offs):
            latest[r.key] = (o, r.value)
        n += len(batch)
        time.sleep(0.02)
    # one more record later so that the segment holding the last round
    # is not the active one
    time.sleep(0.3)
    ck.produce("compacted", [Rec(b"other", b"tail")])

    def compacted():
        # done when every key is left once (8 keys and "tail"): the
        # segments holding the last round were rolled (segment.ms) before
        # "tail" came, so the cleaner gets to them; until then the
        # clients below would read a log that is still shrinking
        got = ck.consume("compacted", 0, ck.earliest("compacted", 0),
                         len(latest) + 1)
        keys = [r.key for r in got]
        done = len(keys) == len(set(keys)) and \
            got[-1].offset == ck.latest("compacted", 0) - 1
        return got if done else None
    # cleaner backoff 200 ms, segment.ms 100: seconds at most
    got = wait_for(compacted, 10, "the cleaner to compact", 0.5)
    seen = {}
    for r in got:
        seen.setdefault(r.key, []).append((r.offset, r.value))
    for k, (o, v) in latest.items():
        if (o, v) not in seen.get(k, []):
            raise AssertionError("%r: latest value at offset %d lost; "
                                 "have %r" % (k, o, seen.get(k)))
    offs = [r.offset for r in got]
    assert_eq(offs, sorted(set(offs)), "offsets increase")
    print("# %d records left of %d" % (len(got), n + 1))
    # every client reads the compacted log (offset gaps included)
    for cl in clients.all_clients(c.bootstrap):
        mine = cl.consume("compacted", 0, got[0].offset, len(got))
        assert_eq([(r.offset, r.value) for r in mine],
                  [(r.offset, r.value) for r in got],
                  "%s reads the compacted log" % cl.name)


@suite.test("a topic deleted and created again starts empty")
def recreate():
    from confluent_kafka.admin import AdminClient
    c = cluster()
    create(c, "again", 2)
    ck = clients.Confluent(c.bootstrap)
    ck.produce("again", [Rec(None, b"old-%d" % i) for i in range(5)])
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    a.delete_topics(["again"])["again"].result(T(30))
    wait_for(lambda: not c.kazoo().exists("/brokers/topics/again"), 20,
             "again gone from ZooKeeper")
    wait_for(lambda: not os.path.exists(os.path.join(
        c.brokers[0].dir, "data", "again-0")), 20,
        "again-0 gone from the log dir")
    create(c, "again", 1)
    ck.produce("again", [Rec(None, b"new")])
    assert_eq((ck.earliest("again", 0), ck.latest("again", 0)), (0, 1),
              "offsets of the new topic")
    assert_eq(ck.consume("again", 0, 0, 1)[0].value, b"new", "new record")


@suite.test("acks=0 produce (no response), and a fetch waiting in "
            "purgatory wakes up on append")
def acks0_and_long_poll():
    c = cluster()
    create(c, "lp")
    ck = clients.Confluent(c.bootstrap)
    ck.produce("lp", [Rec(None, b"a0-%d" % i) for i in range(20)], acks=0)
    wait_for(lambda: ck.latest("lp", 0) == 20, 10, "20 records (acks=0)")
    got = ck.consume("lp", 0, 0, 20)
    assert_eq([r.value for r in got], [b"a0-%d" % i for i in range(20)],
              "acks=0 records")
    # kafka-python waits up to fetch_max_wait_ms (500) per fetch; a
    # broker that answers only at the deadline still passes, so use a
    # long wait and measure the delay
    from kafka import KafkaConsumer, TopicPartition
    cons = KafkaConsumer(bootstrap_servers=c.bootstrap, group_id=None,
                         enable_auto_commit=False, fetch_max_wait_ms=10000)
    try:
        tp = TopicPartition("lp", 0)
        cons.assign([tp])
        cons.seek(tp, 20)
        cons.poll(timeout_ms=1000)      # the fetch is now parked
        sent = []

        def later():
            time.sleep(1.0)
            sent.append(time.monotonic())
            clients.Confluent(c.bootstrap).produce("lp", [Rec(None, b"wake")])
        th = threading.Thread(target=later)
        th.start()
        deadline = time.monotonic() + T(9)
        got = None
        while got is None and time.monotonic() < deadline:
            for msgs in cons.poll(timeout_ms=200).values():
                got = (msgs[0].value, time.monotonic())
        th.join(T(30))
        assert got is not None, "the waiting fetch never returned the record"
        assert_eq(got[0], b"wake", "value")
        delay = got[1] - sent[0]
        print("# parked fetch answered %.0f ms after the append" %
              (delay * 1000))
        if delay > 3.0:
            raise AssertionError("the parked fetch took %.1fs after the "
                                 "append (fetch.max.wait 10s)" % delay)
    finally:
        cons.close()


@suite.test("min.insync.replicas=2 on one broker: acks=all is refused "
            "with NOT_ENOUGH_REPLICAS, acks=1 is accepted")
def min_isr():
    c = cluster()
    create(c, "isr2", config={"min.insync.replicas": "2"})
    ck = clients.Confluent(c.bootstrap)
    try:
        ck.produce("isr2", [Rec(None, b"all")], acks=-1,
                   extra={"message.timeout.ms": int(T(5) * 1000),
                          "retries": 0})
    except clients.ProduceError as e:
        assert_eq(e.kind, "NOT_ENOUGH_REPLICAS", "acks=all error")
    else:
        raise AssertionError("acks=all accepted with 1 of 2 in sync")
    assert_eq(ck.produce("isr2", [Rec(None, b"one")], acks=1), [0],
              "acks=1 offset (nothing of the refused record appended)")


if __name__ == "__main__":
    suite.main(modules=("kazoo", "kafka", "confluent_kafka"))

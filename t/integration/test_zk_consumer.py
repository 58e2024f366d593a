#!/usr/bin/python3
"""test_zk_consumer.py: libsamsa's 0.8 ZooKeeper-coordinated consumer,
through kafka-console-consumer.sh --zookeeper (issue 6 §2).

  * one member of group g registers under /consumers/g/ids, owns every
    partition of a 4-partition topic (/consumers/g/owners), reads
    everything from the beginning and commits to /consumers/g/offsets;
  * a second member joins: the group rebalances to two ranges of two
    partitions (0.8's range assignment), new records go to exactly one
    member each, nobody re-reads what was committed;
  * kill -9 of a member: when its ZooKeeper session expires the survivor
    takes all partitions and gets every new record;
  * SIGTERM commits: the offsets in ZooKeeper are the log end offsets;
  * partition.assignment.strategy=roundrobin deals the partitions as
    0.8.2's RoundRobinAssignor does;
  * offsets.storage=kafka commits through the group coordinator (and to
    ZooKeeper too with dual.commit.enabled) and restarts from there.
"""

import os
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402
import clients                      # noqa: E402

suite = harness.Suite("zk_consumer")
BIN = os.path.join(harness.SRCDIR, "bin")
TOPIC = "zc"
S = {}


def env():
    return harness.tool_env()


class Member:
    """A kafka-console-consumer.sh --zookeeper process; its output lines
    ("<partition>\\t<value>") collected by a thread."""

    def __init__(self, c, group="g", extra=()):
        self.lines = []
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "kafka-console-consumer.sh"),
             "--zookeeper", c.zk.connect(c.chroot), "--topic", TOPIC,
             "--group", group, "--from-beginning"] + list(extra) + [
             "--property", "print.partition=true",
             "--consumer-property", "auto.commit.interval.ms=300",
             "--consumer-property", "zookeeper.session.timeout.ms=4000",
             "--consumer-property", "rebalance.backoff.ms=500",
             "--consumer-property", "rebalance.max.retries=20"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env())
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for ln in self.proc.stdout:
            p, v = ln.decode().rstrip("\n").split("\t", 1)
            self.lines.append((int(p.split(":")[1]), v))

    def values(self):
        return [v for _, v in self.lines]


def owners(c, group="g"):
    zk = c.kazoo()
    base = "/consumers/%s/owners/%s" % (group, TOPIC)
    if not zk.exists(base):
        return {}
    return {int(p): zk.get("%s/%s" % (base, p))[0].decode()
            for p in zk.get_children(base)}


def offsets(c):
    zk = c.kazoo()
    base = "/consumers/g/offsets/%s" % TOPIC
    if not zk.exists(base):
        return {}
    return {int(p): int(zk.get("%s/%s" % (base, p))[0])
            for p in zk.get_children(base)}


def produce(c, tag):
    cl = clients.Confluent(c.bootstrap)
    for p in range(4):
        cl.produce(TOPIC, [clients.Rec(value=b"%s-%d-%d" % (tag, p, i))
                           for i in range(10)], partition=p)
    return {"%s-%d-%d" % (tag.decode(), p, i)
            for p in range(4) for i in range(10)}


@suite.test("one member owns every partition, reads from the beginning "
            "and commits to ZooKeeper")
def t_one_member():
    c = S["c"] = suite.cluster()
    harness.run([os.path.join(BIN, "kafka-topics.sh"), "--zookeeper",
                 c.zk.connect(c.chroot), "--create", "--topic", TOPIC,
                 "--partitions", "4", "--replication-factor", "1"], 60,
                env=env())
    c.topic_leader_ready(TOPIC, 4)
    want = produce(c, b"a")
    a = S["a"] = Member(c)
    wait_for(lambda: len(a.lines) >= 40, T(30), "40 records", 0.1)
    assert_eq(set(a.values()), want, "records")
    ids = c.kazoo().get_children("/consumers/g/ids")
    assert_eq(len(ids), 1, "registered members")
    wait_for(lambda: len(owners(c)) == 4, T(10), "4 owners", 0.1)
    assert_eq(set(owners(c).values()), {ids[0] + "-0"}, "owner")
    wait_for(lambda: offsets(c) == {0: 10, 1: 10, 2: 10, 3: 10}, T(10),
             "committed offsets 10", 0.1)


@suite.test("a second member joins: two ranges of two partitions, each "
            "new record read by exactly one member, nothing re-read")
def t_two_members():
    c, a = S["c"], S["a"]
    b = S["b"] = Member(c)

    def split():
        o = owners(c)
        if len(o) != 4 or len(set(o.values())) != 2:
            return None
        return o
    o = wait_for(split, T(30), "owners split between two members", 0.1)
    assert o[0] == o[1] and o[2] == o[3] and o[0] != o[2], \
        "not two ranges: %r" % o
    na, nb = len(a.lines), len(b.lines)
    assert_eq(nb, 0, "records the new member re-read")
    want = produce(c, b"b")
    wait_for(lambda: len(a.lines) + len(b.lines) >= na + nb + 40, T(30),
             "40 new records", 0.1)
    time.sleep(0.5)                 # duplicates would show up by now
    got = a.values()[na:] + b.values()[nb:]
    assert_eq(sorted(got), sorted(want), "new records, once each")
    pa = {p for p, _ in a.lines[na:]}
    pb = {p for p, _ in b.lines[nb:]}
    assert_eq(len(pa & pb), 0, "partitions read by both")


@suite.test("kill -9 a member: after its session expires the survivor "
            "owns everything and reads every new record")
def t_member_dies():
    c, a, b = S["c"], S["a"], S["b"]
    harness.reap(b.proc, signal.SIGKILL, 10)
    wait_for(lambda: len(c.kazoo().get_children("/consumers/g/ids")) == 1,
             T(30), "the dead member's registration to expire", 0.2)
    wait_for(lambda: len(owners(c)) == 4 and
             len(set(owners(c).values())) == 1, T(30),
             "one owner of all partitions", 0.1)
    na = len(a.lines)
    want = produce(c, b"c")
    wait_for(lambda: want <= set(a.values()[na:]), T(30),
             "every new record at the survivor", 0.1)


@suite.test("SIGTERM commits: ZooKeeper's offsets are the log end offsets")
def t_close_commits():
    c, a = S["c"], S["a"]
    a.proc.send_signal(signal.SIGTERM)
    assert_eq(a.proc.wait(T(30)), 0, "exit status")
    assert_eq(offsets(c), {0: 30, 1: 30, 2: 30, 3: 30}, "offsets")
    assert_eq(owners(c), {}, "owners left")
    assert_eq(c.kazoo().get_children("/consumers/g/ids"), [], "members")


def java_hash(s):
    h = 0
    for ch in s.encode():
        h = (31 * h + ch) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


@suite.test("partition.assignment.strategy=roundrobin: 0.8.2's order "
            "(Java hash of [topic,partition]) dealt to the sorted members")
def t_roundrobin():
    c = S["c"]
    rr = ["--consumer-property", "partition.assignment.strategy=roundrobin"]
    a, b = Member(c, "grr", rr), Member(c, "grr", rr)
    try:
        def split():
            o = owners(c, "grr")
            return o if len(o) == 4 and len(set(o.values())) == 2 else None
        o = wait_for(split, T(30), "owners split between two members", 0.1)
        threads = sorted(set(o.values()))
        order = sorted(range(4), key=lambda p: java_hash("[%s,%d]" %
                                                         (TOPIC, p)))
        want = {p: threads[i % 2] for i, p in enumerate(order)}
        assert_eq(o, want, "round-robin owners")
    finally:
        for m in (a, b):
            harness.reap(m.proc, signal.SIGTERM, 30)


def kafka_offsets(c, group):
    from confluent_kafka import Consumer, TopicPartition
    k = Consumer({"bootstrap.servers": c.bootstrap, "group.id": group,
                  "enable.auto.commit": False})
    try:
        got = k.committed([TopicPartition(TOPIC, p) for p in range(4)],
                          timeout=T(20))
        return {tp.partition: tp.offset for tp in got if tp.offset >= 0}
    finally:
        k.close()


def offsets_of(c, group):
    zk = c.kazoo()
    base = "/consumers/%s/offsets/%s" % (group, TOPIC)
    if not zk.exists(base):
        return {}
    return {int(p): int(zk.get("%s/%s" % (base, p))[0])
            for p in zk.get_children(base)}


@suite.test("offsets.storage=kafka commits through the coordinator; "
            "dual.commit.enabled (0.8.2's default) also to ZooKeeper")
def t_kafka_storage():
    c = S["c"]
    end = {p: 30 for p in range(4)}
    for group, dual in (("gkd", "true"), ("gk", "false")):
        m = Member(c, group, ["--consumer-property",
                              "offsets.storage=kafka", "--consumer-property",
                              "dual.commit.enabled=" + dual])
        wait_for(lambda: len(m.lines) >= 120, T(30), "120 records", 0.1)
        m.proc.send_signal(signal.SIGTERM)
        assert_eq(m.proc.wait(T(30)), 0, "exit status")
        assert_eq(kafka_offsets(c, group), end, "Kafka offsets of " + group)
        assert_eq(offsets_of(c, group), end if dual == "true" else {},
                  "ZooKeeper offsets of " + group)
    # a restarted kafka-storage member starts from Kafka's offsets
    m = Member(c, "gk", ["--consumer-property", "offsets.storage=kafka",
                         "--consumer-property", "dual.commit.enabled=false"])
    time.sleep(T(3))
    harness.reap(m.proc, signal.SIGTERM, 30)
    assert_eq(len(m.lines), 0, "records read again")


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

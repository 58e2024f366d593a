#!/usr/bin/python3
"""test_group_consumer.py: libsamsa's broker-coordinated group consumer
(issue 6 §2), through t/integration/group_member (a small libsamsa
program printing one line per event) against a real broker.

  * one member gets every partition, reads everything, commits
    synchronously; the rebalance callback, the interceptors, position,
    committed, pause/resume and seek behave; close revokes and commits;
  * the next member of the group starts from the committed offsets;
  * two members split the partitions (range); one leaves with
    LeaveGroup and the other takes everything at once;
  * librdkafka (confluent-kafka) and libsamsa members in one group share
    the partitions disjointly and read every record once;
  * roundrobin and sticky assignment, chosen by
    partition.assignment.strategy;
  * a pattern subscription picks up a topic created while it runs;
  * offsets.storage=zookeeper and dual.commit.enabled put the offsets in
    /consumers/<group>/offsets (and in __consumer_offsets for dual);
  * a member that does not poll within max.poll.interval.ms leaves the
    group and rejoins at its next poll; async commits report through
    their callback;
  * kill -9: the survivor gets the dead member's partitions after
    session.timeout.ms;
  * static members: a restart within the session keeps the assignment
    and the other member sees no rebalance;
  * kill -9 of the coordinator in a 3-broker cluster: the member finds
    the new coordinator and goes on from its commits;
  * an unknown assignor is refused at creation.
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

suite = harness.Suite("group_consumer")
S = {}
ERR_STATE = -186


def member_bin():
    d = os.environ.get("top_builddir") or os.environ.get("SAMSA_BUILD_DIR")
    for base in ([d] if d else []) + [os.path.join(harness.SRCDIR, "build",
                                                   "dev")]:
        p = os.path.join(base, "t", "integration", "group_member")
        if os.access(p, os.X_OK):
            return p
    raise harness.Fatal("t/integration/group_member not built")


class Member:
    """A group_member process; its stdout lines collected by a thread,
    its stderr (samsa's log) in a file shown when it fails."""

    n = 0

    def __init__(self, c, group, topics=(), pattern=None, conf=None,
                 args=()):
        argv = [member_bin(), "-b", c.bootstrap, "-g", group]
        for t in topics:
            argv += ["-t", t]
        if pattern:
            argv += ["-p", pattern]
        base = {"session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500"}
        base.update(conf or {})
        for k, v in base.items():
            argv += ["-X", "%s=%s" % (k, v)]
        self.lines = []
        Member.n += 1
        self.errlog = os.path.join(suite.tmp, "member-%d.err" % Member.n)
        with open(self.errlog, "w") as err:
            self.proc = subprocess.Popen(list(argv) + list(args),
                                         stdout=subprocess.PIPE, stderr=err)
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for ln in self.proc.stdout:
            self.lines.append(ln.decode().rstrip("\n"))

    def wait(self, seconds=60):
        rc = self.proc.wait(T(seconds))
        self.t.join(T(10))
        if rc not in (0, -9):
            with open(self.errlog) as f:
                sys.stdout.write("# member stderr:\n" + "".join(
                    "#   " + ln for ln in f.readlines()[-30:]))
        return rc

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.wait(30)

    def kind(self, k):
        return [ln for ln in self.lines if ln.split(" ", 1)[0] == k]

    def values(self, start=0):
        return [ln.split(" ", 4)[4] for ln in self.lines[start:]
                if ln.startswith("msg ")]

    def assigned(self):
        """The last assignment, as a set of "topic-partition"."""
        a = self.kind("assigned")
        return set(a[-1].split()[1:]) if a else None

    def done(self):
        d = self.kind("done")
        assert d, "no done line: %r" % self.lines[-10:]
        return dict(kv.split("=") for kv in d[-1].split()[1:])


def create(c, name, partitions):
    c.create_topic(name, partitions)


def produce(c, topic, tag, partitions=4, per=10):
    return clients.produce_tagged(c.bootstrap, topic, tag, partitions, per)


def kafka_committed(c, group, topic, partitions=4):
    return clients.group_committed(c.bootstrap, group, topic, partitions)


def zk_offsets(c, group, topic):
    zk = c.kazoo()
    base = "/consumers/%s/offsets/%s" % (group, topic)
    if not zk.exists(base):
        return {}
    return {int(p): int(zk.get("%s/%s" % (base, p))[0])
            for p in zk.get_children(base)}


ALL4 = {"gc-0", "gc-1", "gc-2", "gc-3"}


@suite.test("one member: every partition, every record, sync commits; "
            "callbacks, interceptors, position/committed/pause/seek")
def t_one_member():
    c = S["c"] = suite.cluster()
    create(c, "gc", 4)
    want = produce(c, "gc", b"a")
    m = Member(c, "g1", ["gc"], args=["--max", "40", "--checks"])
    assert_eq(m.wait(), 0, "exit status")
    assert_eq(m.assigned(), ALL4, "assignment")
    assert_eq(sorted(m.values()), want, "records")
    d = m.done()
    assert_eq((d["consumed"], d["on_consume"], d["close"]),
              ("40", "40", "0"), "done line")
    checks = {ln.split()[1]: ln.split()[2:] for ln in m.kind("check")}
    # the checks ran after the first batch, on its first partition
    upto = m.lines.index([ln for ln in m.lines if ln.startswith("check")][0])
    msgs = [ln.split() for ln in m.lines[:upto] if ln.startswith("msg ")]
    tp = msgs[0][1:3]
    last = max(int(x[3]) for x in msgs if x[1:3] == tp)
    assert_eq(checks["position"], ["0", str(last + 1)],
              "position after the first batch")
    assert_eq(checks["committed"], ["0", "-1"], "committed before any")
    for k in ("pause", "seek", "resume"):
        assert_eq(checks[k], ["0"], k)
    assert_eq(checks["seek_unassigned"], [str(ERR_STATE)], "seek elsewhere")
    assert m.kind("on_commit"), "the on_commit interceptor never ran"
    assert_eq(set(m.kind("revoked")[-1].split()[1:]), ALL4,
              "revoked at close")
    assert_eq(kafka_committed(c, "g1", "gc"), {0: 10, 1: 10, 2: 10, 3: 10},
              "committed offsets")


@suite.test("the next member of the group starts at the committed offsets")
def t_resume():
    c = S["c"]
    want = produce(c, "gc", b"b", per=2)
    m = Member(c, "g1", ["gc"], args=["--max", "8", "--idle", "3000"])
    assert_eq(m.wait(), 0, "exit status")
    assert_eq(sorted(m.values()), want, "only the new records")
    assert_eq(kafka_committed(c, "g1", "gc"), {0: 12, 1: 12, 2: 12, 3: 12},
              "committed offsets")


def two_split(a, b):
    x, y = a.assigned(), b.assigned()
    if not x or not y or len(x) + len(y) != 4 or x | y != ALL4:
        return None
    return x, y


@suite.test("two members split the partitions (range); LeaveGroup hands "
            "the leaver's partitions to the other at once")
def t_two_members():
    c = S["c"]
    a = Member(c, "g2", ["gc"], args=["--run", "90000", "--idle", "90000"])
    wait_for(lambda: a.assigned() == ALL4, T(30), "a owns everything", 0.1)
    b = Member(c, "g2", ["gc"], args=["--run", "90000", "--idle", "90000"])
    x, y = wait_for(lambda: two_split(a, b), T(30), "a 2/2 split", 0.1)
    for s in (x, y):
        parts = sorted(int(tp.split("-")[1]) for tp in s)
        assert_eq(parts[1] - parts[0], 1, "a range of two: %r" % s)
    na = len(a.lines)
    t0 = time.monotonic()
    assert_eq(b.stop(), 0, "b's exit status")
    wait_for(lambda: a.assigned() == ALL4, T(20), "a owns everything again",
             0.1)
    took = time.monotonic() - t0
    assert took < 5.5, "took %.1fs: b did not leave (session timeout?)" % took
    n = len(a.lines)
    want = produce(c, "gc", b"c", per=1)
    wait_for(lambda: sorted(a.values(n)) == want, T(30), "new records at a",
             0.1)
    assert a.lines[na:].count("revoked " + " ".join(sorted(x))) <= 1
    assert_eq(a.stop(), 0, "a's exit status")


@suite.test("librdkafka and libsamsa members in one group share the "
            "partitions and read every record once")
def t_mixed_group():
    from confluent_kafka import Consumer
    c = S["c"]
    create(c, "mix", 4)
    got_rk, assigned_rk, stop = [], [], threading.Event()

    def rk():
        k = Consumer({"bootstrap.servers": c.bootstrap, "group.id": "gm",
                      "auto.offset.reset": "earliest",
                      "partition.assignment.strategy": "range",
                      "session.timeout.ms": 6000,
                      "on_commit": lambda e, p: None})
        k.subscribe(["mix"], on_assign=lambda _, ps: assigned_rk.append(
            {"mix-%d" % p.partition for p in ps}))
        try:
            while not stop.is_set():
                msg = k.poll(0.2)
                if msg is not None and msg.error() is None:
                    got_rk.append(msg.value().decode())
        finally:
            k.close()
    th = threading.Thread(target=rk, daemon=True)
    th.start()
    m = Member(c, "gm", ["mix"], args=["--run", "90000", "--idle", "90000"])
    all4 = {"mix-%d" % p for p in range(4)}

    def split():
        x = m.assigned()
        y = assigned_rk[-1] if assigned_rk else None
        return x is not None and y is not None and len(x) == 2 and \
            len(y) == 2 and x | y == all4
    wait_for(split, T(40), "libsamsa and librdkafka 2/2", 0.1)
    want = produce(c, "mix", b"m")
    wait_for(lambda: len(got_rk) + len(m.values()) >= 40, T(30),
             "40 records", 0.1)
    time.sleep(1)
    assert_eq(sorted(got_rk + m.values()), want, "records, once each")
    stop.set()
    th.join(T(20))
    assert_eq(m.stop(), 0, "exit status")


@suite.test("roundrobin and sticky assignment")
def t_assignors():
    c = S["c"]
    conf = {"partition.assignment.strategy": "roundrobin"}
    args = ["--run", "60000", "--idle", "60000"]
    a = Member(c, "grr", ["gc"], conf=conf, args=args)
    wait_for(lambda: a.assigned() == ALL4, T(30), "a owns everything", 0.1)
    b = Member(c, "grr", ["gc"], conf=conf, args=args)
    x, y = wait_for(lambda: two_split(a, b), T(30), "a 2/2 split", 0.1)
    assert {frozenset(x), frozenset(y)} == \
        {frozenset({"gc-0", "gc-2"}), frozenset({"gc-1", "gc-3"})}, \
        "round robin: %r %r" % (x, y)
    a.stop()
    b.stop()
    conf = {"partition.assignment.strategy": "sticky"}
    a = Member(c, "gst", ["gc"], conf=conf, args=args)
    b = Member(c, "gst", ["gc"], conf=conf, args=args)
    x, y = wait_for(lambda: two_split(a, b), T(30), "a 2/2 split", 0.1)
    d = Member(c, "gst", ["gc"], conf=conf, args=args)

    def three():
        s = [m.assigned() for m in (a, b, d)]
        if any(v is None for v in s) or sum(len(v) for v in s) != 4 or \
                set().union(*s) != ALL4 or s[2] == y or s[2] == x:
            return None
        return s
    s = wait_for(three, T(30), "a 3-way sticky split", 0.1)
    assert s[0] <= x and s[1] <= y, "sticky moved partitions: %r -> %r" % (
        (x, y), s)
    for m in (a, b, d):
        m.stop()


@suite.test("a pattern subscription picks up a topic created later")
def t_pattern():
    c = S["c"]
    create(c, "pat-a", 1)
    m = Member(c, "gp", pattern="pat-.*",
               conf={"metadata.max.age.ms": "1000"},
               args=["--run", "60000", "--idle", "60000"])
    wait_for(lambda: m.assigned() == {"pat-a-0"}, T(30), "pat-a", 0.1)
    create(c, "pat-b", 1)
    create(c, "other", 1)
    wait_for(lambda: m.assigned() == {"pat-a-0", "pat-b-0"}, T(30),
             "pat-a and pat-b", 0.1)
    want = produce(c, "pat-b", b"p", partitions=1, per=3)
    wait_for(lambda: sorted(m.values()) == want, T(30), "pat-b's records",
             0.1)
    assert_eq(m.stop(), 0, "exit status")


@suite.test("offsets.storage=zookeeper and dual.commit.enabled")
def t_zk_offsets():
    c = S["c"]
    m = Member(c, "gz", ["gc"], conf={"offsets.storage": "zookeeper"},
               args=["--max", "52"])
    assert_eq(m.wait(), 0, "exit status")
    assert_eq(zk_offsets(c, "gz", "gc"), {0: 13, 1: 13, 2: 13, 3: 13},
              "ZooKeeper offsets")
    m = Member(c, "gd", ["gc"], conf={"dual.commit.enabled": "true"},
               args=["--max", "52"])
    assert_eq(m.wait(), 0, "exit status")
    assert_eq(zk_offsets(c, "gd", "gc"), {0: 13, 1: 13, 2: 13, 3: 13},
              "dual: ZooKeeper offsets")
    assert_eq(kafka_committed(c, "gd", "gc"), {0: 13, 1: 13, 2: 13, 3: 13},
              "dual: Kafka offsets")


@suite.test("max.poll.interval.ms passed: the member leaves and rejoins; "
            "async commits call back")
def t_poll_interval():
    c = S["c"]
    m = Member(c, "gi", ["gc"], conf={"max.poll.interval.ms": "2000",
                                      "max.poll.records": "5"},
               args=["--commit", "async", "--stall", "4000", "--max", "52",
                     "--idle", "15000"])
    assert_eq(m.wait(), 0, "exit status")
    assert len(m.kind("assigned")) >= 2, "did not rejoin: %r" % m.lines[:5]
    cbs = m.kind("commit_cb")
    assert cbs and cbs[-1].split()[1] == "0", "commit callbacks: %r" % cbs
    assert_eq(kafka_committed(c, "gi", "gc"), {0: 13, 1: 13, 2: 13, 3: 13},
              "committed offsets")


@suite.test("kill -9: the survivor gets the partitions after "
            "session.timeout.ms")
def t_kill():
    c = S["c"]
    args = ["--run", "90000", "--idle", "90000"]
    a = Member(c, "gk", ["gc"], args=args)
    b = Member(c, "gk", ["gc"], args=args)
    wait_for(lambda: two_split(a, b), T(30), "a 2/2 split", 0.1)
    harness.reap(b.proc, signal.SIGKILL, 10)
    wait_for(lambda: a.assigned() == ALL4, T(30), "a owns everything", 0.2)
    assert_eq(a.stop(), 0, "exit status")


@suite.test("static members (group.instance.id): a member restarted "
            "within session.timeout.ms gets its partitions back and the "
            "other sees no rebalance")
def t_static():
    c = S["c"]
    args = ["--run", "90000", "--idle", "90000"]
    a = Member(c, "gs", ["gc"], conf={"group.instance.id": "ia"}, args=args)
    wait_for(lambda: a.assigned() == ALL4, T(30), "a owns everything", 0.1)
    b = Member(c, "gs", ["gc"], conf={"group.instance.id": "ib"}, args=args)
    x, y = wait_for(lambda: two_split(a, b), T(30), "a 2/2 split", 0.1)
    na = len(a.lines)
    assert_eq(b.stop(), 0, "b's exit status")
    b2 = Member(c, "gs", ["gc"], conf={"group.instance.id": "ib"},
                args=args)
    wait_for(lambda: b2.assigned() is not None, T(30), "b's return", 0.1)
    assert_eq(b2.assigned(), y, "b's partitions after its restart")
    time.sleep(1)
    assert_eq([ln for ln in a.lines[na:] if not ln.startswith("msg ")], [],
              "a's events while b restarted")
    a.stop()
    b2.stop()


@suite.test("kill -9 of the coordinator (3 brokers): the member finds the "
            "new one and carries on from its commits")
def t_coordinator_failover():
    import test_coordinator_failover as tcf
    c = suite.cluster(brokers=3, props=tcf.PROPS)
    c.create_topic("cf", 4, 3)
    want = produce(c, "cf", b"x")
    m = Member(c, "g-cf", ["cf"], args=["--run", "120000", "--idle",
                                        "120000"])
    wait_for(lambda: sorted(m.values()) == want, T(30), "40 records", 0.1)
    # the member commits after printing: kill only once its commit of
    # the last batch was answered (an on_commit line after the last
    # record; a committed() read could see the coordinator's cache before
    # the commit is replicated and answered)
    def committed_last():
        last = max(i for i, ln in enumerate(m.lines)
                   if ln.startswith("msg "))
        return any(ln.startswith("on_commit ") for ln in m.lines[last:])
    wait_for(committed_last, T(30), "the member's last commit", 0.1)
    op = (tcf.java_hash("g-cf") & 0x7FFFFFFF) % tcf.NOFF
    old = c.partition_state("__consumer_offsets", op)["leader"]
    n = len(m.lines)
    c.brokers[old].kill(wait_unregistered=False)
    live = [b for b in c.brokers if b.id != old]
    wait_for(lambda: c.partition_state("__consumer_offsets", op)["leader"]
             not in (-1, old), T(30), "a new coordinator", 0.2)
    cl = clients.Confluent(",".join(b.bootstrap for b in live))
    for p in range(4):
        cl.produce("cf", [clients.Rec(value=b"y-%d-%d" % (p, i))
                          for i in range(5)], partition=p, acks=-1)
    new = sorted("y-%d-%d" % (p, i) for p in range(4) for i in range(5))
    wait_for(lambda: len(m.values(n)) >= 20, T(60), "the new records", 0.2)
    time.sleep(1)
    if sorted(m.values(n)) != new:
        with open(m.errlog) as f:
            sys.stdout.write("# member stderr:\n" + "".join(
                "#   " + ln for ln in f.readlines()[-40:]))
    assert_eq(sorted(m.values(n)), new, "new records, no rewind")
    assert_eq(m.stop(), 0, "exit status")
    got = kafka_committed(type("C", (), {"bootstrap": cl.bootstrap})(),
                          "g-cf", "cf")
    assert_eq(got, {0: 15, 1: 15, 2: 15, 3: 15}, "committed offsets")


@suite.test("an unknown assignor is refused at creation")
def t_bad_assignor():
    c = S["c"]
    m = Member(c, "gb", ["gc"],
               conf={"partition.assignment.strategy": "range,bogus"})
    assert_eq(m.wait(), 1, "exit status")
    assert "bogus" in m.lines[0], m.lines


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

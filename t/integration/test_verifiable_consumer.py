#!/usr/bin/python3
"""test_verifiable_consumer.py: the tools over libsamsa's group consumer
(issue 6 §4) against a real broker.

  * kafka-verifiable-consumer.sh: every line is JSON with Kafka's event
    names; records_consumed adds up to what was produced, record_data
    (--verbose) carries every value, offsets_committed ends at the log
    end and matches the group's committed offsets;
  * two verifiable consumers in one group split the partitions
    (partitions_assigned disjoint and covering); kill -9 of one: the other
    gets every partition and consumes the rest; every offset of every
    partition is consumed, and a record is consumed twice only if the
    dead member had not committed it;
  * a samsa verifiable consumer and a librdkafka (confluent-kafka)
    consumer in one group share the partitions and read everything once;
  * kafka-console-consumer.sh --group: a round trip, and a second run of
    the group continues from the committed offset; --whitelist; the
    generated console-consumer-<n> group commits nothing; --group with
    --partition and mismatching group ids are refused with Kafka's
    messages.
"""

import json
import os
import re
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

suite = harness.Suite("verifiable_consumer")
S = {}
BIN = os.path.join(harness.SRCDIR, "bin")
NAMES = {"startup_complete", "partitions_revoked", "partitions_assigned",
         "records_consumed", "offsets_committed", "record_data",
         "shutdown_complete"}


def env():
    return harness.tool_env()


def cluster():
    if "c" not in S:
        S["c"] = suite.cluster()
    return S["c"]


def create(c, name, partitions):
    c.create_topic(name, partitions)


def produce(c, topic, tag, partitions, per):
    return clients.produce_tagged(c.bootstrap, topic, tag, partitions, per)


def committed(c, group, topic, partitions):
    return clients.group_committed(c.bootstrap, group, topic, partitions)


def events(lines):
    """Every line parsed; each must be a JSON object with a known name
    and a timestamp."""
    out = []
    for ln in lines:
        e = json.loads(ln)
        if e.get("name") not in NAMES or not isinstance(e.get("timestamp"),
                                                        int):
            raise AssertionError("event %r" % ln)
        assert list(e)[:2] == ["timestamp", "name"], ln
        out.append(e)
    return out


class VC:
    """A kafka-verifiable-consumer.sh process; stdout lines collected by
    a thread."""

    def __init__(self, c, topic, group, *args):
        argv = [os.path.join(BIN, "kafka-verifiable-consumer.sh"),
                "--bootstrap-server", c.bootstrap, "--topic", topic,
                "--group-id", group, "--session-timeout", "6000"]
        self.lines = []
        self.proc = subprocess.Popen(argv + list(args),
                                     stdout=subprocess.PIPE, env=env())
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for ln in self.proc.stdout:
            self.lines.append(ln.decode().rstrip("\n"))

    def events(self, name=None):
        ev = events(list(self.lines))
        return [e for e in ev if name is None or e["name"] == name]

    def assigned(self):
        a = self.events("partitions_assigned")
        return {p["partition"] for p in a[-1]["partitions"]} if a else None

    def consumed(self):
        return sum(e["count"] for e in self.events("records_consumed"))

    def ranges(self):
        """(partition, offset) of every record consumed."""
        return [(p["partition"], o)
                for e in self.events("records_consumed")
                for p in e["partitions"]
                for o in range(p["minOffset"], p["maxOffset"] + 1)]

    def last_commits(self):
        got = {}
        for e in self.events("offsets_committed"):
            assert e["success"] is True, e
            for o in e["offsets"]:
                got[o["partition"]] = o["offset"]
        return got

    def stop(self, sig=signal.SIGTERM):
        rc = harness.reap(self.proc, sig, 30)
        self.t.join(T(10))
        return rc


@suite.test("verifiable consumer: JSON events; counts, values and commits "
            "add up to what was produced")
def t_single():
    c = cluster()
    create(c, "vc", 4)
    want = produce(c, "vc", b"a", 4, 50)
    cp = harness.run([os.path.join(BIN, "kafka-verifiable-consumer.sh"),
                      "--broker-list", c.bootstrap, "--topic", "vc",
                      "--group-id", "vc1", "--max-messages", "200",
                      "--verbose"], 90, env=env())
    ev = events(cp.stdout.decode().splitlines())
    assert_eq(ev[0]["name"], "startup_complete", "first event")
    assert_eq(ev[-1]["name"], "shutdown_complete", "last event")
    asg = [e for e in ev if e["name"] == "partitions_assigned"]
    assert_eq(sorted((p["topic"], p["partition"])
                     for p in asg[0]["partitions"]),
              [("vc", p) for p in range(4)], "assigned")
    rc = [e for e in ev if e["name"] == "records_consumed"]
    assert_eq(sum(p["count"] for e in rc for p in e["partitions"]), 200,
              "records_consumed partition counts")
    for e in rc:
        for p in e["partitions"]:
            assert_eq(p["maxOffset"] - p["minOffset"] + 1, p["count"],
                      "contiguous batch")
    vals = sorted(e["value"] for e in ev if e["name"] == "record_data")
    assert_eq(vals, want, "record_data values")
    last = {}
    for e in ev:
        if e["name"] == "offsets_committed":
            assert_eq(e["success"], True, "commit success")
            assert "error" not in e, e
            for o in e["offsets"]:
                last[o["partition"]] = o["offset"]
    assert_eq(last, {p: 50 for p in range(4)}, "last offsets_committed")
    assert_eq(committed(c, "vc1", "vc", 4), last, "the group's offsets")
    # the same group again: nothing left, runs until SIGTERM
    v = VC(c, "vc", "vc1")
    wait_for(lambda: v.assigned() == {0, 1, 2, 3}, T(30), "assigned", 0.1)
    time.sleep(1)
    assert_eq(v.stop(), 0, "status after SIGTERM")
    assert_eq(v.consumed(), 0, "nothing again")
    assert_eq(v.events()[-1]["name"], "shutdown_complete", "last event")
    assert_eq(v.events()[-2]["name"], "partitions_revoked", "revoked")


@suite.test("two verifiable consumers split the partitions; kill -9 of "
            "one: the other takes all and nothing committed is lost")
def t_two_kill():
    c = cluster()
    create(c, "vc2", 4)
    a = VC(c, "vc2", "vc2g")
    wait_for(lambda: a.assigned() == {0, 1, 2, 3}, T(30), "a owns all", 0.1)
    b = VC(c, "vc2", "vc2g")

    def split():
        x, y = a.assigned(), b.assigned()
        return y is not None and len(x) == 2 and len(y) == 2 and \
            x | y == {0, 1, 2, 3}
    wait_for(split, T(40), "a 2/2 split", 0.1)
    produce(c, "vc2", b"x", 4, 20)
    wait_for(lambda: a.consumed() + b.consumed() >= 80, T(30), "80 records",
             0.1)
    wait_for(lambda: sum(b.last_commits().values()) +
             sum(a.last_commits().values()) >= 80, T(20), "commits", 0.1)
    assert_eq(len(a.ranges()) + len(b.ranges()), 80, "each record once")
    b_commits = b.last_commits()
    b.stop(signal.SIGKILL)
    produce(c, "vc2", b"y", 4, 20)
    wait_for(lambda: a.assigned() == {0, 1, 2, 3}, T(40),
             "a takes everything", 0.1)
    wait_for(lambda: {p for p, o in a.ranges() + b.ranges()} ==
             {0, 1, 2, 3} and len(set(a.ranges() + b.ranges())) >= 160,
             T(40), "160 records", 0.1)
    seen = a.ranges() + b.ranges()
    assert_eq(set(seen), {(p, o) for p in range(4) for o in range(40)},
              "every offset of every partition consumed")
    for p, o in seen:
        if seen.count((p, o)) > 1:
            assert o >= b_commits.get(p, 0), \
                "committed record %d/%d consumed again" % (p, o)
    assert_eq(a.stop(), 0, "status")
    assert_eq(committed(c, "vc2g", "vc2", 4), {p: 40 for p in range(4)},
              "the group's offsets at the end")


@suite.test("a samsa verifiable consumer and a librdkafka consumer in one "
            "group: disjoint partitions, everything once")
def t_mixed():
    from confluent_kafka import Consumer
    c = cluster()
    create(c, "vcm", 4)
    got_rk, assigned_rk, stop = [], [], threading.Event()

    def rk():
        k = Consumer({"bootstrap.servers": c.bootstrap, "group.id": "vcmg",
                      "auto.offset.reset": "earliest",
                      "partition.assignment.strategy": "range",
                      "session.timeout.ms": 6000})
        k.subscribe(["vcm"], on_assign=lambda _, ps: assigned_rk.append(
            {p.partition for p in ps}))
        try:
            while not stop.is_set():
                msg = k.poll(0.2)
                if msg is not None and msg.error() is None:
                    got_rk.append((msg.partition(), msg.offset()))
        finally:
            k.close()
    th = threading.Thread(target=rk, daemon=True)
    th.start()
    v = VC(c, "vcm", "vcmg", "--assignment-strategy", "range")

    def split():
        x = v.assigned()
        y = assigned_rk[-1] if assigned_rk else None
        return x is not None and y is not None and len(x) == 2 and \
            len(y) == 2 and x | y == {0, 1, 2, 3}
    wait_for(split, T(40), "samsa and librdkafka 2/2", 0.1)
    produce(c, "vcm", b"m", 4, 10)
    wait_for(lambda: len(got_rk) + v.consumed() >= 40, T(30), "40 records",
             0.1)
    time.sleep(1)
    assert_eq(sorted(got_rk + v.ranges()),
              [(p, o) for p in range(4) for o in range(10)],
              "records, once each")
    stop.set()
    th.join(T(20))
    assert_eq(v.stop(), 0, "status")


def console(c, *args, check=True, seconds=60):
    return harness.run([os.path.join(BIN, "kafka-console-consumer.sh"),
                        "--bootstrap-server", c.bootstrap] + list(args),
                       seconds, check=check, env=env())


@suite.test("console consumer --group: round trip; the next run goes on "
            "from the committed offset")
def t_console_group():
    c = cluster()
    create(c, "cg", 2)
    first = produce(c, "cg", b"f", 2, 15)
    cp = console(c, "--topic", "cg", "--group", "cg1", "--from-beginning",
                 "--max-messages", "30")
    assert_eq(sorted(cp.stdout.decode().splitlines()), first, "first run")
    assert_eq(committed(c, "cg1", "cg", 2), {0: 15, 1: 15},
              "committed at close")
    second = produce(c, "cg", b"s", 2, 10)
    cp = console(c, "--topic", "cg", "--group", "cg1", "--max-messages",
                 "20", "--timeout-ms", "20000")
    assert_eq(sorted(cp.stdout.decode().splitlines()), second,
              "second run: only the new records")
    # group.id from --consumer-property is the same group
    cp = console(c, "--topic", "cg", "--consumer-property", "group.id=cg1",
                 "--timeout-ms", "6000")
    assert_eq(cp.stdout, b"", "nothing repeated")
    # --max-messages stops inside a fetched batch: only what was printed
    # is committed
    cp = console(c, "--topic", "cg", "--group", "cg2", "--from-beginning",
                 "--max-messages", "7")
    assert_eq(len(cp.stdout.splitlines()), 7, "seven printed")
    assert_eq(sum(committed(c, "cg2", "cg", 2).values()), 7,
              "seven committed")


@suite.test("console consumer --whitelist subscribes to the matching "
            "topics")
def t_console_whitelist():
    c = cluster()
    for t in ("wl-a", "wl-b", "xwl"):
        create(c, t, 1)
    want = produce(c, "wl-a", b"a", 1, 5) + produce(c, "wl-b", b"b", 1, 5)
    produce(c, "xwl", b"x", 1, 5)
    cp = console(c, "--whitelist", "wl-.*", "--from-beginning",
                 "--max-messages", "10", "--group", "wlg")
    assert_eq(sorted(cp.stdout.decode().splitlines()), sorted(want),
              "the matching topics' records")
    cp = console(c, "--whitelist", "wl-.*", "--group", "wlg",
                 "--timeout-ms", "6000")
    assert_eq(cp.stdout, b"", "nothing after the commit")


@suite.test("console consumer without --group: a console-consumer-<n> "
            "group that commits nothing")
def t_console_generated():
    c = cluster()
    create(c, "gen", 1)
    want = produce(c, "gen", b"g", 1, 5)
    cp = console(c, "--topic", "gen", "--from-beginning", "--max-messages",
                 "5")
    assert_eq(sorted(cp.stdout.decode().splitlines()), want, "records")
    cp = harness.run([os.path.join(BIN, "kafka-consumer-groups.sh"),
                      "--bootstrap-server", c.bootstrap, "--list"], 60,
                     env=env())
    groups = [g for g in cp.stdout.decode("utf-8", "replace").split()
              if re.match(r"^console-consumer-\d{1,5}$", g)]
    assert_eq(len(groups), 1, "one generated group: %r" % cp.stdout[:300])
    got = committed(c, groups[0], "gen", 1)
    assert got[0] < 0, "no commit: %r" % got


@suite.test("console consumer: --group with --partition and mismatching "
            "group ids are refused")
def t_console_refused():
    c = cluster()
    cp = console(c, "--topic", "x", "--group", "g", "--partition", "0",
                 check=False)
    assert_eq(cp.returncode, 1, "status")
    assert_eq(cp.stderr.decode().splitlines()[0], "Options group and "
              "partition cannot be specified together.", "message")
    cp = console(c, "--topic", "x", "--consumer-property", "group.id=g",
                 "--partition", "0", check=False)
    assert_eq(cp.returncode, 1, "group.id property with --partition")
    cp = console(c, "--topic", "x", "--group", "g", "--consumer-property",
                 "group.id=h", check=False)
    assert_eq(cp.returncode, 1, "status")
    assert_eq(cp.stderr.decode().splitlines()[0], "The group ids provided "
              "in different places (directly using '--group', via "
              "'--consumer-property', or via '--consumer.config') do not "
              "match. Detected group ids: 'g', 'h'", "message")
    cp = console(c, "--topic", "x", "--from-beginning",
                 "--consumer-property", "auto.offset.reset=latest",
                 check=False)
    assert_eq(cp.returncode, 1, "status")
    assert_eq(cp.stderr.decode().splitlines()[0], "Can't simultaneously "
              "specify --from-beginning and 'auto.offset.reset=latest', "
              "please remove one option", "message")


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

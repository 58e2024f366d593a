#!/usr/bin/python3
"""failover_bench.py: how long a partition is unavailable when its leader
goes away, over repeated rounds (issue 4 §5).

    failover_bench.py [-B BUILD_DIR] [-n ROUNDS] [-s SESSION_MS]

Starts a throw-away ZooKeeper and three samsa-server processes (the
integration harness, t/integration/harness.py), creates a one-partition
topic with replication factor 3 and min.insync.replicas=2, and runs a
confluent-kafka producer (acks=all, retries on) writing every few
milliseconds.  Then, ROUNDS times each:

  kill   kill -9 the current leader; the controller only learns it when
         the broker's ZooKeeper session expires (SESSION_MS);
  term   SIGTERM the current leader: controlled shutdown moves the
         leadership before the broker exits.

and measures
  elected  signal -> the partition state znode naming a new leader
           (polled every 10 ms);
  gap      the longest time without any acknowledgement from the signal
           until the first record sent after the election is
           acknowledged: how long a producing application saw the
           partition unavailable (with SIGTERM the old leader keeps
           acknowledging while leadership moves).
After each round the stopped broker is restarted and the round waits for
the full ISR again.  Prints each round and min / median / p90 / max per
mode, and checks that no acknowledged record is missing from the log.
"""

import argparse
import json
import os
import signal
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(HERE)
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(SRCDIR, "t", "integration"))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-B", dest="build", default=None,
                    help="build directory (default: $top_builddir or .)")
    ap.add_argument("-n", dest="rounds", type=int, default=10,
                    help="rounds per mode (default 10)")
    ap.add_argument("-s", dest="session_ms", type=int, default=6000,
                    help="zookeeper.session.timeout.ms (default 6000)")
    ap.add_argument("-m", dest="modes", default="kill,term",
                    help="modes to run, of kill,term (default both)")
    ap.add_argument("-k", dest="keep", action="store_true",
                    help="keep the temporary directory (logs)")
    return ap.parse_args()


def acked(logfile):
    """{id: (offset, send time, report time)} of acknowledged records."""
    ok = {}
    with open(logfile) as f:
        for line in f:
            if line.startswith("#") or not line.endswith("\n"):
                continue
            n, s, r, off, err = line.split()
            if err == "-":
                ok[int(n)] = (int(off), float(s), float(r))
    return ok


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


class Bench:
    def __init__(self, harness, args):
        self.h = harness
        self.args = args
        self.suite = harness.Suite("failover-bench")
        self.suite.tmp = harness.tempfile.mkdtemp(prefix="samsa-failover-")
        self.suite.zk = harness.ZooKeeper(os.path.join(self.suite.tmp, "zk"))
        self.suite.zk.start()
        self.c = self.suite.cluster(brokers=3, props={
            "zookeeper.session.timeout.ms": str(args.session_ms),
            "auto.leader.rebalance.enable": "false",
            "controlled.shutdown.retry.backoff.ms": "500"})
        self.log = os.path.join(self.suite.tmp, "acks.log")
        self.stop = os.path.join(self.suite.tmp, "stop")
        self.proc = None

    def state(self):
        return json.loads(self.c.kazoo().get(
            "/brokers/topics/fo/partitions/0/state")[0])

    def setup(self):
        zk = self.c.kazoo()
        zk.create("/config/topics/fo", json.dumps(
            {"version": 1, "config": {"min.insync.replicas": "2"}})
            .encode(), makepath=True)
        zk.create("/brokers/topics/fo", json.dumps(
            {"version": 1, "partitions": {"0": [0, 1, 2]}}).encode(),
            makepath=True)
        self.c.topic_leader_ready("fo", 1)
        self.proc = self.h.spawn(
            ["/usr/bin/python3",
             os.path.join(SRCDIR, "t", "integration", "producer_loop.py"),
             self.c.bootstrap, "fo", "all", self.log, self.stop, "3600"],
            os.path.join(self.suite.tmp, "producer.out"))

    def wait_full_isr(self, n_before):
        self.h.wait_for(lambda: len(self.state()["isr"]) == 3, 120,
                        "the full ISR", 0.1)
        self.h.wait_for(lambda: os.path.exists(self.log) and
                        len(acked(self.log)) >= n_before + 200, 60,
                        "200 acknowledgements", 0.05)

    def one_round(self, mode):
        st = self.state()
        old = self.c.brokers[st["leader"]]
        n_before = len(acked(self.log))
        t0 = time.monotonic()
        if mode == "kill":
            self.h.reap(old.proc, signal.SIGKILL, 10)
        else:
            os.kill(old.proc.pid, signal.SIGTERM)
        elected = self.h.wait_for(
            lambda: time.monotonic() if self.state()["leader"]
            not in (old.id, -1) else None, 120, "a new leader", 0.01)
        self.h.wait_for(lambda: any(s > elected for _, s, _ in
                                    acked(self.log).values()), 120,
                        "an acknowledgement after the election", 0.02)
        ok = acked(self.log).values()
        end = min(r for _, s, r in ok if s > elected)
        times = [t0] + sorted(r for _, _, r in ok if t0 < r <= end)
        gap = max(b - a for a, b in zip(times, times[1:]))
        if mode == "term":
            self.h.reap(old.proc, signal.SIGTERM, 60)
            print("# round: broker %d exited %.3f s after SIGTERM" %
                  (old.id, time.monotonic() - t0))
        else:
            old.wait_unregistered()
        old.start()
        self.wait_full_isr(n_before)
        return elected - t0, gap

    def run(self):
        self.setup()
        self.wait_full_isr(0)
        res = {}
        for mode in self.args.modes.split(","):
            res[mode] = []
            for i in range(self.args.rounds):
                e, a = self.one_round(mode)
                res[mode].append((e, a))
                print("%-4s round %2d: elected %6.3f s, longest gap %6.3f s"
                      % (mode, i + 1, e, a))
                sys.stdout.flush()
        return res

    def check(self):
        open(self.stop, "w").close()
        rc = self.proc.wait(200)
        ok = acked(self.log)
        from confluent_kafka import Consumer, TopicPartition
        cons = Consumer({"bootstrap.servers": self.c.bootstrap,
                         "group.id": "fo-check",
                         "enable.auto.commit": False})
        cons.assign([TopicPartition("fo", 0, 0)])
        have = {}
        end = max(off for off, _, _ in ok.values()) + 1
        deadline = time.monotonic() + 60
        while len(have) < end and time.monotonic() < deadline:
            m = cons.poll(1.0)
            if m is not None and m.error() is None:
                have[m.offset()] = m.value()
        cons.close()
        lost = [n for n, (off, _, _) in ok.items()
                if have.get(off) != b"id-%d" % n]
        return rc, len(ok), lost

    def close(self):
        if self.args.keep:
            self.h.LEAVE = True
        self.suite._teardown()


def main():
    args = parse_args()
    if args.build:
        os.environ["top_builddir"] = os.path.abspath(args.build)
    import harness
    b = Bench(harness, args)
    try:
        res = b.run()
        rc, nacked, lost = b.check()
    finally:
        b.close()
    print()
    print("zookeeper.session.timeout.ms=%d, %d rounds per mode, 3 brokers, "
          "RF 3, min.insync.replicas=2, acks=all" %
          (args.session_ms, args.rounds))
    print("%-34s %7s %7s %7s %7s" % ("seconds",
                                     "min", "median", "p90", "max"))
    for mode, label in (("kill", "kill -9"), ("term", "SIGTERM")):
        if mode not in res:
            continue
        for k, what in ((0, "to a new leader"),
                        (1, "without acks")):
            v = [r[k] for r in res[mode]]
            print("%-34s %7.3f %7.3f %7.3f %7.3f" % (
                "%s: %s" % (label, what), min(v), statistics.median(v),
                pct(v, 90), max(v)))
    print("producer exit %d, %d records acknowledged, %d of them missing" %
          (rc, nacked, len(lost)))
    return 0 if rc == 0 and not lost else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""test_producer_io.py: libsamsa's producer connections against real
brokers (issue 6 §1: the libev I/O thread, one pipelined connection per
broker), through kafka-verifiable-producer.sh.

  * a frozen broker (SIGSTOP) delays only the partition it leads: the
    other broker's partition keeps being acknowledged meanwhile; after
    SIGCONT everything acknowledged is in the log where it was reported;
  * a broker killed (SIGKILL) and started again: the producer reconnects
    (backoff, no busy loop), carries on, exits 0, and every acknowledged
    record is in the log at its reported offset.

Every wait is bounded (harness.T scales it).
"""

import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402
import clients                      # noqa: E402

suite = harness.Suite("producer_io")
PROPS = {"zookeeper.session.timeout.ms": "15000"}


@suite.test("a frozen broker (SIGSTOP) delays only its partition: the "
            "other broker's keeps being acknowledged")
def t_frozen_broker():
    c = suite.cluster(brokers=2, props=PROPS)
    c.create_topic("fz", 2, 1)
    # round-robin: records alternate partitions (sticky batches would
    # fill the frozen partition's open batch for seconds at this rate)
    leaders = [c.partition_state("fz", p)["leader"] for p in (0, 1)]
    assert leaders[0] != leaders[1], "one partition per broker: %r" % leaders
    pr = clients.VerifiableProducer(
        suite.tmp, c.bootstrap, "fz", 2400, 200,
        {"request.timeout.ms": "3000", "retry.backoff.ms": "100",
         "delivery.timeout.ms": "60000", "linger.ms": "5",
         "retries": "1000", "partitioner.class": "org.apache."
         "kafka.clients.producer.RoundRobinPartitioner"})
    wait_for(lambda: len(pr.acked(0)) >= 50 and len(pr.acked(1)) >= 50,
             T(30), "records acknowledged on both partitions", 0.1)
    frozen = c.brokers[leaders[0]]
    os.kill(frozen.proc.pid, signal.SIGSTOP)
    try:
        time.sleep(0.5)             # what was in flight settles
        p0, p1 = len(pr.acked(0)), len(pr.acked(1))
        mark = int(time.time() * 1000)
        wait_for(lambda: len(pr.acked(1)) >= p1 + 300, T(30),
                 "300 more acknowledged on the live broker's partition",
                 0.1)
        assert_eq(len(pr.acked(0)), p0,
                  "acknowledged on the frozen broker's partition")
        # the live partition never waited for the frozen broker's
        # request.timeout.ms (3 s): a sender with one blocking request at
        # a time stalls that long between its answers
        ts = [mark] + [e["timestamp"] for e in pr.acked(1)[p1:]]
        gap = max(b - a for a, b in zip(ts, ts[1:]))
        assert gap < T(1.5) * 1000, "acknowledgements %d ms apart" % gap
    finally:
        os.kill(frozen.proc.pid, signal.SIGCONT)
    wait_for(lambda: len(pr.acked(0)) > p0, T(30),
             "the thawed broker's partition acknowledged again", 0.1)
    errors = pr.finish(60)
    assert_eq(errors, 0, "send errors (retries=1000)")
    assert_eq(len(pr.acked()), 2400, "acknowledged")
    clients.check_acked_in_log(c.bootstrap, "fz", 2, pr.acked())
    print("# %d acknowledged; partition 0 held at %d while frozen; "
          "largest gap between partition 1's acknowledgements then %d ms" %
          (len(pr.acked()), p0, gap))


@suite.test("a broker killed and started again: the producer reconnects "
            "and every acknowledged record is where it was reported")
def t_broker_restart():
    c = suite.cluster(name="rs", brokers=1,
                      props={"zookeeper.session.timeout.ms": "6000"})
    c.create_topic("rs", 1, 1)
    pr = clients.VerifiableProducer(
        suite.tmp, c.bootstrap, "rs", 1500, 200,
        {"request.timeout.ms": "3000", "retry.backoff.ms": "100",
         "delivery.timeout.ms": "90000", "retries": "1000"})
    wait_for(lambda: len(pr.acked()) >= 200, T(30), "200 acknowledged",
             0.1)
    b = c.brokers[0]
    b.kill()
    n_down = len(pr.acked())
    b.start()
    wait_for(lambda: len(pr.acked()) >= n_down + 200, T(60),
             "200 more acknowledged after the restart", 0.2)
    errors = pr.finish(90)
    assert_eq(errors, 0, "send errors (retries=1000)")
    assert_eq(len(pr.acked()), 1500, "acknowledged")
    with open(pr.err.name) as f:
        refused = f.read().count("failed to connect")
    # the reconnect backoff doubles to 1 s: a dead broker costs a few
    # lines, not one per retry.backoff.ms
    assert refused <= 40, "%d connect failures logged" % refused
    clients.check_acked_in_log(c.bootstrap, "rs", 1, pr.acked())
    print("# %d acknowledged, %d before the kill, %d errors, %d connect "
          "failures logged" % (len(pr.acked()), n_down, errors, refused))


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

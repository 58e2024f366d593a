#!/usr/bin/python3
"""test_producer_failover.py: libsamsa's producer across a leader kill
(issue 6 §5), through kafka-verifiable-producer.sh.

Three brokers, a 2-partition topic with replication factor 3 and
min.insync.replicas 2.  The verifiable producer sends with acks=all at a
steady rate; the leader of partition 0 is killed with SIGKILL in the
middle.  Afterwards:

  * the producer went on (records acknowledged after the kill) and
    stopped cleanly;
  * every record it reported acknowledged (producer_send_success, with
    its partition and offset) is in the log at that partition and
    offset, read back by confluent-kafka from the surviving replicas;
  * duplicates (a batch written before the kill whose answer was lost,
    then retried - at-least-once, as Java's producer without
    idempotence) are counted, not failed.

Every wait is bounded (harness.T scales it).
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, wait_for     # noqa: E402
import clients                      # noqa: E402

suite = harness.Suite("producer_failover")
TOPIC = "pf"
PROPS = {"zookeeper.session.timeout.ms": "6000",
         "replica.lag.time.max.ms": "5000",
         "min.insync.replicas": "2"}


def setup():
    c = suite.cluster(brokers=3, props=PROPS)
    c.create_topic(TOPIC, 2, 3)
    return c


def leader(c, p):
    return c.partition_state(TOPIC, p)["leader"]


@suite.test("acks=all through a leader kill: every acknowledged record is "
            "in the log where it was reported")
def t_leader_kill():
    c = setup()
    pr = clients.VerifiableProducer(
        suite.tmp, c.bootstrap, TOPIC, 4500, 300,
        {"retries": "1000", "delivery.timeout.ms": "120000",
         "request.timeout.ms": "5000", "retry.backoff.ms": "200"}, acks="-1")
    acked = pr.acked
    wait_for(lambda: len(acked()) >= 600, T(30), "600 acknowledged", 0.1)
    victim = leader(c, 0)
    n_before = len(acked())
    c.brokers[victim].kill(wait_unregistered=False)
    wait_for(lambda: leader(c, 0) not in (-1, victim), T(30),
             "a new leader of partition 0", 0.2)
    wait_for(lambda: len(acked()) >= n_before + 600, T(60),
             "600 more acknowledged after the kill", 0.2)
    errors = pr.finish(60, terminate=True)
    ok = acked()
    live = [b for b in c.brokers if b.id != victim]
    logged = clients.check_acked_in_log(
        ",".join(b.bootstrap for b in live), TOPIC, 2, ok)
    values = list(logged.values())
    print("# %d acknowledged, %d before the kill, %d errors, %d duplicates "
          "in the log" % (len(ok), n_before,
                          errors,
                          len(values) - len(set(values))))


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

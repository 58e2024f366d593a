#!/usr/bin/python3
"""producer_loop.py: a producer writing continuously, for test_restart.py.

    producer_loop.py BOOTSTRAP TOPIC ACKS LOGFILE STOPFILE [MAX_SECONDS]

Sends records with unique values "id-<n>" (confluent-kafka, idempotence
off, retries on, a long message timeout so a broker restart is ridden
out) every few milliseconds until STOPFILE exists (or MAX_SECONDS pass),
then flushes.  Each delivery report is one line in LOGFILE:

    <id> <send_monotonic> <report_monotonic> <offset or -1> <error or ->

so the test knows which records were acknowledged, at which offset, and
which were in flight at any moment.  Exit 0 unless the client failed.
"""

import os
import sys
import time

from confluent_kafka import Producer


def main():
    bootstrap, topic, acks, logfile, stopfile = sys.argv[1:6]
    max_s = float(sys.argv[6]) if len(sys.argv) > 6 else 300
    log = open(logfile, "w", buffering=1)
    p = Producer({"bootstrap.servers": bootstrap, "acks": acks,
                  "enable.idempotence": False, "linger.ms": 2,
                  "message.timeout.ms": 120000, "retry.backoff.ms": 100,
                  "reconnect.backoff.max.ms": 500,
                  "socket.timeout.ms": 10000})
    sent = {}

    def report(err, msg):
        n = int(msg.value()[3:])
        log.write("%d %.3f %.3f %d %s\n" % (
            n, sent[n], time.monotonic(),
            msg.offset() if err is None else -1,
            "-" if err is None else err.name()))
    n = 0
    deadline = time.monotonic() + max_s
    while not os.path.exists(stopfile) and time.monotonic() < deadline:
        sent[n] = time.monotonic()
        p.produce(topic, value=b"id-%d" % n, partition=0, on_delivery=report)
        n += 1
        p.poll(0.004)
    left = p.flush(150)
    log.write("# sent %d, unflushed %d\n" % (n, left))
    log.close()
    return 0 if left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

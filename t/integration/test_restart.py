#!/usr/bin/python3
"""test_restart.py: acknowledged records survive broker restarts.

Two producers (producer_loop.py: confluent-kafka, idempotence off, acks=1
and acks=all, one topic each) write continuously while the broker is
stopped with SIGTERM and restarted, then killed with SIGKILL and
restarted.  Afterwards:

  * every record the producer saw acknowledged is in the log at exactly
    the offset it was acknowledged with;
  * the offset -> value maps read before each restart are unchanged;
  * nothing the producers did not send is in the log, and a value appears
    twice only if its request was in flight across a restart (a retry
    without idempotence may legitimately duplicate it);
  * no delivery failed (the producers ride the restarts out);
  * SIGTERM exits 0 and the next start logs "clean shutdown: no
    recovery"; after SIGKILL the next start recovers.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402
import clients                      # noqa: E402

suite = harness.Suite("restart")
TOPICS = {"r-acks1": "1", "r-acksall": "all"}


def acked(logfile):
    """{id: (offset, send, report)} of acknowledged records, and the
    list of failed ones."""
    ok, failed = {}, []
    try:
        with open(logfile) as f:
            for line in f:
                if line.startswith("#") or not line.endswith("\n"):
                    continue
                n, s, r, off, err = line.split()
                if err == "-":
                    ok[int(n)] = (int(off), float(s), float(r))
                else:
                    failed.append((int(n), err))
    except FileNotFoundError:
        pass
    return ok, failed


def read_all(c, topic):
    cl = clients.Confluent(c.bootstrap)
    end = cl.latest(topic, 0)
    recs = cl.consume(topic, 0, 0, end)
    assert_eq(len(recs), end, "records read from %s" % topic)
    return {r.offset: r.value for r in recs}


def wait_acks(logs, more, what):
    base = {t: len(acked(p)[0]) for t, p in logs.items()}
    wait_for(lambda: all(len(acked(p)[0]) >= base[t] + more
                         for t, p in logs.items()), 60,
             "%d more acknowledgements %s" % (more, what), 0.1)


@suite.test("restart: SIGTERM then SIGKILL mid-stream (acks=1, acks=all): "
            "acknowledged records kept at their offsets")
def restart():
    from confluent_kafka.admin import AdminClient, NewTopic
    # a short session: after SIGKILL the old registration must expire
    # before the broker can register again
    c = suite.cluster(props={"zookeeper.session.timeout.ms": "4000"})
    b = c.brokers[0]
    admin = AdminClient({"bootstrap.servers": c.bootstrap})
    fs = admin.create_topics([NewTopic(t, 1, 1) for t in TOPICS])
    for f in fs.values():
        f.result(T(30))
    for t in TOPICS:
        c.topic_leader_ready(t)
    stop = os.path.join(suite.tmp, "stop-producers")
    logs, procs = {}, {}
    for t, acks in TOPICS.items():
        logs[t] = os.path.join(suite.tmp, "%s.acks" % t)
        procs[t] = harness.spawn(
            ["/usr/bin/python3", os.path.join(harness.HERE,
                                              "producer_loop.py"),
             c.bootstrap, t, acks, logs[t], stop, str(T(240))],
            os.path.join(suite.tmp, "%s.out" % t))
    wait_acks(logs, 300, "before the first restart")

    snap1 = {t: read_all(c, t) for t in TOPICS}
    mark = b.log_mark()
    t_term = time.monotonic()
    assert_eq(b.stop(), 0, "exit status after SIGTERM")
    b.start()
    b.wait_log(r"clean shutdown: no recovery", 10, mark)
    wait_acks(logs, 300, "after the SIGTERM restart")

    snap2 = {t: read_all(c, t) for t in TOPICS}
    mark = b.log_mark()
    t_kill = time.monotonic()
    assert_eq(b.kill(), -9, "exit status after SIGKILL")
    b.start()
    b.wait_log(r"no clean shutdown marker: recovering", 10, mark)
    wait_acks(logs, 300, "after the SIGKILL restart")

    open(stop, "w").close()
    for t, p in procs.items():
        try:
            rc = p.wait(T(150))
        except Exception:
            harness.reap(p, 9)
            raise
        assert_eq(rc, 0, "producer %s exit status" % t)
    for t in TOPICS:
        check_topic(c, t, logs[t], (snap1[t], snap2[t]), (t_term, t_kill))


def check_topic(c, t, logfile, snaps, restarts):
    final = read_all(c, t)
    ok, failed = acked(logfile)
    assert_eq(failed, [], "%s: failed deliveries" % t)
    for i, snap in enumerate(snaps):
        for off, v in snap.items():
            if final.get(off) != v:
                raise AssertionError("%s: offset %d held %r before restart "
                                     "%d, now %r" % (t, off, v, i + 1,
                                                     final.get(off)))
    for n, (off, _, _) in ok.items():
        if final.get(off) != b"id-%d" % n:
            raise AssertionError("%s: id-%d was acknowledged at offset %d, "
                                 "which holds %r" % (t, n, off,
                                                     final.get(off)))
    seen = {}
    for off in sorted(final):
        v = final[off]
        if not v.startswith(b"id-") or int(v[3:]) not in ok:
            raise AssertionError("%s: offset %d holds %r, never "
                                 "acknowledged" % (t, off, v))
        seen.setdefault(int(v[3:]), []).append(off)
    # a duplicate is explained only by a request in flight at a restart
    slack = T(1.0)
    for n, offs in seen.items():
        if len(offs) == 1:
            continue
        _, s, r = ok[n]
        if not any(s - slack <= x <= r + slack for x in restarts):
            raise AssertionError("%s: id-%d at offsets %r but it was not in "
                                 "flight at a restart" % (t, n, offs))
    dups = sum(len(o) - 1 for o in seen.values())
    print("# %s: %d records, %d acknowledged, %d duplicated by retries" %
          (t, len(final), len(ok), dups))


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

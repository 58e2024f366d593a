#!/usr/bin/python3
"""test_cluster_admin.py: operating a three-broker cluster (issue 4).

  * controlled shutdown: SIGTERM of a broker that leads partitions of an
    RF 3 topic moves their leadership to other ISR members before it
    exits (the state znodes say so the moment the process is gone), the
    broker leaves every ISR, and everything acknowledged is still read
    back from the new leaders; under a continuous acks=all producer it
    exits within seconds and no delivery fails;
  * the stopped broker restarts and rejoins the ISRs; then
    kafka-preferred-replica-election.sh moves leadership back to the
    preferred replicas;
  * kafka-reassign-partitions.sh --execute moves a partition with its
    data to another broker (the new replica fetches it, the controller
    finishes when it is in the ISR), --verify reports completion and
    removes the throttle, the old replica's directory is deleted and a
    consumer reads every record from the new replicas;
  * no split brain: a leader frozen with SIGSTOP past
    zookeeper.session.timeout.ms loses its leadership; resumed, it does
    not acknowledge an acks=all write sent straight to it (raw Produce
    v3), and it rejoins as a follower holding exactly the new leader's
    records;
  * unclean leader election: with the whole ISR gone, a partition of a
    topic with unclean.leader.election.enable=false stays offline when
    only an out-of-sync replica returns; with true it comes back with that
    replica as leader;
  * topic deletion removes the znodes and the log directories on every
    broker;
  * a reassignment with --throttle copies at the throttled rate (the
    brokers apply leader/follower.replication.throttled.rate to the
    listed replicas), then completes and --verify removes the throttle.
"""

import json
import os
import signal
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402
import clients                      # noqa: E402

suite = harness.Suite("cluster_admin")
TOPIC = "adm"
NPART = 3
N = 300                             # records per partition

c = None


def states(topic, nparts):
    zk = c.kazoo()
    out = {}
    for p in range(nparts):
        path = "/brokers/topics/%s/partitions/%d/state" % (topic, p)
        out[p] = json.loads(zk.get(path)[0])
    return out


def assignment(topic):
    data = json.loads(c.kazoo().get("/brokers/topics/%s" % topic)[0])
    return {int(k): v for k, v in data["partitions"].items()}


def script(name, *args):
    """Run bin/<name>.sh against the cluster's ZooKeeper; its stdout."""
    build = os.path.dirname(os.path.dirname(harness.find_server()))
    env = dict(os.environ, SAMSA_BUILD_DIR=build)
    argv = [os.path.join(harness.SRCDIR, "bin", name + ".sh"),
            "--zookeeper", c.zk.connect(c.chroot)] + list(args)
    return harness.run(argv, seconds=60, env=env).stdout.decode()


def acks_of(logfile):
    """Acknowledged {id: offset} and failed ids from a producer_loop.py
    log."""
    ok, failed = {}, []
    if not os.path.exists(logfile):
        return ok, failed
    with open(logfile) as f:
        for line in f:
            if line.startswith("#") or not line.endswith("\n"):
                continue
            n, _s, _r, off, err = line.split()
            if err == "-":
                ok[int(n)] = int(off)
            else:
                failed.append((int(n), err))
    return ok, failed


def produce_all(topic, nparts, tag):
    cl = clients.Confluent(c.bootstrap)
    for p in range(nparts):
        recs = [clients.Rec(value=b"%s-%d-%d" % (tag, p, i))
                for i in range(N)]
        offs = cl.produce(topic, recs, partition=p, acks=-1)
        assert_eq(len(offs), N, "acknowledged records of partition %d" % p)


def read_all(topic, p, tags):
    cl = clients.Confluent(c.bootstrap)
    got = cl.consume(topic, p, 0, N * len(tags))
    want = [b"%s-%d-%d" % (t, p, i) for t in tags for i in range(N)]
    assert_eq([r.value for r in got], want, "records of partition %d" % p)


@suite.test("controlled shutdown: the leader's partitions move to other ISR "
            "members before it exits; nothing acknowledged is lost")
def t_controlled_shutdown():
    global c
    c = suite.cluster(brokers=3, props={
        "controlled.shutdown.retry.backoff.ms": "500",
        "auto.leader.rebalance.enable": "false"})
    out = script("kafka-topics", "--create", "--topic", TOPIC,
                 "--replica-assignment", "0:1:2,1:2:0,0:2:1")
    assert_eq(out.strip(), "Created topic %s." % TOPIC, "kafka-topics")
    c.topic_leader_ready(TOPIC, NPART)
    wait_for(lambda: all(len(s["isr"]) == 3
                         for s in states(TOPIC, NPART).values()),
             T(20), "full ISRs")
    produce_all(TOPIC, NPART, b"a")
    # a producer keeps writing acks=all to a partition broker 0 leads
    script("kafka-topics", "--create", "--topic", "cs",
           "--replica-assignment", "0:1:2", "--config",
           "min.insync.replicas=2")
    c.topic_leader_ready("cs", 1)
    wait_for(lambda: len(states("cs", 1)[0]["isr"]) == 3, T(20), "cs ISR")
    logf = os.path.join(c.dir, "cs.acks")
    stopf = os.path.join(c.dir, "cs.stop")
    proc = harness.spawn(
        ["/usr/bin/python3", os.path.join(harness.HERE, "producer_loop.py"),
         c.bootstrap, "cs", "all", logf, stopf, str(T(120))],
        os.path.join(c.dir, "cs.out"))
    try:
        wait_for(lambda: len(acks_of(logf)[0]) >= 100, T(30),
                 "100 acknowledgements before the stop", 0.1)
        mark = c.brokers[0].log_mark()
        t0 = time.monotonic()
        c.brokers[0].stop()
        took = time.monotonic() - t0
        n = len(acks_of(logf)[0])
        wait_for(lambda: len(acks_of(logf)[0]) >= n + 100, T(30),
                 "100 acknowledgements after the stop", 0.1)
    finally:
        open(stopf, "w").close()
        rc = proc.wait(T(150))
    print("# SIGTERM to exit: %.2f s" % took)
    # parked acks=all requests are answered (NOT_LEADER_FOR_PARTITION),
    # not drained until the 30 s drain limit
    assert took < 10, "the broker took %.1f s to shut down" % took
    ok, failed = acks_of(logf)
    assert_eq((rc, failed), (0, []), "producer exit and failed deliveries")
    st = states(TOPIC, NPART)
    for p in range(NPART):
        assert st[p]["leader"] in (1, 2), "partition %d led by %r" % \
            (p, st[p]["leader"])
        assert 0 not in st[p]["isr"], "broker 0 in the ISR of %d" % p
    c.brokers[0].wait_log("Controlled shutdown succeeded", mark=mark)
    for p in range(NPART):
        read_all(TOPIC, p, [b"a"])


@suite.test("the broker restarts and rejoins the ISRs; "
            "kafka-preferred-replica-election.sh gives it back its "
            "leaderships")
def t_preferred_election():
    c.brokers[0].start()
    wait_for(lambda: all(0 in s["isr"]
                         for s in states(TOPIC, NPART).values()),
             T(30), "broker 0 back in every ISR")
    out = script("kafka-preferred-replica-election")
    assert "Successfully started preferred replica election" in out, out
    wait_for(lambda: not c.kazoo().exists(
        "/admin/preferred_replica_election"), T(20), "election done")
    wait_for(lambda: [s["leader"] for s in
                      states(TOPIC, NPART).values()] == [0, 1, 0],
             T(20), "preferred leaders 0, 1, 0")
    produce_all(TOPIC, NPART, b"b")
    for p in range(NPART):
        read_all(TOPIC, p, [b"a", b"b"])


@suite.test("kafka-reassign-partitions.sh moves a partition with its data; "
            "--verify completes and removes the throttle; the old replica "
            "is deleted")
def t_reassign():
    name = "mv"
    out = script("kafka-topics", "--create", "--topic", name,
                 "--replica-assignment", "0:1")
    assert_eq(out.strip(), "Created topic %s." % name, "kafka-topics")
    c.topic_leader_ready(name, 1)
    produce_all(name, 1, b"m")
    plan = os.path.join(c.dir, "plan.json")
    with open(plan, "w") as f:
        json.dump({"version": 1, "partitions": [
            {"topic": name, "partition": 0, "replicas": [2, 1]}]}, f)
    out = script("kafka-reassign-partitions", "--execute",
                 "--reassignment-json-file", plan, "--throttle", "100000000")
    assert "Successfully started reassignment of partitions." in out, out

    def completed():
        o = script("kafka-reassign-partitions", "--verify",
                   "--reassignment-json-file", plan)
        return "Reassignment of partition mv-0 completed successfully" in o
    wait_for(completed, T(30), "the reassignment to complete", interval=0.5)
    assert_eq(assignment(name), {0: [2, 1]}, "assignment")
    st = states(name, 1)[0]
    assert_eq(st["leader"], 2, "leader after the move")
    assert_eq(sorted(st["isr"]), [1, 2], "isr after the move")
    cfg = json.loads(c.kazoo().get("/config/brokers/2")[0])["config"]
    assert "leader.replication.throttled.rate" not in cfg, cfg
    old = os.path.join(c.brokers[0].dir, "data", "%s-0" % name)
    wait_for(lambda: not os.path.isdir(old), T(20),
             "the old replica's directory to go")
    new = os.path.join(c.brokers[2].dir, "data", "%s-0" % name)
    assert os.path.isdir(new), new
    c.brokers[1].stop()             # read from broker 2 alone
    cl = clients.Confluent(c.brokers[2].bootstrap)
    got = cl.consume(name, 0, 0, N)
    assert_eq([r.value for r in got], [b"m-0-%d" % i for i in range(N)],
              "records on the new replica")


def raw_produce(broker, topic, p, value, timeout_ms):
    """Produce v3, acks=-1, one record, straight to broker: the partition
    error code, or None if the broker did not answer in time."""
    from kafka.record.default_records import DefaultRecordBatchBuilder
    bb = DefaultRecordBatchBuilder(magic=2, compression_type=0,
                                   is_transactional=False, producer_id=-1,
                                   producer_epoch=-1, base_sequence=-1,
                                   batch_size=1 << 20)
    bb.append(0, timestamp=int(time.time() * 1000), key=None, value=value,
              headers=[])
    batch = bytes(bb.build())

    def s16(x):
        b = x.encode()
        return struct.pack(">h", len(b)) + b
    body = struct.pack(">h", -1) + struct.pack(">hi", -1, timeout_ms)
    body += struct.pack(">i", 1) + s16(topic) + struct.pack(">i", 1)
    body += struct.pack(">ii", p, len(batch)) + batch
    frame = struct.pack(">hhi", 0, 3, 9) + s16("split-brain") + body
    with socket.create_connection(("127.0.0.1", broker.port),
                                  timeout=T(10) + timeout_ms / 1000) as sk:
        sk.sendall(struct.pack(">i", len(frame)) + frame)
        try:
            n = struct.unpack(">i", _recv(sk, 4))[0]
        except socket.timeout:
            return None
        data = _recv(sk, n)
    # corr, [topic [partition error base_offset log_append_time]] throttle
    off = 4 + 4
    tl = struct.unpack(">h", data[off:off + 2])[0]
    off += 2 + tl + 4
    return struct.unpack(">h", data[off + 4:off + 6])[0]


def _recv(sk, n):
    out = b""
    while len(out) < n:
        chunk = sk.recv(n - len(out))
        if not chunk:
            raise AssertionError("connection closed")
        out += chunk
    return out


@suite.test("no split brain: a leader frozen past the session timeout loses "
            "leadership, does not acknowledge acks=all when resumed, and "
            "rejoins as a follower")
def t_split_brain():
    global c
    c = suite.cluster(name="sb", brokers=3, props={
        "zookeeper.session.timeout.ms": "4000",
        "controlled.shutdown.retry.backoff.ms": "500",
        "auto.leader.rebalance.enable": "false"})
    name = "sb"
    script("kafka-topics", "--create", "--topic", name,
           "--replica-assignment", "0:1:2", "--config",
           "min.insync.replicas=2")
    c.topic_leader_ready(name, 1)
    wait_for(lambda: len(states(name, 1)[0]["isr"]) == 3, T(20),
             "full ISR")
    produce_all(name, 1, b"s")
    old = c.brokers[0]
    os.kill(old.proc.pid, signal.SIGSTOP)
    try:
        wait_for(lambda: states(name, 1)[0]["leader"] in (1, 2), T(30),
                 "a new leader while broker 0 is frozen")
    finally:
        os.kill(old.proc.pid, signal.SIGCONT)
    err = raw_produce(old, name, 0, b"split", 3000)
    assert err != 0, "the deposed leader acknowledged an acks=all write"
    print("# deposed leader answered acks=all with error %r" % (err,))
    wait_for(lambda: 0 in states(name, 1)[0]["isr"], T(40),
             "broker 0 back in the ISR as a follower")
    assert states(name, 1)[0]["leader"] != 0
    cl = clients.Confluent(c.bootstrap)
    got = [r.value for r in cl.consume(name, 0, 0, N + 1)]
    assert b"split" not in got, "the rejected record became visible"
    assert_eq(got[:N], [b"s-0-%d" % i for i in range(N)], "records")


@suite.test("unclean.leader.election.enable: off keeps a partition offline "
            "when only an out-of-sync replica returns, on elects it")
def t_unclean():
    global c
    c = suite.cluster(name="uc", brokers=2, props={
        "zookeeper.session.timeout.ms": "4000",
        "controlled.shutdown.enable": "false",
        "auto.leader.rebalance.enable": "false"})
    for name, unclean in (("clean", "false"), ("dirty", "true")):
        script("kafka-topics", "--create", "--topic", name,
               "--replica-assignment", "0:1", "--config",
               "unclean.leader.election.enable=" + unclean)
        c.topic_leader_ready(name, 1)
        wait_for(lambda: len(states(name, 1)[0]["isr"]) == 2, T(20),
                 "full ISR of " + name)
    c.brokers[1].stop()             # the follower: ISR [0]
    for name in ("clean", "dirty"):
        wait_for(lambda: states(name, 1)[0]["isr"] == [0], T(30),
                 "ISR [0] of " + name)
    c.brokers[0].kill()             # the whole ISR is gone (and with it
                                    # every controller candidate)
    c.brokers[1].start()            # only the out-of-sync replica returns
    wait_for(lambda: states("dirty", 1)[0]["leader"] == 1, T(30),
             "dirty led by the out-of-sync replica")
    wait_for(lambda: states("clean", 1)[0]["leader"] == -1, T(30),
             "clean offline (leader -1, ISR kept)")
    time.sleep(T(2))
    st = states("clean", 1)[0]
    assert_eq((st["leader"], st["isr"]), (-1, [0]), "clean stays offline")


@suite.test("topic deletion removes the znodes and every broker's log "
            "directories")
def t_delete():
    global c
    c = suite.cluster(name="del", brokers=3)
    script("kafka-topics", "--create", "--topic", "gone",
           "--replica-assignment", "0:1:2,1:2:0")
    c.topic_leader_ready("gone", 2)
    dirs = [os.path.join(b.dir, "data", "gone-%d" % p)
            for b in c.brokers for p in range(2)]
    wait_for(lambda: all(os.path.isdir(d) for d in dirs), T(20),
             "six replica directories")
    script("kafka-topics", "--delete", "--topic", "gone")
    zk = c.kazoo()
    wait_for(lambda: not zk.exists("/brokers/topics/gone") and
             not zk.exists("/admin/delete_topics/gone") and
             not zk.exists("/config/topics/gone"), T(30), "znodes gone")
    wait_for(lambda: not any(os.path.exists(d) for d in dirs), T(30),
             "directories gone on every broker")


def log_size(broker, topic, p):
    path = os.path.join(broker.dir, "data", "%s-%d" % (topic, p),
                        "%020d.log" % 0)
    return os.path.getsize(path) if os.path.exists(path) else 0


@suite.test("kafka-reassign-partitions.sh --throttle: the brokers hold the "
            "new replica's copy to the rate, then complete it")
def t_throttled_reassign():
    global c
    # two 1 s quota windows (so the throttle bites after ~1 s of traffic)
    # and small fetches (so the copy takes many of them)
    c = suite.cluster(name="thr", brokers=2, props={
        "replication.quota.window.num": "2",
        "replica.fetch.max.bytes": "16384",
        "auto.leader.rebalance.enable": "false"})
    script("kafka-topics", "--create", "--topic", "th",
           "--replica-assignment", "0")
    c.topic_leader_ready("th", 1)
    cl = clients.Confluent(c.bootstrap)
    recs = [clients.Rec(value=b"%04d" % i + b"x" * 996) for i in range(400)]
    cl.produce("th", recs, acks=1, extra={"batch.num.messages": 8})
    total = log_size(c.brokers[0], "th", 0)
    assert total >= 400000, "leader log of %d bytes" % total
    plan = os.path.join(c.dir, "plan.json")
    with open(plan, "w") as f:
        json.dump({"version": 1, "partitions": [
            {"topic": "th", "partition": 0, "replicas": [0, 1]}]}, f)
    out = script("kafka-reassign-partitions", "--execute",
                 "--reassignment-json-file", plan, "--throttle", "100000")
    assert "throttle limit was set to 100000 B/s" in out, out
    t0 = time.monotonic()
    wait_for(lambda: log_size(c.brokers[1], "th", 0) > 0, T(20),
             "the new replica to start copying", interval=0.05)
    time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))
    part = log_size(c.brokers[1], "th", 0)
    print("# %d of %d bytes copied after %.2f s at 100000 B/s" %
          (part, total, time.monotonic() - t0))
    # unthrottled, the whole log comes in well under a second
    assert part < total * 0.75, "%d of %d bytes copied" % (part, total)

    def completed():
        o = script("kafka-reassign-partitions", "--verify",
                   "--reassignment-json-file", plan)
        return "Reassignment of partition th-0 completed successfully" in o
    wait_for(completed, T(60), "the reassignment to complete", interval=0.5)
    print("# copy completed after %.2f s" % (time.monotonic() - t0))
    assert_eq(log_size(c.brokers[1], "th", 0), total, "copied bytes")
    cfg = json.loads(c.kazoo().get("/config/brokers/0")[0])["config"]
    assert "leader.replication.throttled.rate" not in cfg, cfg


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

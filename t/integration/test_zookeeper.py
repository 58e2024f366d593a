#!/usr/bin/python3
"""test_zookeeper.py: samsa and ZooKeeper, as Kafka's tooling sees them.

  * a topic written straight into ZooKeeper the way Kafka's old tooling
    does (/config/topics/<t>, then /brokers/topics/<t> JSON version 1)
    gets partition state znodes from the controller and is usable;
  * the broker's ZooKeeper session expires (the process is stopped with
    SIGSTOP past zookeeper.session.timeout.ms, so the server expires it):
    on SIGCONT it registers /brokers/ids/<id> again under a new session,
    becomes controller again and keeps serving;
  * ZooKeeper unreachable at start: exit non-zero after
    zookeeper.connection.timeout.ms with an error naming the connect
    string;
  * after all that (and topic creation, deletion, partition growth through
    the admin API), every znode in the cluster's chroot validates against
    zkschema/ (t/lib/zkschema.py).
"""

import json
import os
import re
import signal
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402
import clients                      # noqa: E402
from clients import Rec             # noqa: E402

suite = harness.Suite("zookeeper")
S = {}


def cluster():
    if "c" not in S:
        S["c"] = suite.cluster(props={"zookeeper.session.timeout.ms": "4000",
                                      "delete.topic.enable": "true",
                                      # retention runs often enough for
                                      # zk_config_change to see it act
                                      "log.retention.check.interval.ms":
                                      "500"})
    return S["c"]


def produce_consume(c, topic, partition, tag):
    cl = clients.KafkaPython(c.bootstrap)
    offs = cl.produce(topic, [Rec(b"k", tag)], partition=partition)
    got = cl.consume(topic, partition, offs[0], 1)
    assert_eq(got[0].value, tag, "%s[%d] read back" % (topic, partition))
    return offs[0]


@suite.test("a topic written into ZooKeeper as Kafka's tooling does gets "
            "partition states and serves")
def zk_created_topic():
    c = cluster()
    zk = c.kazoo()
    t = "zk-made"
    zk.create("/config/topics/" + t,
              json.dumps({"version": 1, "config": {
                  "retention.ms": "3600000"}}).encode(), makepath=True)
    zk.create("/brokers/topics/" + t,
              json.dumps({"version": 1, "partitions": {
                  "0": [0], "1": [0], "2": [0]}}).encode(), makepath=True)
    c.topic_leader_ready(t, 3)
    for p in range(3):
        st = json.loads(zk.get("/brokers/topics/%s/partitions/%d/state" %
                               (t, p))[0])
        assert_eq((st["leader"], st["isr"]), (0, [0]),
                  "partition %d leader and ISR" % p)
    for p in range(3):
        assert_eq(produce_consume(c, t, p, b"p%d" % p), 0,
                  "first offset of partition %d" % p)
    # the topic config from ZooKeeper is the one DescribeConfigs reports
    from confluent_kafka.admin import AdminClient, ConfigResource
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    res = ConfigResource(ConfigResource.Type.TOPIC, t)
    cfg = a.describe_configs([res])[res].result(T(20))
    assert_eq(cfg["retention.ms"].value, "3600000", "retention.ms")


@suite.test("ZooKeeper session expiry (SIGSTOP past the session timeout): "
            "the broker registers again and keeps serving")
def session_expiry():
    c = cluster()
    b = c.brokers[0]
    t = "before-expiry"
    first = produce_consume(c, t, 0, b"before")
    reg, owner = b.registration(with_owner=True)
    assert reg is not None, "registered before the test"
    mark = b.log_mark()
    b.proc.send_signal(signal.SIGSTOP)
    try:
        wait_for(lambda: b.registration() is None, 30,
                 "the registration to expire with the session", 0.2)
    finally:
        b.proc.send_signal(signal.SIGCONT)
    wait_for(lambda: b.registration(with_owner=True)[1] not in (None, owner),
             30, "broker 0 to register under a new session", 0.2)
    reg2 = b.registration()
    assert_eq(reg2["port"], reg["port"], "port in the new registration")
    wait_for(lambda: json.loads(c.kazoo().get("/controller")[0])
             ["brokerid"] == 0, 30, "broker 0 to be controller again")
    log = b.log_since(mark)
    if not re.search(r"(?i)expired", log):
        raise AssertionError("no log line about the expired session")
    assert b.alive(), "the broker survived the expiry"
    cl = clients.KafkaPython(c.bootstrap)
    assert_eq(cl.consume(t, 0, first, 1)[0].value, b"before",
              "record from before the expiry")
    wait_for(lambda: produce_consume(c, t, 0, b"after") == first + 1, 30,
             "produce and fetch after the expiry", 0.5)
    produce_consume(c, "after-expiry", 0, b"new topic")


@suite.test("ZooKeeper unreachable: exit non-zero after "
            "zookeeper.connection.timeout.ms, naming the connect string")
def zk_unreachable():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()           # nothing listens there now
    c = suite.cluster(name="nozk", brokers=0)
    b = c.add_broker({"zookeeper.connect": "127.0.0.1:%d/nozk" % port,
                      "zookeeper.connection.timeout.ms": "3000"})
    t0 = time.monotonic()
    p = b.launch()
    try:
        rc = p.wait(T(40))
    except Exception:
        harness.reap(p, signal.SIGKILL)
        raise AssertionError("the broker did not give up on ZooKeeper")
    dt = time.monotonic() - t0
    if rc == 0:
        raise AssertionError("exit status 0 without ZooKeeper")
    if dt < 2.5:
        raise AssertionError("gave up after %.1fs, before the 3s "
                             "connection timeout" % dt)
    log = b.log()
    err = [ln for ln in log.splitlines()
           if "ERROR" in ln and "127.0.0.1:%d" % port in ln]
    if not err:
        raise AssertionError("no ERROR line naming 127.0.0.1:%d:\n%s" %
                             (port, log[-2000:]))
    print("# exit %d after %.1fs: %s" % (rc, dt, err[0][:200]))


@suite.test("a topic config changed in ZooKeeper as kafka-configs.sh "
            "--zookeeper does it takes effect (retention.bytes)")
def zk_config_change():
    from confluent_kafka.admin import AdminClient, NewTopic
    c = cluster()
    zk = c.kazoo()
    t = "dyn"
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    a.create_topics([NewTopic(t, 1, 1, config={"segment.bytes": "1024"})])[
        t].result(T(30))
    c.topic_leader_ready(t)
    ck = clients.Confluent(c.bootstrap)
    for i in range(0, 60, 6):
        ck.produce(t, [Rec(None, b"d%03d-" % j + b"q" * 60)
                       for j in range(i, i + 6)])
    assert_eq(ck.earliest(t, 0), 0, "earliest before the change")
    zk.set("/config/topics/" + t, json.dumps({"version": 1, "config": {
        "segment.bytes": "1024", "retention.bytes": "1024"}}).encode())
    zk.create("/config/changes/config_change_", json.dumps(
        {"version": 2, "entity_path": "topics/" + t}).encode(),
        sequence=True, makepath=True)
    wait_for(lambda: ck.earliest(t, 0) > 0, 10,
             "retention.bytes=1024 to delete old segments")


@suite.test("every znode samsa wrote validates against zkschema/")
def schema_walk():
    import zkschema
    c = cluster()
    from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    for f in a.create_topics([NewTopic("walk-a", 2, 1, config={
            "cleanup.policy": "compact"}), NewTopic("walk-b", 1, 1)],
            operation_timeout=T(20)).values():
        f.result(T(30))
    for f in a.create_partitions([NewPartitions("walk-a", 4)],
                                 operation_timeout=T(20)).values():
        f.result(T(30))
    for f in a.delete_topics(["walk-b"], operation_timeout=T(20)).values():
        f.result(T(30))
    produce_consume(c, "walk-auto", 0, b"auto-created")
    zs = zkschema.ZkSchemas()
    zk = c.kazoo()
    problems, count, stack = [], 0, ["/"]
    while stack:
        path = stack.pop()
        try:
            data, _ = zk.get(path)
            kids = zk.get_children(path)
        except Exception:   # noqa: BLE001 -- deleted while walking
            continue
        if path != "/":
            count += 1
            problems += zs.validate(path, data)
        stack += [path.rstrip("/") + "/" + k for k in kids]
    print("# %d znodes checked" % count)
    assert_eq(problems, [], "zkschema problems")
    if count < 30:
        raise AssertionError("only %d znodes: the walk missed the tree" %
                             count)


if __name__ == "__main__":
    suite.main(modules=("kazoo", "kafka", "confluent_kafka", "jsonschema"))

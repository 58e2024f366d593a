#!/usr/bin/python3
"""test_admin.py: topic administration through the clients' admin APIs.

confluent-kafka's AdminClient and kafka-python's KafkaAdminClient each
create topics (with configs, validate-only too), grow partitions, delete
topics and describe topic and broker configs, and get Kafka's error codes:
TOPIC_ALREADY_EXISTS (36), INVALID_TOPIC_EXCEPTION (17),
INVALID_REPLICATION_FACTOR (38), INVALID_PARTITIONS (37),
UNKNOWN_TOPIC_OR_PARTITION (3).
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402

suite = harness.Suite("admin")
S = {}
IO_THREADS = "3"


def cluster():
    if "c" not in S:
        S["c"] = suite.cluster(props={"num.io.threads": IO_THREADS,
                                      "delete.topic.enable": "true",
                                      "auto.create.topics.enable": "false"})
    return S["c"]


def partitions_of(c, topic):
    from confluent_kafka.admin import AdminClient
    md = AdminClient({"bootstrap.servers": c.bootstrap}).list_topics(
        topic, timeout=T(10))
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        return None
    return len(t.partitions)


# ---------------------------------------------------------------- confluent

def ck_code(fut):
    """The Kafka error code a confluent admin future ends with (0: ok)."""
    from confluent_kafka import KafkaException
    try:
        fut.result(T(30))
        return 0
    except KafkaException as e:
        return e.args[0].code()


@suite.test("confluent-kafka AdminClient: create, duplicates, bad names, "
            "bad replication factor, validate-only")
def ck_create():
    from confluent_kafka.admin import AdminClient, NewTopic
    c = cluster()
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    fs = a.create_topics([NewTopic("ck-a", 3, 1, config={
        "retention.ms": "123456", "cleanup.policy": "compact"})],
        operation_timeout=T(20))
    assert_eq(ck_code(fs["ck-a"]), 0, "create ck-a")
    wait_for(lambda: partitions_of(c, "ck-a") == 3, 20, "ck-a metadata")
    cases = [(NewTopic("ck-a", 1, 1), 36, "duplicate"),
             (NewTopic("bad name!", 1, 1), 17, "invalid characters"),
             (NewTopic("x" * 250, 1, 1), 17, "name too long"),
             (NewTopic("..", 1, 1), 17, "'..'"),
             (NewTopic("ck-rf", 1, 3), 38, "replication factor 3, 1 broker"),
             (NewTopic("ck-p0", 0, 1), 37, "zero partitions")]
    for nt, code, what in cases:
        try:
            f = a.create_topics([nt], operation_timeout=T(20))[nt.topic]
        except ValueError as e:
            # the client refuses some arguments itself; say so
            print("# confluent-kafka refused %s itself: %s" % (what, e))
            continue
        assert_eq(ck_code(f), code, "create: " + what)
    f = a.create_topics([NewTopic("ck-validate", 2, 1)],
                        validate_only=True)["ck-validate"]
    assert_eq(ck_code(f), 0, "validate-only create")
    time.sleep(0.3)
    assert_eq(partitions_of(c, "ck-validate"), None,
              "validate-only created nothing")


@suite.test("confluent-kafka AdminClient: create partitions, delete topics")
def ck_partitions_delete():
    from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions
    c = cluster()
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    assert_eq(ck_code(a.create_topics([NewTopic("ck-grow", 2, 1)])
                      ["ck-grow"]), 0, "create ck-grow")
    f = a.create_partitions([NewPartitions("ck-grow", 5)],
                            operation_timeout=T(20))["ck-grow"]
    assert_eq(ck_code(f), 0, "grow to 5")
    wait_for(lambda: partitions_of(c, "ck-grow") == 5, 20, "5 partitions")
    for np, code, what in ((3, 37, "shrink"), (5, 37, "same count")):
        f = a.create_partitions([NewPartitions("ck-grow", np)])["ck-grow"]
        assert_eq(ck_code(f), code, "create partitions: " + what)
    f = a.create_partitions([NewPartitions("ck-none", 4)])["ck-none"]
    assert_eq(ck_code(f), 3, "create partitions of a missing topic")
    f = a.delete_topics(["ck-grow"], operation_timeout=T(20))["ck-grow"]
    assert_eq(ck_code(f), 0, "delete ck-grow")
    wait_for(lambda: partitions_of(c, "ck-grow") is None, 20,
             "ck-grow gone from metadata")
    wait_for(lambda: not c.kazoo().exists("/brokers/topics/ck-grow"), 20,
             "ck-grow gone from ZooKeeper")
    f = a.delete_topics(["ck-none"])["ck-none"]
    assert_eq(ck_code(f), 3, "delete a missing topic")


@suite.test("confluent-kafka AdminClient: describe topic and broker configs")
def ck_describe():
    from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
    c = cluster()
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    assert_eq(ck_code(a.create_topics([NewTopic("ck-cfg", 1, 1, config={
        "retention.ms": "7777"})])["ck-cfg"]), 0, "create ck-cfg")
    r = ConfigResource(ConfigResource.Type.TOPIC, "ck-cfg")
    cfg = a.describe_configs([r])[r].result(T(20))
    assert_eq(cfg["retention.ms"].value, "7777", "topic retention.ms")
    assert_eq(cfg["retention.ms"].source, 1,
              "retention.ms source (DYNAMIC_TOPIC_CONFIG)")
    assert_eq(cfg["cleanup.policy"].value, "delete", "default policy")
    assert cfg["cleanup.policy"].is_default, "cleanup.policy is a default"
    r = ConfigResource(ConfigResource.Type.BROKER, "0")
    cfg = a.describe_configs([r])[r].result(T(20))
    assert_eq(cfg["num.io.threads"].value, IO_THREADS, "num.io.threads")
    assert_eq(cfg["num.io.threads"].source, 4,
              "num.io.threads source (STATIC_BROKER_CONFIG)")
    r = ConfigResource(ConfigResource.Type.TOPIC, "ck-missing")
    from confluent_kafka import KafkaException
    try:
        a.describe_configs([r])[r].result(T(20))
        raise AssertionError("describe of a missing topic succeeded")
    except KafkaException as e:
        assert_eq(e.args[0].code(), 3, "describe a missing topic")


# ---------------------------------------------------------------- kafka-python

def kp_admin(c):
    from kafka.admin import KafkaAdminClient
    return KafkaAdminClient(bootstrap_servers=c.bootstrap,
                            request_timeout_ms=int(T(30) * 1000))


def kp_errno(fn, *args, **kw):
    from kafka.errors import KafkaError
    try:
        fn(*args, **kw)
        return 0
    except KafkaError as e:
        return getattr(e, "errno", -1)


@suite.test("kafka-python KafkaAdminClient: create, duplicates, bad names, "
            "bad replication factor, create partitions, delete")
def kp_admin_ops():
    from kafka.admin import NewTopic, NewPartitions
    c = cluster()
    a = kp_admin(c)
    try:
        assert_eq(kp_errno(a.create_topics, [NewTopic(
            "kp-a", 2, 1, topic_configs={"retention.ms": "5555"})],
            timeout_ms=20000), 0, "create kp-a")
        wait_for(lambda: partitions_of(c, "kp-a") == 2, 20, "kp-a metadata")
        for nt, code, what in [
                (NewTopic("kp-a", 1, 1), 36, "duplicate"),
                (NewTopic("bad/name", 1, 1), 17, "invalid characters"),
                (NewTopic("kp-rf", 1, 2), 38, "replication factor 2"),
                (NewTopic("kp-p0", 0, 1), 37, "zero partitions")]:
            assert_eq(kp_errno(a.create_topics, [nt]), code,
                      "create: " + what)
        assert_eq(kp_errno(a.create_partitions,
                           {"kp-a": NewPartitions(4)}), 0, "grow to 4")
        wait_for(lambda: partitions_of(c, "kp-a") == 4, 20, "4 partitions")
        assert_eq(kp_errno(a.create_partitions,
                           {"kp-a": NewPartitions(2)}), 37, "shrink")
        assert_eq(kp_errno(a.create_partitions,
                           {"kp-none": NewPartitions(2)}), 3,
                  "grow a missing topic")
        assert_eq(kp_errno(a.delete_topics, ["kp-a"], 20000), 0,
                  "delete kp-a")
        wait_for(lambda: partitions_of(c, "kp-a") is None, 20, "kp-a gone")
        assert_eq(kp_errno(a.delete_topics, ["kp-none"]), 3,
                  "delete a missing topic")
    finally:
        a.close()


@suite.test("kafka-python KafkaAdminClient: describe topic and broker "
            "configs")
def kp_describe():
    from kafka.admin import NewTopic, ConfigResource, ConfigResourceType
    c = cluster()
    a = kp_admin(c)
    try:
        assert_eq(kp_errno(a.create_topics, [NewTopic(
            "kp-cfg", 1, 1, topic_configs={"segment.ms": "600000"})]), 0,
            "create kp-cfg")
        res = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC,
                                                 "kp-cfg"),
                                  ConfigResource(ConfigResourceType.BROKER,
                                                 "0")])
        got = {}
        for resp in res:
            for r in resp.resources:
                err, _, rtype, rname, entries = r[:5]
                assert_eq(err, 0, "describe %s error" % rname)
                got[rname] = {e[0]: e[1] for e in entries}
        assert_eq(got["kp-cfg"]["segment.ms"], "600000", "topic segment.ms")
        assert_eq(got["kp-cfg"]["retention.ms"], "604800000",
                  "default retention.ms")
        assert_eq(got["0"]["num.io.threads"], IO_THREADS, "num.io.threads")
        assert_eq(got["0"]["broker.id"], "0", "broker.id")
    finally:
        a.close()


# ---------------------------------------------------------------- kafkajs

@suite.test("kafkajs admin: create (duplicate is 'false'), bad replication "
            "factor, create partitions, delete")
def kjs_admin():
    import clients
    c = cluster()
    actions = [
        {"op": "createTopics", "topics": [{"topic": "kjs-a",
                                           "numPartitions": 2,
                                           "replicationFactor": 1}]},
        {"op": "createTopics", "topics": [{"topic": "kjs-a",
                                           "numPartitions": 2,
                                           "replicationFactor": 1}]},
        {"op": "createTopics", "topics": [{"topic": "kjs-rf",
                                           "numPartitions": 1,
                                           "replicationFactor": 2}]},
        {"op": "createPartitions", "topicPartitions": [{"topic": "kjs-a",
                                                        "count": 3}]},
        {"op": "createPartitions", "topicPartitions": [{"topic": "kjs-a",
                                                        "count": 2}]},
        {"op": "deleteTopics", "topics": ["kjs-a"]},
        {"op": "deleteTopics", "topics": ["kjs-none"]}]
    res = clients.kjs({"op": "admin", "brokers": [c.bootstrap],
                       "retries": 1, "actions": actions})
    assert res["ok"], "kjs.js admin: %r" % res
    r = res["results"]
    assert_eq((r[0]["ok"], r[0]["result"]), (True, True), "create kjs-a")
    # kafkajs hides TOPIC_ALREADY_EXISTS: createTopics resolves false
    assert_eq((r[1]["ok"], r[1]["result"]), (True, False), "duplicate")
    assert_eq((r[2]["ok"], r[2].get("type")),
              (False, "INVALID_REPLICATION_FACTOR"), "replication factor 2")
    assert_eq(r[3]["ok"], True, "grow kjs-a to 3")
    assert_eq((r[4]["ok"], r[4].get("type")), (False, "INVALID_PARTITIONS"),
              "shrink kjs-a")
    assert_eq(r[5]["ok"], True, "delete kjs-a")
    assert_eq((r[6]["ok"], r[6].get("type")),
              (False, "UNKNOWN_TOPIC_OR_PARTITION"), "delete a missing topic")
    wait_for(lambda: partitions_of(c, "kjs-a") is None, 20, "kjs-a gone")


if __name__ == "__main__":
    suite.main(modules=("kazoo", "kafka", "confluent_kafka"))

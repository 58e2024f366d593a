#!/usr/bin/python3
"""test_clients.py: round trips through every client (issue 3 section 6).

One broker; for each client (kcat, kafka-python probing, kafka-python
api_version (0,8,2) and (0,10,0), confluent-kafka, kafkajs):

  * every compression codec the client supports: keyed, unkeyed and
    null-valued records, headers and CreateTime timestamps where the client
    can carry them, read back by the same client at the offsets the producer
    was told (kafkajs reads through its lower-level Fetch, see node/kjs.js);
  * a topic with message.timestamp.type=LogAppendTime: the broker's clock
    replaces the producer's timestamp;
  * max.message.bytes (topic) and message.max.bytes (broker): a record
    just under the limit is accepted, one over it is rejected with
    MESSAGE_TOO_LARGE as the client reports it, and nothing of it is
    appended;
  * ListOffsets through the client's own API: earliest, latest, by time.
"""

import os
import random
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import assert_eq       # noqa: E402
import clients                      # noqa: E402
from clients import Rec             # noqa: E402

suite = harness.Suite("clients")
S = {}
MAX_BYTES = 65536       # max.message.bytes of the size-limit topics


def setup():
    if "c" not in S:
        S["c"] = suite.cluster(props={"auto.create.topics.enable": "true",
                                      "num.partitions": "1"})
    return S["c"]


def make_recs(client, n, seed):
    """n records the client can produce: every 3rd unkeyed, one null value
    (not kcat), binary values (kcat: no delimiter bytes), headers and
    timestamps where supported."""
    rnd = random.Random(seed)
    recs = []
    base_ts = 1600000000000 + seed * 1000000
    for i in range(n):
        size = rnd.choice([0, 1, 7, 100, 1000, 3000])
        value = bytes(rnd.randrange(256) for _ in range(size))
        if isinstance(client, clients.Kcat):
            # kcat skips empty input messages
            value = value.replace(b"\x1e", b"A").replace(b"\x1f", b"B") \
                or b"e"
        key = None if i % 3 == 2 else b"key-%d-\xff\x00" % i
        if isinstance(client, clients.Kcat) and key is not None:
            key = key.replace(b"\x00", b"Z")
        if i == 4 and not isinstance(client, clients.Kcat):
            value = None
        if client.headers:
            if isinstance(client, clients.Kcat):
                hdrs = [("h1", b"v1"), ("trace", b"abc")]
            else:
                hdrs = [("h1", b"v%d" % i), ("bin", bytes([i, 0, 255]))]
        else:
            hdrs = []
        ts = base_ts + i * 1000 if client.timestamps else None
        recs.append(Rec(key, value, hdrs, ts))
    return recs


def check_same(got, want, first_offset, what, offsets=None,
               headers=True, timestamps=True):
    assert_eq(len(got), len(want), "%s: record count" % what)
    for i, (g, w) in enumerate(zip(got, want)):
        off = offsets[i] if offsets else first_offset + i
        assert_eq(g.offset, off, "%s: offset of record %d" % (what, i))
        assert_eq(g.key, w.key, "%s: key of record %d" % (what, i))
        # kafka-python and kcat cannot tell an empty value from null on
        # every path; the writer's null survives as null or empty
        if w.value is None:
            if g.value not in (None, b""):
                raise AssertionError("%s: record %d: null value read as "
                                     "%r" % (what, i, g.value[:20]))
        else:
            assert_eq(g.value, w.value, "%s: value of record %d" % (what, i))
        if headers:
            assert_eq(g.headers, w.headers, "%s: headers of record %d" %
                      (what, i))
        if timestamps and w.ts is not None:
            assert_eq(g.ts, w.ts, "%s: timestamp of record %d" % (what, i))


def roundtrip(cl, codec, seed):
    c = setup()
    cl = type(cl)(c.bootstrap, *([cl.api_version]
                                  if hasattr(cl, "api_version") else []))
    topic = "rt-%s-%s" % (cl.name.replace("(", "").replace(")", "")
                          .replace(", ", "").replace(",", ""), codec)
    n = 12
    recs = make_recs(cl, n, seed)
    offs = cl.produce(topic, recs, codec=codec)
    if offs is not None:
        assert_eq(offs, list(range(n)), "offsets the producer was told")
    got = cl.consume(topic, 0, 0, n)
    check_same(got, recs, 0, "%s %s" % (cl.name, codec))
    # produce again: the second batch continues the offsets
    offs2 = cl.produce(topic, recs[:3], codec=codec)
    if offs2 is not None:
        assert_eq(offs2, [n, n + 1, n + 2], "offsets of a second batch")
    got = cl.consume(topic, 0, n + 1, 2)
    check_same(got, recs[1:3], n + 1, "%s %s (seek)" % (cl.name, codec))


def _register_roundtrips():
    proto = clients.all_clients("x")
    seed = 1
    for cl in proto:
        for codec in cl.codecs:
            seed += 1
            suite.test("round trip: %s, codec %s" % (cl.name, codec))(
                lambda cl=cl, codec=codec, seed=seed:
                roundtrip(cl, codec, seed))


_register_roundtrips()


def fresh(cl_proto, c):
    if hasattr(cl_proto, "api_version"):
        return type(cl_proto)(c.bootstrap, cl_proto.api_version)
    return type(cl_proto)(c.bootstrap)


def create_topic(c, name, config):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    f = a.create_topics([NewTopic(name, 1, 1, config=config)],
                        operation_timeout=harness.T(20))
    f[name].result(harness.T(30))
    c.topic_leader_ready(name)


@suite.test("LogAppendTime topic: the broker's clock replaces CreateTime "
            "(every client)")
def log_append_time():
    c = setup()
    create_topic(c, "lat", {"message.timestamp.type": "LogAppendTime"})
    old = 1000000000000
    off = 0
    for cl in clients.all_clients(c.bootstrap):
        before = int(time.time() * 1000)
        recs = [Rec(b"k", b"v-" + cl.name.encode(),
                    ts=old if cl.timestamps else None)]
        cl.produce("lat", recs)
        after = int(time.time() * 1000)
        reader = clients.Confluent(c.bootstrap)
        got = reader.consume("lat", 0, off, 1)
        assert_eq(got[0].value, recs[0].value, "value via " + cl.name)
        if not before - 1000 <= got[0].ts <= after + 1000:
            raise AssertionError("%s: LogAppendTime %d not within [%d, %d]"
                                 % (cl.name, got[0].ts, before, after))
        assert_eq(got[0].ts_type, 2, "confluent timestamp type "
                  "(TIMESTAMP_LOG_APPEND_TIME)")
        if cl.can_consume and cl.timestamps:
            mine = cl.consume("lat", 0, off, 1)
            assert_eq(mine[0].ts, got[0].ts, "%s reads the broker's "
                      "timestamp" % cl.name)
        off += 1


def size_limit(cl_proto, broker_level=False):
    """max.message.bytes of the topic, or (broker_level) the broker's
    message.max.bytes on an auto-created topic."""
    if broker_level:
        if "c2" not in S:
            S["c2"] = suite.cluster(name="msgmax", props={
                "message.max.bytes": str(MAX_BYTES)})
        c = S["c2"]
    else:
        c = setup()
    cl = fresh(cl_proto, c)
    topic = "size-" + cl.name.replace("(", "").replace(")", "") \
        .replace(", ", "").replace(",", "")
    if broker_level:
        # the first produce auto-creates it
        clients.Confluent(c.bootstrap).produce(topic, [Rec(None, b"s")])
        first = 1
    else:
        create_topic(c, topic, {"max.message.bytes": str(MAX_BYTES)})
        first = 0
    rnd = random.Random(7)

    def blob(n):
        b = bytes(rnd.randrange(256) for _ in range(n))
        return b.replace(b"\x1e", b"A").replace(b"\x1f", b"B")
    under = Rec(None, blob(MAX_BYTES - 100))
    cl.produce(topic, [under])
    over = Rec(None, blob(MAX_BYTES + 1))
    try:
        cl.produce(topic, [over])
    except clients.ProduceError as e:
        assert_eq(e.kind, "MESSAGE_TOO_LARGE", "%s error for a record "
                  "over max.message.bytes (%s)" % (cl.name, e))
    else:
        raise AssertionError("%s: a record over max.message.bytes was "
                             "accepted" % cl.name)
    reader = clients.Confluent(c.bootstrap)
    assert_eq(reader.latest(topic, 0), first + 1, "log end offset after the "
              "rejected record")
    got = reader.consume(topic, 0, first, 1)
    assert_eq(got[0].value, under.value, "the record just under the limit")


for _cl in clients.all_clients("x"):
    suite.test("max.message.bytes (topic): %s: just under accepted, just "
               "over MESSAGE_TOO_LARGE" % _cl.name)(
        lambda cl=_cl: size_limit(cl))
for _cl in clients.all_clients("x"):
    suite.test("message.max.bytes (broker): %s: just under accepted, just "
               "over MESSAGE_TOO_LARGE" % _cl.name)(
        lambda cl=_cl: size_limit(cl, True))


def offsets_topic():
    c = setup()
    if "offsets" not in S:
        base = 1700000000000
        recs = [Rec(b"k%d" % i, b"v%d" % i, ts=base + i * 1000)
                for i in range(10)]
        clients.Confluent(c.bootstrap).produce("offsets", recs)
        S["offsets"] = base
    return c, S["offsets"]


def list_offsets(cl_proto):
    c, base = offsets_topic()
    cl = fresh(cl_proto, c)
    assert_eq(cl.earliest("offsets", 0), 0, "%s earliest" % cl.name)
    assert_eq(cl.latest("offsets", 0), 10, "%s latest" % cl.name)
    if isinstance(cl, clients.KafkaPython) and cl.api_version is not None \
            and cl.api_version < (0, 10, 1):
        # offsets_for_times needs ListOffsets v1 (Kafka 0.10.1)
        return
    assert_eq(cl.by_time("offsets", 0, base + 2500), 3,
              "%s offset for time between records 2 and 3" % cl.name)
    assert_eq(cl.by_time("offsets", 0, base + 3000), 3,
              "%s offset for the exact time of record 3" % cl.name)
    assert_eq(cl.by_time("offsets", 0, base), 0,
              "%s offset for the first record's time" % cl.name)
    after = cl.by_time("offsets", 0, base + 60000)
    if after not in (-1, 10, None):
        raise AssertionError("%s offset for a time after the last record:"
                             " %r (want -1/none)" % (cl.name, after))
    if isinstance(cl, clients.Kcat):
        assert_eq(cl.first_offset_from("offsets", 0, "s@%d" % (base + 4500)),
                  5, "kcat -o s@ts")
        assert_eq(cl.first_offset_from("offsets", 0, "beginning"), 0,
                  "kcat -o beginning")
        assert_eq(cl.first_offset_from("offsets", 0, "-2"), 8,
                  "kcat -o -2")


for _cl in clients.all_clients("x"):
    suite.test("ListOffsets through %s: earliest, latest, by time" %
               _cl.name)(lambda cl=_cl: list_offsets(cl))


if __name__ == "__main__":
    suite.main(modules=("kazoo", "kafka", "confluent_kafka"))

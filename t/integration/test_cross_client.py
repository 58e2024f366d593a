#!/usr/bin/python3
"""test_cross_client.py: what each client writes, every client reads
byte-identically (issue 3 section 6).

For each writer (kcat, kafka-python probing / (0,8,2) / (0,10,0),
confluent-kafka, kafkajs) one topic gets two produce calls: six records
uncompressed, then six compressed with a codec that writer supports (so
the broker stores magic 0, 1 and 2 entries, legacy compressed wrappers
included, and down-converts them for old readers).  Every reader then
reads all twelve (kafkajs cannot decompress snappy/lz4/zstd, so it reads
only what it can) and must see the same keys, values and offsets; headers
when writer and reader both carry them, timestamps likewise.
"""

import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import assert_eq       # noqa: E402
import clients                      # noqa: E402
from clients import Rec             # noqa: E402

suite = harness.Suite("cross")
S = {}

# the compressed half of each writer's topic
CODEC = {"kcat": "lz4", "kafka-python": "gzip",
         "kafka-python(0, 8, 2)": "lz4", "kafka-python(0, 10, 0)": "snappy",
         "confluent-kafka": "snappy", "kafkajs": "gzip"}


def cluster():
    if "c" not in S:
        S["c"] = suite.cluster()
    return S["c"]


def records(w, seed):
    rnd = random.Random(seed)
    recs = []
    for i in range(12):
        size = rnd.choice([1, 5, 64, 700, 4000])
        v = bytes(rnd.randrange(256) for _ in range(size))
        v = v.replace(b"\x1e", b"\x1d").replace(b"\x1f", b"\x1d")
        key = None if i % 4 == 3 else b"k%02d:" % i + bytes([i, 200 + i])
        hdrs = [("app", b"samsa"), ("writer", w.name.encode())] \
            if w.headers else []
        ts = 1650000000000 + i * 7 if w.timestamps else None
        recs.append(Rec(key, v, hdrs, ts))
    return recs


def can_decode(reader, codec):
    if isinstance(reader, clients.KafkaJS):
        return codec in ("none", "gzip")
    if codec == "zstd" and isinstance(reader, clients.KafkaPython) and \
            reader.api_version is not None:
        # Kafka refuses to down-convert zstd for Fetch < v10
        return False
    return True


def cross(proto):
    c = cluster()
    w = fresh(proto, c)
    topic = "x-" + "".join(ch for ch in w.name if ch.isalnum())
    recs = records(w, len(topic))
    offs1 = w.produce(topic, recs[:6], codec="none")
    offs2 = w.produce(topic, recs[6:], codec=CODEC[w.name])
    if offs1 is not None:
        assert_eq(offs1 + offs2, list(range(12)), "writer's offsets")
    for r in clients.all_clients(c.bootstrap):
        n = 12 if can_decode(r, CODEC[w.name]) else 6
        got = r.consume(topic, 0, 0, n)
        what = "%s wrote, %s read" % (w.name, r.name)
        assert_eq(len(got), n, what + ": count")
        for i, (g, x) in enumerate(zip(got, recs)):
            assert_eq(g.offset, i, what + ": offset %d" % i)
            assert_eq(g.key, x.key, what + ": key %d" % i)
            assert_eq(g.value, x.value, what + ": value %d" % i)
            if w.headers and r.headers:
                assert_eq(g.headers, x.headers, what + ": headers %d" % i)
            elif r.headers and r.can_consume:
                assert_eq(g.headers, [], what + ": no headers %d" % i)
            if w.timestamps and r.reads_timestamps:
                assert_eq(g.ts, x.ts, what + ": timestamp %d" % i)


def fresh(proto, c):
    if hasattr(proto, "api_version"):
        return type(proto)(c.bootstrap, proto.api_version)
    return type(proto)(c.bootstrap)


for _w in clients.all_clients("x"):
    suite.test("cross-client: %s writes (none + %s), every client reads" %
               (_w.name, CODEC[_w.name]))(lambda w=_w: cross(w))


if __name__ == "__main__":
    suite.main(modules=("kazoo", "kafka", "confluent_kafka"))

#!/usr/bin/python3
"""test_producer.py: records sent by libsamsa's producer (through
bin/kafka-console-producer.sh, samsa-console-producer) as other clients
read them.

  * keys, headers and values, with every compression codec, read back
    byte for byte by confluent-kafka (librdkafka), kcat and kafka-python;
  * keyed records land in the partition Kafka's Java client picks:
    toPositive(murmur2(key)) % partitions, computed here from the Java
    algorithm (protocol.md section 7.1) and cross-checked with
    librdkafka's Java-compatible murmur2 partitioner;
  * a line without its key separator ends the tool with status 1.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq   # noqa: E402
import clients                      # noqa: E402

suite = harness.Suite("producer")
S = {}
TOOL = os.path.join(harness.SRCDIR, "bin", "kafka-console-producer.sh")


def cluster():
    if "c" not in S:
        S["c"] = suite.cluster()
    return S["c"]


def create(c, name, partitions=1):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    f = a.create_topics([NewTopic(name, partitions, 1)],
                        operation_timeout=T(20))
    f[name].result(T(30))
    c.topic_leader_ready(name, partitions)


def tool_env():
    env = dict(os.environ)
    b = os.environ.get("top_builddir")
    if b:
        env["SAMSA_BUILD_DIR"] = os.path.abspath(b)
    return env


def produce(c, topic, lines, *args, check=True):
    argv = [TOOL, "--bootstrap-server", c.bootstrap, "--topic", topic,
            "--timeout", "50"] + list(args)
    return harness.run(argv, 60, input=b"".join(l + b"\n" for l in lines),
                       check=check, env=tool_env())


def murmur2(data):
    """Kafka's Utils.murmur2, in 32-bit unsigned arithmetic."""
    m, h = 0x5bd1e995, (0x9747b28c ^ len(data)) & 0xffffffff
    n4 = len(data) // 4
    for i in range(n4):
        k = int.from_bytes(data[i * 4:i * 4 + 4], "little")
        k = (k * m) & 0xffffffff
        k ^= k >> 24
        k = (k * m) & 0xffffffff
        h = ((h * m) & 0xffffffff) ^ k
    tail, r = n4 * 4, len(data) % 4
    if r == 3:
        h ^= data[tail + 2] << 16
    if r >= 2:
        h ^= data[tail + 1] << 8
    if r >= 1:
        h ^= data[tail]
        h = (h * m) & 0xffffffff
    h ^= h >> 13
    h = (h * m) & 0xffffffff
    h ^= h >> 15
    return h


def java_partition(key, n):
    return (murmur2(key) & 0x7fffffff) % n


@suite.test("murmur2 here matches Java's vectors")
def vectors():
    assert_eq(murmur2(b"kafka"), 0xd067cf64, "murmur2(kafka)")
    assert_eq(murmur2(b"giberish123456789"), 0x8f552b0c, "murmur2(giberish)")
    assert_eq(murmur2(b""), 0x106e08d9, "murmur2(empty)")


def check_codec(codec):
    c = cluster()
    topic = "codec-" + codec
    create(c, topic)
    lines = [b"h1:v%d,h2:x\tkey-%d\tvalue %d %s" % (i, i, i, b"z" * (i * 7))
             for i in range(40)]
    produce(c, topic, lines, "--property", "parse.key=true",
            "--property", "parse.headers=true",
            "--compression-codec", codec)
    want = [(b"key-%d" % i, b"value %d %s" % (i, b"z" * (i * 7)),
             [("h1", b"v%d" % i), ("h2", b"x")]) for i in range(40)]
    for cl in (clients.Confluent(c.bootstrap), clients.Kcat(c.bootstrap),
               clients.KafkaPython(c.bootstrap)):
        got = cl.consume(topic, 0, 0, 40)
        assert_eq([(r.key, r.value, r.headers) for r in got], want,
                  "%s reads %s records" % (cl.name, codec))
        assert_eq([r.offset for r in got], list(range(40)),
                  "%s offsets (%s)" % (cl.name, codec))
    # the batches on disk carry the codec (kafka-dump-log.sh says so)
    seg = os.path.join(c.brokers[0].dir, "data", topic + "-0",
                       "%020d.log" % 0)
    cp = harness.run([os.path.join(harness.SRCDIR, "bin",
                                   "kafka-dump-log.sh"), "--files", seg],
                     60, env=tool_env())
    codecs = set(l.split("compresscodec: ")[1].split()[0]
                 for l in cp.stdout.decode().splitlines()
                 if "compresscodec: " in l)
    assert_eq(codecs, {codec.upper()}, "codec of the batches on disk")


for _codec in ("none", "gzip", "snappy", "lz4", "zstd"):
    suite.test("keys, headers, values with compression %s read by "
               "confluent-kafka, kcat and kafka-python" % _codec)(
        (lambda cd: lambda: check_codec(cd))(_codec))


@suite.test("keyed records land where Java's murmur2 puts them, as "
            "librdkafka's murmur2 partitioner agrees")
def keyed_partitions():
    c = cluster()
    n = 6
    create(c, "keyed", n)
    keys = [b"kafka", b"1234", b"234", b"user-%d" % 17] + \
        [b"k%03d" % i for i in range(60)]
    produce(c, "keyed", [k + b":" + b"v-" + k for k in keys],
            "--property", "parse.key=true", "--property",
            "key.separator=:")
    ck = clients.Confluent(c.bootstrap)
    where = {}
    for p in range(n):
        cnt = ck.latest("keyed", p)
        for r in ck.consume("keyed", p, 0, cnt):
            where[r.key] = p
            assert_eq(r.value, b"v-" + r.key, "value of " + repr(r.key))
    assert_eq(len(where), len(keys), "every keyed record found")
    for k in keys:
        assert_eq(where[k], java_partition(k, n), "partition of %r" % k)
    # librdkafka's Java-compatible partitioner picks the same partitions
    from confluent_kafka import Producer
    seen = {}
    pr = Producer({"bootstrap.servers": c.bootstrap,
                   "partitioner": "murmur2_random"})
    for k in keys[:8]:
        pr.produce("keyed", key=k, value=b"rdk",
                   on_delivery=lambda err, m: seen.__setitem__(
                       m.key(), m.partition()))
    assert_eq(pr.flush(T(30)), 0, "librdkafka flush")
    for k in keys[:8]:
        assert_eq(seen[k], where[k], "librdkafka agrees on %r" % k)


@suite.test("a line without its key separator: status 1, Kafka's message")
def missing_separator():
    c = cluster()
    create(c, "nosep")
    cp = produce(c, "nosep", [b"a\tb", b"no-separator"], "--property",
                 "parse.key=true", check=False)
    assert_eq(cp.returncode, 1, "exit status")
    err = cp.stderr.decode()
    if "No key found on line 2: no-separator" not in err:
        raise AssertionError("stderr: %s" % err)
    got = clients.Confluent(c.bootstrap).consume("nosep", 0, 0, 1)
    assert_eq([(r.key, r.value) for r in got], [(b"a", b"b")],
              "the line before was sent")


@suite.test("usage errors: missing --topic, unknown option (status 1)")
def usage_errors():
    cp = harness.run([TOOL, "--bootstrap-server", "127.0.0.1:1"], 30,
                     check=False, env=tool_env())
    assert_eq(cp.returncode, 1, "missing --topic")
    assert_eq(cp.stderr.decode().splitlines()[0],
              'Missing required argument "[topic]"', "message")
    cp = harness.run([TOOL, "--bootstrap-server", "127.0.0.1:1", "--topic",
                      "t", "--bogus"], 30, check=False, env=tool_env())
    assert_eq(cp.returncode, 1, "unknown option")
    if "bogus is not a recognized option" not in cp.stderr.decode():
        raise AssertionError(cp.stderr.decode())


suite.main(modules=("kazoo", "confluent_kafka", "kafka"))

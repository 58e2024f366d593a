#!/usr/bin/python3
"""test_console.py: bin/kafka-console-producer.sh and
bin/kafka-console-consumer.sh against a real broker.

  * round trip: stdin lines -> console producer -> console consumer ->
    stdout, byte for byte, keyed and unkeyed, every partition;
  * the reverse: confluent-kafka and kafka-python records, every codec,
    printed by the console consumer;
  * the consumer's DefaultMessageFormatter fields (print.key,
    print.timestamp, print.offset, print.partition, print.headers) on
    records confluent-kafka wrote with known timestamps and headers;
  * --partition/--offset, --max-messages, --timeout-ms (status 0 and
    "Processed a total of N messages"), usage errors with Kafka's messages;
  * kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh: Kafka's
    summary lines, records arrive;
  * libsamsa(3)'s example program (t/tools/libsamsa_example) runs.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq   # noqa: E402
import clients                      # noqa: E402
from clients import Rec             # noqa: E402

suite = harness.Suite("console")
S = {}
BIN = os.path.join(harness.SRCDIR, "bin")


def cluster():
    if "c" not in S:
        S["c"] = suite.cluster()
    return S["c"]


def create(c, name, partitions=1):
    """Create a topic; a request that times out (seen once in CI: the
    broker's ZooKeeper connection dropped right after start and the C
    client took its connect timeout to come back) is sent again, twice at
    most; one that finds the topic created meanwhile is fine."""
    import concurrent.futures
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    for attempt in range(3):
        f = a.create_topics([NewTopic(name, partitions, 1)],
                            operation_timeout=T(20))
        try:
            f[name].result(T(30))
            break
        except concurrent.futures.TimeoutError:
            if attempt == 2:
                raise
        except KafkaException as e:
            if e.args[0].name() != "TOPIC_ALREADY_EXISTS" or attempt == 0:
                raise
            break
    c.topic_leader_ready(name, partitions)


def env():
    return harness.tool_env()


def producer(c, topic, data, *args):
    return harness.run([os.path.join(BIN, "kafka-console-producer.sh"),
                        "--bootstrap-server", c.bootstrap, "--topic", topic,
                        "--timeout", "20"] + list(args), 60, input=data,
                       env=env())


def consumer(c, topic, *args, check=True):
    return harness.run([os.path.join(BIN, "kafka-console-consumer.sh"),
                        "--bootstrap-server", c.bootstrap, "--topic",
                        topic] + list(args), 60, check=check, env=env())


@suite.test("round trip: stdin -> producer -> consumer -> stdout")
def round_trip():
    c = cluster()
    create(c, "rt", 3)
    lines = [b"line %03d %s" % (i, b"~" * (i % 17)) for i in range(50)]
    producer(c, "rt", b"".join(l + b"\n" for l in lines))
    cp = consumer(c, "rt", "--from-beginning", "--max-messages", "50")
    got = cp.stdout.splitlines()
    # sticky partitioning spreads batches; order holds per partition
    assert_eq(sorted(got), sorted(lines), "every line, once")
    assert_eq(cp.stderr.decode().strip().splitlines()[-1],
              "Processed a total of 50 messages", "count on stderr")
    keyed = [b"k%d=v%d" % (i % 5, i) for i in range(30)]
    producer(c, "rt", b"".join(l + b"\n" for l in keyed), "--property",
             "parse.key=true", "--property", "key.separator==",
             "--compression-codec", "lz4")
    out = []
    for p in range(3):
        cp = consumer(c, "rt", "--partition", str(p), "--offset",
                      "earliest", "--timeout-ms", "1500", "--property",
                      "print.key=true", "--property", "key.separator==")
        out += [l for l in cp.stdout.splitlines() if l.startswith(b"k")]
    assert_eq(sorted(out), sorted(keyed), "keyed lines come back")


@suite.test("formatter fields: timestamp, partition, offset, headers, key")
def formatter():
    c = cluster()
    create(c, "fmt", 2)
    recs = [Rec(b"k1", b"v1", [("h", b"1"), ("g", b"x")], ts=1600000000000),
            Rec(None, b"v2", [], ts=1600000000001)]
    clients.Confluent(c.bootstrap).produce("fmt", recs, partition=1)
    cp = consumer(c, "fmt", "--partition", "1", "--offset", "0",
                  "--max-messages", "2", "--property", "print.key=true",
                  "--property", "print.timestamp=true", "--property",
                  "print.offset=true", "--property", "print.partition=true",
                  "--property", "print.headers=true")
    assert_eq(cp.stdout.decode().splitlines(), [
        "CreateTime:1600000000000\tPartition:1\tOffset:0\th:1,g:x\tk1\tv1",
        "CreateTime:1600000000001\tPartition:1\tOffset:1\tNO_HEADERS\t"
        "null\tv2"], "formatted lines")
    cp = consumer(c, "fmt", "--partition", "1", "--offset", "1",
                  "--max-messages", "1")
    assert_eq(cp.stdout, b"v2\n", "--offset 1")


@suite.test("the reverse: what confluent-kafka and kafka-python wrote, "
            "with every codec, the console consumer prints")
def reverse():
    c = cluster()
    # kafka-python pinned to 0.10.0 / 0.8.2 writes magic 1 / magic 0
    for n, cl in enumerate((clients.Confluent(c.bootstrap),
                            clients.KafkaPython(c.bootstrap),
                            clients.KafkaPython(c.bootstrap, (0, 10, 0)),
                            clients.KafkaPython(c.bootstrap, (0, 8, 2)))):
        for codec in cl.codecs:
            topic = "rev-%d-%s" % (n, codec)
            create(c, topic)
            recs = [Rec(b"k%d" % i, b"%s %s %d" % (cl.name.encode(),
                                                   codec.encode(), i),
                        [("h", b"%d" % i)] if cl.headers else [])
                    for i in range(20)]
            cl.produce(topic, recs, codec=codec)
            cp = consumer(c, topic, "--from-beginning", "--max-messages",
                          "20", "--property", "print.key=true",
                          "--property", "print.headers=true")
            assert_eq(cp.stdout.decode().splitlines(),
                      ["%s\tk%d\t%s %s %d" % ("h:%d" % i if cl.headers
                                               else "NO_HEADERS", i,
                                               cl.name, codec, i)
                       for i in range(20)],
                      "%s %s read by the console consumer" % (cl.name,
                                                              codec))


@suite.test("--timeout-ms ends with status 0 and the count; latest "
            "starts at the end")
def timeout():
    c = cluster()
    create(c, "idle")
    producer(c, "idle", b"old\n")
    cp = consumer(c, "idle", "--timeout-ms", "1000")
    assert_eq(cp.returncode, 0, "status")
    assert_eq(cp.stdout, b"", "nothing after the end")
    err = cp.stderr.decode()
    if "TimeoutException" not in err or \
            "Processed a total of 0 messages" not in err:
        raise AssertionError(err)


@suite.test("kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh: "
            "Kafka's summary lines; the records arrive")
def perf():
    import re
    c = cluster()
    create(c, "perf", 2)
    cp = harness.run([os.path.join(BIN, "kafka-producer-perf-test.sh"),
                      "--topic", "perf", "--num-records", "3000",
                      "--record-size", "100", "--throughput", "-1",
                      "--producer-props", "bootstrap.servers=" + c.bootstrap,
                      "acks=1", "linger.ms=5"], 120, env=env())
    last = cp.stdout.decode().splitlines()[-1]
    m = re.match(r"^3000 records sent, \d+\.\d{6} records/sec "
                 r"\(\d+\.\d\d MB/sec\), \d+\.\d\d ms avg latency, "
                 r"\d+\.\d\d ms max latency, \d+ ms 50th, \d+ ms 95th, "
                 r"\d+ ms 99th, \d+ ms 99\.9th\.$", last)
    if not m:
        raise AssertionError("summary line: %r" % last)
    ck = clients.Confluent(c.bootstrap)
    assert_eq(ck.latest("perf", 0) + ck.latest("perf", 1), 3000,
              "records in the log")
    got = ck.consume("perf", 0, 0, 1)
    if not re.match(rb"^[A-Z]{100}$", got[0].value):
        raise AssertionError("payload %r" % got[0].value)
    # kafka-consumer-perf-test.sh reads them back
    kp = os.path.join(BIN, "kafka-consumer-perf-test.sh")
    cp = harness.run([kp, "--bootstrap-server", c.bootstrap, "--topic",
                      "perf", "--messages", "3000"], 60, env=env())
    lines = cp.stdout.decode().splitlines()
    assert_eq(lines[0], "start.time, end.time, data.consumed.in.MB, MB.sec, "
              "data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, "
              "fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec", "header")
    d = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}"
    f4 = r"\d+\.\d{4}"
    if not re.match(r"^%s, %s, 0\.2861, %s, 3000, %s, \d+, \d+, %s, %s$" %
                    (d, d, f4, f4, f4, f4), lines[1]):
        raise AssertionError("totals line: %r" % lines[1])
    cp = harness.run([kp, "--bootstrap-server", c.bootstrap, "--topic",
                      "perf", "--messages", "5000", "--timeout", "8000",
                      "--hide-header"], 60, env=env())
    lines = cp.stdout.decode().splitlines()
    assert_eq(lines[0], "WARNING: Exiting before consuming the expected "
              "number of messages: timeout (8000 ms) exceeded. You can use "
              "the --timeout option to increase the timeout.", "warning")
    if ", 3000, " not in lines[1]:
        raise AssertionError("totals after the timeout: %r" % lines[1])
    cp = harness.run([os.path.join(BIN, "kafka-producer-perf-test.sh"),
                      "--topic", "perf"], 30, check=False, env=env())
    assert_eq(cp.returncode, 1, "missing --num-records")
    assert_eq(cp.stderr.decode().splitlines()[-1], "producer-performance: "
              "error: argument --num-records is required", "message")


@suite.test("kafka-verifiable-producer.sh: Kafka's JSON events, one per "
            "record, keys and values as asked; SIGTERM ends an endless run")
def verifiable_producer():
    import json
    import signal
    import subprocess
    c = cluster()
    create(c, "vp", 2)
    vp = os.path.join(BIN, "kafka-verifiable-producer.sh")
    cp = harness.run([vp, "--broker-list", c.bootstrap, "--topic", "vp",
                      "--max-messages", "50", "--acks", "-1",
                      "--value-prefix", "7", "--repeating-keys", "3"], 60,
                     env=env())
    ev = [json.loads(ln) for ln in cp.stdout.decode().splitlines()]
    names = [e["name"] for e in ev]
    assert_eq(names, ["startup_complete"] + ["producer_send_success"] * 50 +
              ["shutdown_complete", "tool_data"], "events")
    for e in ev:
        assert_eq(list(e)[:2], ["timestamp", "name"], "leading fields")
    sent = {e["value"]: e for e in ev[1:51]}
    assert_eq(sorted(sent), sorted("7.%d" % i for i in range(50)), "values")
    for i in range(50):
        e = sent["7.%d" % i]
        assert_eq((e["key"], e["topic"]), (str(i % 3), "vp"), "key of %d" % i)
    assert_eq(len({(e["partition"], e["offset"]) for e in sent.values()}),
              50, "distinct partition/offset pairs")
    td = ev[-1]
    assert_eq((td["sent"], td["acked"], td["target_throughput"]),
              (50, 50, -1), "tool_data")
    # what the events claim is in the log
    ck = clients.Confluent(c.bootstrap)
    for p in (0, 1):
        for r in ck.consume("vp", p, 0, ck.latest("vp", p)):
            e = sent[r.value.decode()]
            assert_eq((e["partition"], e["offset"], e["key"]),
                      (p, r.offset, r.key.decode()), "record %r" % r.value)
    # endless at 200 records/s until SIGTERM
    t0 = time.monotonic()
    proc = subprocess.Popen([vp, "--bootstrap-server", c.bootstrap,
                             "--topic", "vp", "--throughput", "200"],
                            stdout=subprocess.PIPE, env=env())
    try:
        first = json.loads(proc.stdout.readline())
        assert_eq(first["name"], "startup_complete", "first event")
        time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=T(30))
    finally:
        harness.reap(proc, signal.SIGKILL, 5)
    ev = [json.loads(ln) for ln in out.decode().splitlines()]
    assert_eq([e["name"] for e in ev[-2:]], ["shutdown_complete",
              "tool_data"], "last events")
    td = ev[-1]
    # the throttle catches up after a stall (Kafka's ThroughputThrottler
    # does too), so bound by the whole run, start-up included
    ran = time.monotonic() - t0
    assert 50 <= td["sent"] <= 200 * ran + 50, \
        "sent %d in %.1f s at 200/s" % (td["sent"], ran)
    assert_eq(td["acked"], td["sent"], "acked")
    assert_eq(proc.returncode, 0, "exit status")
    cp = harness.run([vp, "--topic", "vp"], 30, check=False, env=env())
    assert_eq(cp.returncode, 1, "no bootstrap")
    assert_eq(cp.stderr.decode().splitlines()[-1], "verifiable-producer: "
              "error: one of the arguments --bootstrap-server "
              "--broker-list is required", "message")


@suite.test("libsamsa(3)'s example program produces and reads back")
def libsamsa_example():
    c = cluster()
    create(c, "example")
    b = os.environ.get("top_builddir") or os.environ.get("SAMSA_BUILD_DIR")
    exe = os.path.join(b or harness.SRCDIR, "t", "tools", "libsamsa_example")
    if not os.access(exe, os.X_OK):
        raise harness.Skip("t/tools/libsamsa_example not built "
                           "(make check builds it)")
    cp = harness.run([exe, c.bootstrap, "example"], 60)
    assert_eq(cp.stdout.decode().splitlines(),
              ["0 greeting=hello 0", "1 greeting=hello 1",
               "2 greeting=hello 2"], "what the example prints")


@suite.test("--group: a second run of the group starts at its committed "
            "offsets; --whitelist subscribes to a pattern")
def groups():
    c = cluster()
    create(c, "cg", 2)
    producer(c, "cg", b"".join(b"a%d\n" % i for i in range(20)))
    cp = consumer(c, "cg", "--group", "cg1", "--from-beginning",
                  "--max-messages", "20")
    assert_eq(sorted(cp.stdout.decode().split()),
              sorted("a%d" % i for i in range(20)), "first run")
    producer(c, "cg", b"".join(b"b%d\n" % i for i in range(5)))
    cp = consumer(c, "cg", "--group", "cg1", "--from-beginning",
                  "--timeout-ms", "8000")
    assert_eq(sorted(cp.stdout.decode().split()),
              sorted("b%d" % i for i in range(5)), "second run: new only")
    assert_eq(cp.stderr.decode().splitlines()[-1],
              "Processed a total of 5 messages", "count")
    create(c, "wl-a", 1)
    create(c, "wl-b", 1)
    producer(c, "wl-a", b"x1\nx2\n")
    producer(c, "wl-b", b"y1\n")
    cp = harness.run([os.path.join(BIN, "kafka-console-consumer.sh"),
                      "--bootstrap-server", c.bootstrap, "--whitelist",
                      "wl-.*", "--from-beginning", "--max-messages", "3"],
                     60, env=env())
    assert_eq(sorted(cp.stdout.decode().split()), ["x1", "x2", "y1"],
              "whitelist")


@suite.test("usage errors (status 1): group with partition, mismatched "
            "group ids, --from-beginning against auto.offset.reset")
def errors():
    c = cluster()
    cases = [
        (("--group", "g", "--partition", "0"),
         "Options group and partition cannot be specified together."),
        (("--group", "g", "--consumer-property", "group.id=h"),
         "The group ids provided in different places (directly using "
         "'--group', via '--consumer-property', or via '--consumer.config') "
         "do not match. Detected group ids: 'g', 'h'"),
        (("--from-beginning", "--consumer-property",
          "auto.offset.reset=latest"),
         "Can't simultaneously specify --from-beginning and "
         "'auto.offset.reset=latest', please remove one option"),
        (("--offset", "5"),
         "The partition is required when offset is specified."),
    ]
    for args, msg in cases:
        cp = consumer(c, "x", *args, check=False)
        assert_eq(cp.returncode, 1, "status of %r" % (args,))
        assert_eq(cp.stderr.decode().splitlines()[0], msg, "message")
    cp = consumer(c, "x", "--partition", "0", "--offset", "soon",
                  check=False)
    assert_eq(cp.returncode, 1, "bad --offset")
    cp = harness.run([os.path.join(BIN, "kafka-console-consumer.sh"),
                      "--topic", "x"], 30, check=False, env=env())
    assert_eq(cp.stderr.decode().splitlines()[0],
              'Missing required argument "[bootstrap-server]"', "message")
    assert_eq(cp.returncode, 1, "missing --bootstrap-server")


suite.main(modules=("kazoo", "confluent_kafka", "kafka"))

#!/usr/bin/python3
"""capture.py: record golden request bytes from real Kafka clients.

Usage (from anywhere; needs Debian's kcat, python3-kafka and
python3-confluent-kafka, which import only under /usr/bin/python3):

    /usr/bin/python3 t/capture/capture.py [--out DIR] [--only SUBSTR] [-v]

For every scenario below it starts a fresh fake_broker.FakeBroker on a free
127.0.0.1 port, runs one client against it (in a child process, with a
timeout), and writes the first request of each API the scenario keeps to
DIR/<ApiName>_v<version>_<client>[_<variant>].bin (the frame without its
4-byte size prefix: header then body).  Then it regenerates DIR/README.md,
which lists every file with its client and command.

The records sent are fixed (RECORDS below, plus the kcat header flags), so
the unit tests in t/unit/protocol/test_golden.c can check keys, values and
headers; timestamps, CRCs and compressed bytes change on every capture.

A scenario's "keep" maps "ApiName[@version][#topic]" to the variant suffix
for its file ("" for none).  Only the first matching request of the run is
saved: later ones (metadata refreshes, repeated fetches) repeat the same
layout.  The "#" selectors of pick() choose among a client's Metadata
requests.
"""

import argparse
import os
import subprocess
import sys
import struct
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import fake_broker  # noqa: E402

PY = "/usr/bin/python3"
TOPIC = "golden"

# The records every producer sends, in order: (key, value, headers).
# kcat cannot send null keys or values with -K, so it sends the first three
# lines; its headers come from the -H flags (every record gets both).
LONG_VALUE = "samsa " * 40
KCAT_LINES = "key1:hello\nkey2:world\nkey3:%s\n" % LONG_VALUE
KCAT_HEADERS = ["-H", "h1=v1", "-H", "h2=v2"]

# kafka-python: magic 2 carries headers; None key / value exercise nulls.
KP_PRODUCE = r'''
import sys, logging
from kafka import KafkaProducer
port, codec, apiv = sys.argv[1], sys.argv[2], sys.argv[3]
kw = {}
if apiv != "auto":
    kw["api_version"] = tuple(int(x) for x in apiv.split("."))
p = KafkaProducer(bootstrap_servers="127.0.0.1:" + port,
                  compression_type=None if codec == "none" else codec,
                  linger_ms=1000, **kw)
hdrs = apiv in ("auto",)
long = b"samsa " * 40
p.send("golden", key=b"key1", value=b"hello", partition=0,
       headers=[("h1", b"v1"), ("h2", b"v2")] if hdrs else None)
p.send("golden", key=b"key2", value=b"world", partition=0)
p.send("golden", key=None, value=long, partition=0)
p.send("golden", key=b"key4", value=None, partition=0)
p.flush(10)
p.close(5)
'''

KP_CONSUME = r'''
import sys
from kafka import KafkaConsumer, TopicPartition
port, apiv = sys.argv[1], sys.argv[2]
kw = {}
if apiv != "auto":
    kw["api_version"] = tuple(int(x) for x in apiv.split("."))
c = KafkaConsumer(bootstrap_servers="127.0.0.1:" + port, group_id=None,
                  enable_auto_commit=False, **kw)
tp = TopicPartition("golden", 0)
c.assign([tp])
c.seek_to_beginning(tp)
for _ in range(3):
    c.poll(timeout_ms=300)
c.close()
'''

CK_PRODUCE = r'''
import sys
from confluent_kafka import Producer
port, codec = sys.argv[1], sys.argv[2]
p = Producer({"bootstrap.servers": "127.0.0.1:" + port, "linger.ms": 100,
              "compression.codec": codec})
long = b"samsa " * 40
p.produce("golden", key=b"key1", value=b"hello", partition=0,
          headers=[("h1", b"v1"), ("h2", None)])
p.produce("golden", key=b"key2", value=b"world", partition=0)
p.produce("golden", key=None, value=long, partition=0)
p.produce("golden", key=b"key4", value=None, partition=0)
assert p.flush(10) == 0
'''


def kcat(*args, stdin=None):
    return {"argv": ["kcat", "-b", "127.0.0.1:{port}"] + list(args),
            "stdin": stdin}


def py(code, *args):
    return {"argv": [PY, "-c", code, "{port}"] + list(args), "stdin": None,
            "show": "python3 -c <%s> {port} %s" % (
                {KP_PRODUCE: "KP_PRODUCE", KP_CONSUME: "KP_CONSUME",
                 CK_PRODUCE: "CK_PRODUCE"}[code], " ".join(args))}


def kcat_produce(codec, *extra):
    return kcat("-P", "-t", TOPIC, "-p", "0", "-K:", *KCAT_HEADERS,
                "-z", codec, "-X", "linger.ms=100", *extra, stdin=KCAT_LINES)


# librdkafka without ApiVersions, as against a 0.8.2 broker: Produce v0,
# magic 0 (headers are dropped by librdkafka at magic < 2).
KCAT_082 = ("-X", "api.version.request=false",
            "-X", "broker.version.fallback=0.8.2")
# Capping Produce and Fetch at v2 turns librdkafka's MsgVer2 feature off
# and MsgVer1 on: Produce v2, magic 1.
CAP_V2 = {0: 2, 1: 2}


def sc(client, desc, cmd, keep, caps=None):
    """keep: {ApiName or ApiName@version: variant}; the first request of
    that API (and version) in the run is saved."""
    return {"client": client, "desc": desc, "cmd": cmd, "keep": keep,
            "caps": caps}


SCENARIOS = [
    sc("kcat", "produce, no compression", kcat_produce("none"),
       {"ApiVersions": "", "Metadata#golden": "", "Produce": "none"}),
    sc("kcat", "produce, gzip", kcat_produce("gzip"), {"Produce": "gzip"}),
    sc("kcat", "produce, snappy (raw, no xerial framing)",
       kcat_produce("snappy"), {"Produce": "snappy"}),
    sc("kcat", "produce, lz4", kcat_produce("lz4"), {"Produce": "lz4"}),
    sc("kcat", "produce, zstd", kcat_produce("zstd"), {"Produce": "zstd"}),
    sc("kcat", "consume from the beginning until EOF",
       kcat("-C", "-t", TOPIC, "-p", "0", "-o", "beginning", "-e"),
       {"ListOffsets": "", "Fetch": ""}),
    sc("kcat", "list all topics", kcat("-L"),
       {"Metadata#*": "all", "Metadata#-": "brokers"}),
    sc("kcat", "offset for a timestamp",
       kcat("-Q", "-t", TOPIC + ":0:1600000000000"),
       {"ListOffsets": "time"}),
] + [
    sc("kcat", "produce magic 1 (broker caps Produce/Fetch at v2), %s" % c,
       kcat_produce(c), {"Produce": c}, caps=CAP_V2)
    for c in ("none", "gzip", "snappy", "lz4")
] + [
    sc("kcat", "produce magic 0 (no ApiVersions, fallback 0.8.2), %s" % c,
       kcat_produce(c, *KCAT_082),
       dict({"Produce": c},
            **({"Metadata#golden": "082"} if c == "none" else {})))
    for c in ("none", "gzip", "snappy", "lz4")
] + [
    sc("kafkapython", "producer, probing, no compression",
       py(KP_PRODUCE, "none", "auto"),
       {"ApiVersions": "", "Metadata@0": "probe", "Metadata@1#*": "all",
        "Produce": "none"}),
] + [
    sc("kafkapython", "producer, probing, %s" % c, py(KP_PRODUCE, c, "auto"),
       {"Produce": c})
    for c in ("gzip", "snappy", "lz4", "zstd")
] + [
    sc("kafkapython", "consumer, probing, assign + seek_to_beginning",
       py(KP_CONSUME, "auto"), {"ListOffsets": "", "Fetch": ""}),
    sc("kafkapython", "producer, api_version=(0,8,2), none",
       py(KP_PRODUCE, "none", "0.8.2"),
       {"Metadata#golden": "082", "Produce": "none"}),
] + [
    sc("kafkapython", "producer, api_version=(0,8,2), %s" % c,
       py(KP_PRODUCE, c, "0.8.2"), {"Produce": c})
    for c in ("gzip", "snappy", "lz4")
] + [
    sc("kafkapython", "consumer, api_version=(0,8,2)",
       py(KP_CONSUME, "0.8.2"), {"ListOffsets": "082", "Fetch": ""}),
    sc("kafkapython", "producer, api_version=(0,10,0), none",
       py(KP_PRODUCE, "none", "0.10.0"),
       {"Metadata#golden": "0100", "Produce": "none"}),
] + [
    sc("kafkapython", "producer, api_version=(0,10,0), %s" % c,
       py(KP_PRODUCE, c, "0.10.0"), {"Produce": c})
    for c in ("gzip", "snappy", "lz4")
] + [
    sc("kafkapython", "consumer, api_version=(0,10,0)",
       py(KP_CONSUME, "0.10.0"), {"ListOffsets": "0100", "Fetch": ""}),
    sc("confluent", "Producer, null key/value and a null header value",
       py(CK_PRODUCE, "none"), {"ApiVersions": "", "Produce": "none"}),
]


def fname(api, ver, client, variant):
    return "%s_v%d_%s%s.bin" % (api, ver, client,
                                "_" + variant if variant else "")


def topics_array(frame):
    """The int32 at the start of a (non-flexible) request body: the topic
    count of Metadata, -1 for a null array."""
    body = 10 + max(struct.unpack(">h", frame[8:10])[0], 0)
    return struct.unpack(">i", frame[body:body + 4])[0]


def pick(frames, want):
    """First frame matching "Api[@version][#sel]".  sel is a topic name that
    must appear in the frame (as a Kafka STRING), "*" for a null topics
    array (Metadata v1+: all topics) or "-" for an empty one (v1+: none,
    brokers only).  Clients send all-topics, brokers-only and per-topic
    Metadata requests in an order that varies from run to run."""
    want, _, sel = want.partition("#")
    api, _, ver = want.partition("@")
    for f in frames:
        if fake_broker.API_NAMES.get(f[1]) != api or \
                (ver and f[2] != int(ver)):
            continue
        if sel == "*" and topics_array(f[3]) != -1:
            continue
        if sel == "-" and topics_array(f[3]) != 0:
            continue
        if sel not in ("", "*", "-") and \
                struct.pack(">h", len(sel)) + sel.encode() not in f[3]:
            continue
        return f
    return None


def run_scenario(s, out, verbose):
    client, desc, cmd = s["client"], s["desc"], s["cmd"]
    broker = fake_broker.FakeBroker(
        os.path.join(TOP, "src", "protocol", "apis.def"), s["caps"])
    argv = [a.replace("{port}", str(broker.port)) for a in cmd["argv"]]
    try:
        proc = subprocess.run(argv, input=cmd["stdin"], text=True,
                              capture_output=True, timeout=60)
        rc = proc.returncode
        err = proc.stderr
    except subprocess.TimeoutExpired:
        rc, err = "timeout", ""
    time.sleep(0.2)
    broker.stop()
    with broker.lock:
        frames = list(broker.frames)
    if verbose:
        for conn, key, ver, fr in frames[:40]:
            print("    conn %d %s v%d %d bytes" % (
                conn, fake_broker.API_NAMES.get(key, key), ver, len(fr)))
    if rc != 0:
        print("  %s: client exited %s\n%s" % (desc, rc, err[-2000:]))
    written = []
    if s["caps"]:
        desc = "%s; advertised max %s" % (desc, ", ".join(
            "%s v%d" % (fake_broker.API_NAMES[k], v)
            for k, v in sorted(s["caps"].items())))
    for want, variant in s["keep"].items():
        hit = pick(frames, want)
        if hit is None:
            print("  %s: no %s request captured" % (desc, want))
            continue
        _, _, ver, fr = hit
        api = want.partition("#")[0].partition("@")[0]
        name = fname(api, ver, client, variant)
        with open(os.path.join(out, name), "wb") as f:
            f.write(fr)
        written.append((name, len(fr), client, desc, cmd))
    return written, rc == 0


def show_cmd(cmd):
    if "show" in cmd:
        return cmd["show"]
    s = " ".join(cmd["argv"])
    if cmd["stdin"]:
        s = "printf '<KCAT_LINES>' | " + s
    return s


README_HEAD = """# t/data: golden request captures

Every `*.bin` file here is one Kafka request frame exactly as a real client
sent it, without the 4-byte size prefix (request header, then body).  They
were captured by `t/capture/capture.py`, which runs each client against
`t/capture/fake_broker.py`: a fake single-node broker advertising the
ranges in `src/protocol/apis.def` plus FindCoordinator 0-2 (librdkafka
uses LZ4 only if FindCoordinator v0 is advertised).  Redo them with

    /usr/bin/python3 t/capture/capture.py   # rewrites t/data/*.bin, README

and add a row to `golden_files[]` in `t/unit/protocol/test_golden.c` for
any new file.  Names: `<ApiName>_v<version>_<client>[_<variant>].bin`.
Clients: `kcat` 1.7.1 and `confluent` (confluent-kafka-python 1.7.0), both
on librdkafka 2.0.2; `kafkapython` (kafka-python 2.0.2).  Variants:

* `none`, `gzip`, `snappy`, `lz4`, `zstd`: the producer's compression.
  librdkafka writes raw snappy blocks, kafka-python xerial-framed ones;
  for magic 0 both write LZ4 with the KAFKA-3160 header checksum.
* librdkafka magic 2 is `Produce_v7_kcat_*`; magic 1 (`Produce_v2_kcat_*`)
  comes from a broker advertising Produce and Fetch only up to v2; magic 0
  (`Produce_v0_kcat_*`) from `api.version.request=false` with
  `broker.version.fallback=0.8.2`.  librdkafka drops headers below magic 2.
* kafka-python: probing (no suffix, or `probe` for the Metadata v0 sent
  right after ApiVersions v0) infers Kafka 2.3 from the ranges, giving
  Produce v7 / Fetch v4 / ListOffsets v1 / Metadata v1; `082` and `0100`
  are `api_version=(0,8,2)` (Produce v0, magic 0) and `(0,10,0)` (Produce
  v2, magic 1).
* Metadata: `all` = all topics (v0 empty array, v1+ null array),
  `brokers` = v1+ empty array; otherwise the request names `golden`.
* ListOffsets: `time` asks for the offset of timestamp 1600000000000;
  otherwise Timestamp is -2 (earliest).

Records sent (the unit tests check them; timestamps, CRCs and compressed
bytes differ on every capture):

* kcat: stdin `KCAT_LINES` = `key1:hello`, `key2:world`,
  `key3:` + `"samsa " * 40`, each record with headers `h1=v1`, `h2=v2`.
* kafka-python (`KP_PRODUCE`): (key1, hello, headers h1=v1 h2=v2 when
  magic 2), (key2, world), (null, `"samsa " * 40`), (key4, null).
* confluent-kafka (`CK_PRODUCE`): as kafka-python, but with headers
  h1=v1 and h2=null.
* `KP_CONSUME`: assign golden-0, seek_to_beginning, poll three times.

Names in angle brackets are the strings of that name in
`t/capture/capture.py`; `{port}` is the fake broker's port.

| file | bytes | client | what | command |
| --- | ---: | --- | --- | --- |
"""


def write_readme(out, rows):
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(README_HEAD)
        for name, size, client, desc, cmd in sorted(rows):
            f.write("| `%s` | %d | %s | %s | `%s` |\n" % (
                name, size, client, desc, show_cmd(cmd).replace("|", "\\|")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(TOP, "t", "data"))
    ap.add_argument("--only", default=None,
                    help="run scenarios whose description contains this")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rows, ok = [], True
    for s in SCENARIOS:
        if a.only and a.only not in s["client"] + " " + s["desc"]:
            continue
        print("%s: %s" % (s["client"], s["desc"]), flush=True)
        written, good = run_scenario(s, a.out, a.v)
        ok = ok and good and len(written) == len(s["keep"])
        for w in written:
            print("  -> %s (%d bytes)" % (w[0], w[1]))
        rows += written
    if not a.only:
        write_readme(a.out, rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

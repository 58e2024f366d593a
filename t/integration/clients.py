"""clients.py: one produce/consume/offsets vocabulary over every client.

A record is a Rec(key, value, headers, ts, offset): key and value are bytes
or None, headers a list of (str, bytes), ts milliseconds or None.  Each
client gets a Client subclass with

    produce(topic, recs, partition=0, codec=None, acks=1) -> [offset, ...]
    consume(topic, partition, offset, count) -> [Rec, ...]   (assign + seek,
                                               never a consumer group)
    earliest/latest(topic, partition), by_time(topic, partition, ts)

and flags saying what the client can carry (headers, timestamps, codecs),
so the tests can iterate "for every client, for every codec it supports".

Clients: kcat (subprocess), kafka-python with three api_version settings,
confluent-kafka (librdkafka through Python), kafkajs (node kjs.js).
Every call is bounded by a timeout (harness.T).
"""

import base64
import json
import os
import re
import signal
import subprocess
import threading
import time

import harness
from harness import T

NODE_DIR = os.path.join(harness.HERE, "node")


class Rec:
    __slots__ = ("key", "value", "headers", "ts", "offset", "ts_type")

    def __init__(self, key=None, value=None, headers=None, ts=None,
                 offset=None, ts_type=None):
        self.key = key
        self.value = value
        self.headers = list(headers or [])
        self.ts = ts
        self.offset = offset
        self.ts_type = ts_type

    def __repr__(self):
        def short(b):
            if b is None or len(b) <= 24:
                return repr(b)
            return "%r...(%d bytes)" % (b[:16], len(b))
        return "Rec(off=%s key=%s value=%s hdrs=%r ts=%s)" % (
            self.offset, short(self.key), short(self.value),
            self.headers, self.ts)


class ProduceError(AssertionError):
    """A client reported a failed produce; .kind is the Kafka error name
    as far as the client says it (e.g. MESSAGE_TOO_LARGE)."""

    def __init__(self, kind, text):
        AssertionError.__init__(self, "%s: %s" % (kind, text))
        self.kind = kind


class Client:
    name = "?"
    headers = True          # can produce and read record headers
    timestamps = True       # can set CreateTime and read timestamps
    reads_timestamps = True  # sees record timestamps when consuming
    codecs = ("none", "gzip", "snappy", "lz4", "zstd")
    can_consume = True
    null_key = True         # can produce a record with a null key

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap


# ---------------------------------------------------------------- kcat

class Kcat(Client):
    """kcat: per-record keys (-K), headers for the whole run (-H), no
    per-record timestamps on produce."""
    name = "kcat"
    timestamps = False
    KDELIM = b"\x1f"
    DELIM = b"\x1e"

    def _x(self, acks=1, extra=()):
        args = ["-X", "request.required.acks=%s" % acks,
                "-X", "message.max.bytes=10000000",
                "-X", "socket.timeout.ms=10000",
                "-X", "message.timeout.ms=%d" % int(T(30) * 1000)]
        for e in extra:
            args += ["-X", e]
        return args

    def produce(self, topic, recs, partition=0, codec=None, acks=1,
                extra=()):
        hdrs = recs[0].headers if recs else []
        for r in recs:
            if r.headers != hdrs:
                raise ValueError("kcat: one header set per run")
            if r.ts is not None:
                raise ValueError("kcat: no per-record timestamps")
        data = b""
        for r in recs:
            v = r.value or b""
            k = r.key
            if self.DELIM in v or self.KDELIM in v or \
                    (k and (self.DELIM in k or self.KDELIM in k)):
                raise ValueError("kcat: delimiter byte in a record")
            data += (k + self.KDELIM if k is not None else b"") + v + \
                self.DELIM
        argv = ["kcat", "-b", self.bootstrap, "-P", "-t", topic,
                "-p", str(partition), "-D", "\\x1e", "-K", "\\x1f"]
        if codec and codec != "none":
            argv += ["-X", "compression.codec=%s" % codec]
        for h, hv in hdrs:
            argv += ["-H", "%s=%s" % (h, hv.decode())]
        argv += self._x(acks, extra)
        cp = harness.run(argv, 60, input=data, check=False)
        err = cp.stderr.decode("utf-8", "replace")
        m = re.search(r"Delivery failed for message: (.*)", err)
        if m or cp.returncode != 0:
            kind = "MESSAGE_TOO_LARGE" if "too large" in err.lower() \
                else "ERROR"
            raise ProduceError(kind, err.strip()[-500:])
        return None     # kcat does not report offsets

    def consume(self, topic, partition, offset, count, start=None):
        fmt = "%o %K %S %T\n%k%s\n%h\n"
        argv = ["kcat", "-b", self.bootstrap, "-C", "-t", topic,
                "-p", str(partition), "-o", str(start if start is not None
                                                 else offset),
                "-c", str(count), "-e", "-q", "-f", fmt,
                "-X", "fetch.message.max.bytes=10000000",
                "-X", "socket.timeout.ms=10000"]
        cp = harness.run(argv, 60)
        return self.parse(cp.stdout)

    @staticmethod
    def parse(out):
        recs, pos = [], 0
        while pos < len(out):
            nl = out.index(b"\n", pos)
            o, klen, vlen, ts = (int(x) for x in out[pos:nl].split())
            pos = nl + 1
            key = out[pos:pos + klen] if klen >= 0 else None
            pos += max(klen, 0)
            val = out[pos:pos + vlen] if vlen >= 0 else None
            pos += max(vlen, 0)
            assert out[pos:pos + 1] == b"\n", "kcat output framing"
            pos += 1
            nl = out.index(b"\n", pos)
            hline = out[pos:nl].decode()
            pos = nl + 1
            hdrs = []
            if hline:
                for kv in hline.split(","):
                    k, _, v = kv.partition("=")
                    hdrs.append((k, v.encode()))
            recs.append(Rec(key, val, hdrs, ts, o))
        return recs

    def _query(self, topic, partition, ts):
        cp = harness.run(["kcat", "-b", self.bootstrap, "-Q", "-t",
                          "%s:%d:%d" % (topic, partition, ts)], 30)
        m = re.search(rb"offset (-?\d+)", cp.stdout)
        assert m, "kcat -Q output: %r" % cp.stdout
        return int(m.group(1))

    def earliest(self, topic, partition):
        return self._query(topic, partition, -2)

    def latest(self, topic, partition):
        return self._query(topic, partition, -1)

    def by_time(self, topic, partition, ts):
        return self._query(topic, partition, ts)

    def first_offset_from(self, topic, partition, spec):
        """Offset of the first record kcat -o SPEC reads (or None)."""
        argv = ["kcat", "-b", self.bootstrap, "-C", "-t", topic, "-p",
                str(partition), "-o", spec, "-c", "1", "-e", "-q",
                "-f", "%o\n"]
        out = harness.run(argv, 30).stdout.split()
        return int(out[0]) if out else None


# ---------------------------------------------------------------- kafka-python

class KafkaPython(Client):
    """kafka-python with api_version None (probe), (0,10,0) (magic 1:
    timestamps, no headers) or (0,8,2) (magic 0: neither)."""

    def __init__(self, bootstrap, api_version=None):
        Client.__init__(self, bootstrap)
        self.api_version = api_version
        if api_version is None:
            self.name = "kafka-python"
        else:
            self.name = "kafka-python%s" % (api_version,)
        if api_version is not None and api_version < (0, 11):
            self.headers = False
            # kafka-python sends zstd only with magic 2
            self.codecs = ("none", "gzip", "snappy", "lz4")
        if api_version is not None and api_version < (0, 10):
            self.timestamps = False
            self.reads_timestamps = False

    def _kw(self):
        kw = {"bootstrap_servers": self.bootstrap,
              "request_timeout_ms": int(T(30) * 1000) + 1000}
        if self.api_version is not None:
            kw["api_version"] = self.api_version
        return kw

    def produce(self, topic, recs, partition=0, codec=None, acks=1,
                retries=3):
        from kafka import KafkaProducer
        from kafka.errors import KafkaError
        p = KafkaProducer(acks=acks if acks != -1 else "all",
                          compression_type=None if codec in (None, "none")
                          else codec, retries=retries,
                          max_request_size=10000000, linger_ms=5,
                          max_block_ms=int(T(30) * 1000), **self._kw())
        try:
            futs = []
            for r in recs:
                kw = {"key": r.key, "value": r.value,
                      "partition": partition}
                if r.headers:
                    kw["headers"] = r.headers
                if r.ts is not None:
                    kw["timestamp_ms"] = r.ts
                futs.append(p.send(topic, **kw))
            p.flush(T(30))
            offs = []
            for f in futs:
                try:
                    offs.append(f.get(T(30)).offset)
                except KafkaError as e:
                    kind = type(e).__name__
                    if kind == "MessageSizeTooLargeError":
                        kind = "MESSAGE_TOO_LARGE"
                    raise ProduceError(kind, repr(e))
            return offs
        finally:
            p.close(T(10))

    def _consumer(self):
        from kafka import KafkaConsumer
        # a seek below the log start resets to it (not to the end)
        return KafkaConsumer(group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest",
                             fetch_max_bytes=20000000,
                             max_partition_fetch_bytes=10000000,
                             **self._kw())

    def consume(self, topic, partition, offset, count):
        from kafka import TopicPartition
        c = self._consumer()
        try:
            tp = TopicPartition(topic, partition)
            c.assign([tp])
            c.seek(tp, offset)
            out = []
            deadline = time.monotonic() + T(30)
            while len(out) < count and time.monotonic() < deadline:
                for msgs in c.poll(timeout_ms=500).values():
                    for m in msgs:
                        out.append(Rec(m.key, m.value,
                                       list(m.headers or []),
                                       m.timestamp if m.timestamp != -1
                                       else None, m.offset,
                                       m.timestamp_type))
            return out[:count]
        finally:
            c.close()

    def _offsets(self, fn, topic, partition, *args):
        from kafka import TopicPartition
        c = self._consumer()
        try:
            tp = TopicPartition(topic, partition)
            return getattr(c, fn)([tp] if not args else
                                  {tp: args[0]})[tp]
        finally:
            c.close()

    def earliest(self, topic, partition):
        return self._offsets("beginning_offsets", topic, partition)

    def latest(self, topic, partition):
        return self._offsets("end_offsets", topic, partition)

    def by_time(self, topic, partition, ts):
        r = self._offsets("offsets_for_times", topic, partition, ts)
        return r.offset if r is not None else -1


# ---------------------------------------------------------------- confluent

class Confluent(Client):
    name = "confluent-kafka"

    def _conf(self, **kw):
        c = {"bootstrap.servers": self.bootstrap,
             "socket.timeout.ms": 10000,
             "message.max.bytes": 10000000}
        c.update(kw)
        return c

    def produce(self, topic, recs, partition=0, codec=None, acks=1,
                extra=None):
        from confluent_kafka import Producer
        conf = self._conf(**{"acks": acks, "linger.ms": 5,
                             "compression.codec": codec or "none",
                             "message.timeout.ms": int(T(30) * 1000)})
        conf.update(extra or {})
        p = Producer(conf)
        res = [("no delivery report", None)] * len(recs)

        def cb(i):
            # acks=0: no error and no offset (None)
            def f(err, msg):
                res[i] = (err, msg.offset())
            return f
        for i, r in enumerate(recs):
            kw = {"key": r.key, "value": r.value, "partition": partition,
                  "on_delivery": cb(i)}
            if r.headers:
                kw["headers"] = r.headers
            if r.ts is not None:
                kw["timestamp"] = r.ts
            p.produce(topic, **kw)
            p.poll(0)
        left = p.flush(T(40))
        assert left == 0, "confluent: %d messages not delivered" % left
        for err, _ in res:
            if err is not None:
                name = err.name() if hasattr(err, "name") else str(err)
                if name == "MSG_SIZE_TOO_LARGE":
                    name = "MESSAGE_TOO_LARGE"
                raise ProduceError(name, str(err))
        return [off for _, off in res]

    def _consumer(self):
        from confluent_kafka import Consumer
        # assign() only: no subscribe, no commits.  librdkafka still wants
        # a group.id for a Consumer object; with auto commit off it never
        # contacts a group coordinator for an assign()-only consumer.
        return Consumer(self._conf(**{
            "group.id": "samsa-it-assign-only",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "fetch.message.max.bytes": 10000000,
            "fetch.max.bytes": 20000000,
            "receive.message.max.bytes": 30000000}))

    def consume(self, topic, partition, offset, count):
        from confluent_kafka import TopicPartition
        c = self._consumer()
        try:
            c.assign([TopicPartition(topic, partition, offset)])
            out = []
            deadline = time.monotonic() + T(30)
            while len(out) < count and time.monotonic() < deadline:
                for m in c.consume(count - len(out), 0.5):
                    if m.error():
                        if m.error().code() == -191:   # _PARTITION_EOF
                            continue
                        raise AssertionError("confluent consume: %s" %
                                             m.error())
                    tt, ts = m.timestamp()
                    out.append(Rec(m.key(), m.value(),
                                   list(m.headers() or []),
                                   ts if tt != 0 else None, m.offset(), tt))
            return out
        finally:
            c.close()

    def watermarks(self, topic, partition):
        from confluent_kafka import TopicPartition
        c = self._consumer()
        try:
            return c.get_watermark_offsets(TopicPartition(topic, partition),
                                           timeout=T(20))
        finally:
            c.close()

    def earliest(self, topic, partition):
        return self.watermarks(topic, partition)[0]

    def latest(self, topic, partition):
        return self.watermarks(topic, partition)[1]

    def by_time(self, topic, partition, ts):
        from confluent_kafka import TopicPartition
        c = self._consumer()
        try:
            r = c.offsets_for_times([TopicPartition(topic, partition, ts)],
                                    timeout=T(20))
            return r[0].offset
        finally:
            c.close()


class VerifiableProducer:
    """kafka-verifiable-producer.sh in the background (its config file
    and stderr under tmpdir), its JSON events collected as they come."""

    def __init__(self, tmpdir, bootstrap, topic, n, rate, conf, acks="1"):
        cfg = os.path.join(tmpdir, "producer-%s.properties" % topic)
        with open(cfg, "w") as f:
            for k, v in conf.items():
                f.write("%s=%s\n" % (k, v))
        self.err = open(os.path.join(tmpdir, "producer-%s.err" % topic), "w")
        self.events = []
        self.proc = subprocess.Popen(
            [os.path.join(harness.SRCDIR, "bin",
                          "kafka-verifiable-producer.sh"),
             "--broker-list", bootstrap, "--topic", topic, "--acks", acks,
             "--throughput", str(rate), "--max-messages", str(n),
             "--producer.config", cfg],
            stdout=subprocess.PIPE, stderr=self.err, env=harness.tool_env())
        self.th = threading.Thread(target=self._read, daemon=True)
        self.th.start()

    def _read(self):
        for ln in self.proc.stdout:
            self.events.append(json.loads(ln))

    def acked(self, partition=None):
        return [e for e in list(self.events)
                if e["name"] == "producer_send_success" and
                (partition is None or e["partition"] == partition)]

    def finish(self, seconds, terminate=False):
        """Wait for the tool to exit (SIGTERM it first if terminate):
        status 0 and Kafka's closing events; returns the number of
        producer_send_error events."""
        if terminate:
            self.proc.send_signal(signal.SIGTERM)
        harness.assert_eq(self.proc.wait(T(seconds)), 0,
                          "producer exit status")
        self.th.join(T(10))
        names = [e["name"] for e in self.events]
        harness.assert_eq(names[-2:], ["shutdown_complete", "tool_data"],
                          "last events")
        return names.count("producer_send_error")


def check_acked_in_log(bootstrap, topic, partitions, acked):
    """Read partitions 0..partitions-1 of topic back with confluent-kafka
    and assert that every acknowledged record - a dict with "partition",
    "offset" and "value", as the verifiable producers report them - is in
    the log at its reported offset.  Returns the logged values, a dict
    (partition, offset) -> value (str), for further counts."""
    ck = Confluent(bootstrap)
    logged = {}
    for p in range(partitions):
        end = ck.latest(topic, p)
        for r in ck.consume(topic, p, 0, end):
            logged[(p, r.offset)] = r.value.decode()
    missing = [e for e in acked
               if logged.get((e["partition"], e["offset"])) != e["value"]]
    harness.assert_eq(missing[:5], [], "acknowledged records missing or "
                      "moved (%d of %d)" % (len(missing), len(acked)))
    return logged


# ---------------------------------------------------------------- kafkajs

def node_available():
    return os.path.isdir(os.path.join(NODE_DIR, "node_modules", "kafkajs"))


def kjs(req, seconds=60):
    if not node_available():
        raise harness.Skip("kafkajs not installed (cd t/integration/node "
                           "&& npm ci)")
    cp = harness.run(["node", os.path.join(NODE_DIR, "kjs.js")], seconds,
                     input=json.dumps(req).encode(), check=False)
    try:
        return json.loads(cp.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError("kjs.js exited %d: %s %s" %
                             (cp.returncode, cp.stdout[-2000:],
                              cp.stderr[-2000:]))


def _b64(b):
    return None if b is None else base64.b64encode(b).decode()


def _unb64(s):
    return None if s is None else base64.b64decode(s)


class KafkaJS(Client):
    name = "kafkajs"
    codecs = ("none", "gzip")     # kafkajs ships gzip only

    def produce(self, topic, recs, partition=0, codec=None, acks=-1):
        msgs = []
        for r in recs:
            msgs.append({"key": _b64(r.key), "value": _b64(r.value),
                         "headers": {k: _b64(v) for k, v in r.headers},
                         "timestamp": r.ts})
        res = kjs({"op": "produce", "brokers": [self.bootstrap],
                   "topic": topic, "partition": partition,
                   "compression": codec or "none", "acks": acks,
                   "messages": msgs, "retries": 5})
        # 5 retries (kafkajs' backoff: ~9 s in all) cover a topic this
        # call auto-creates on a loaded machine; 2 (~1 s) once did not
        if not res["ok"]:
            raise ProduceError(res.get("type") or "ERROR", res["error"])
        return [res["baseOffset"] + i for i in range(len(recs))]

    def consume(self, topic, partition, offset, count):
        res = kjs({"op": "fetch", "brokers": [self.bootstrap],
                   "topic": topic, "partition": partition,
                   "offset": offset, "count": count})
        assert res["ok"], "kafkajs fetch: %r" % res
        return [Rec(_unb64(m["key"]), _unb64(m["value"]),
                    [(k, _unb64(v)) for k, v in m["headers"].items()],
                    m["timestamp"], m["offset"])
                for m in res["messages"]]

    def _offsets(self, topic, ts=None):
        req = {"op": "offsets", "brokers": [self.bootstrap], "topic": topic}
        if ts is not None:
            req["timestamp"] = ts
        res = kjs(req)
        assert res["ok"], "kafkajs offsets: %r" % res
        return res

    def earliest(self, topic, partition):
        return [p["low"] for p in self._offsets(topic)["offsets"]
                if p["partition"] == partition][0]

    def latest(self, topic, partition):
        return [p["high"] for p in self._offsets(topic)["offsets"]
                if p["partition"] == partition][0]

    def by_time(self, topic, partition, ts):
        return [p["offset"] for p in self._offsets(topic, ts)["byTime"]
                if p["partition"] == partition][0]


def produce_tagged(bootstrap, topic, tag, partitions, per):
    """per records "<tag>-<p>-<i>" to each partition (confluent-kafka);
    returns their values, sorted."""
    cl = Confluent(bootstrap)
    for p in range(partitions):
        cl.produce(topic, [Rec(value=b"%s-%d-%d" % (tag, p, i))
                           for i in range(per)], partition=p)
    return sorted("%s-%d-%d" % (tag.decode(), p, i)
                  for p in range(partitions) for i in range(per))


def group_committed(bootstrap, group, topic, partitions):
    """The group's committed offset of each partition (-1001: none), as
    a client outside the group reads it (confluent-kafka)."""
    from confluent_kafka import Consumer, TopicPartition
    k = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                  "enable.auto.commit": False})
    try:
        got = k.committed([TopicPartition(topic, p)
                           for p in range(partitions)], timeout=T(20))
        return {tp.partition: tp.offset for tp in got}
    finally:
        k.close()


def all_clients(bootstrap):
    return [Kcat(bootstrap), KafkaPython(bootstrap),
            KafkaPython(bootstrap, (0, 8, 2)),
            KafkaPython(bootstrap, (0, 10, 0)), Confluent(bootstrap),
            KafkaJS(bootstrap)]


def run_quiet(argv, seconds=30):
    return subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=T(seconds))

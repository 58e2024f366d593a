"""fake_broker.py: a single-node Kafka broker that only pretends.

It exists to capture the exact request bytes real clients send (see
capture.py).  It answers just enough for kcat, kafka-python and
confluent-kafka to get through connect, metadata, produce and a short
consume, and keeps every request frame it receives (without the 4-byte
size prefix) in memory, in arrival order.

What it answers, with the layout of the version asked (field order from
Kafka's clients/src/main/resources/common/message/*.json):

  ApiVersions 0-3   the rows of src/protocol/apis.def, plus FindCoordinator
                    0-2 (librdkafka turns LZ4 off unless FindCoordinator v0
                    is advertised).  Response header is always v0, also for
                    the flexible v3 body.  Versions above 3 get a v0 body with
                    UNSUPPORTED_VERSION (KIP-511).
  Metadata 0-8      one broker (itself, node 1) and every requested topic
                    with one partition led by node 1; "all topics" returns
                    the topics seen so far.
  Produce 0-7       success; partition offsets increase by the number of
                    records (v2 RecordsCount, or 1 per legacy entry).
                    acks=0 gets no response, as on a real broker.
  Fetch 0-11        an empty record set and the partition's high watermark.
  ListOffsets 0-5   earliest (-2) -> 0, anything else -> the log end.
  FindCoordinator 0-2  itself (only in case a client asks).
Anything else is recorded and the connection is closed, which is what Kafka
does with a request it cannot parse.

Threads: one accept thread and one thread per connection; the frame list
and the partition offsets are guarded by one lock.  Responses on a
connection go out in request order because each connection is served by a
single thread reading one frame at a time (kafka-python pipelines
ApiVersions v0 + Metadata v0 and needs both answers in order).
"""

import socket
import struct
import threading
import time
import os
import re

NODE_ID = 1
CLUSTER_ID = "samsa-golden-capture"

# ApiKey -> name, for the keys we may see.
API_NAMES = {
    0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata",
    8: "OffsetCommit", 9: "OffsetFetch", 10: "FindCoordinator",
    11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
    15: "DescribeGroups", 16: "ListGroups", 17: "SaslHandshake",
    18: "ApiVersions", 19: "CreateTopics", 20: "DeleteTopics",
    22: "InitProducerId", 32: "DescribeConfigs", 37: "CreatePartitions",
}

# First flexible version (Kafka 2.8 specs) for keys a client could send us.
FIRST_FLEX = {0: 9, 1: 12, 2: 6, 3: 9, 8: 8, 9: 6, 10: 3, 11: 6, 12: 4,
              13: 4, 14: 4, 15: 5, 16: 3, 18: 3, 19: 5, 20: 4, 22: 2,
              32: 4, 37: 2}


def load_apis_def(path):
    """[(key, name, min, max)] from the SM_API rows of apis.def."""
    rows = []
    pat = re.compile(r"^SM_API\(\s*(\d+),\s*(\w+),\s*(\d+),\s*(\d+),")
    with open(path) as f:
        for line in f:
            m = pat.match(line)
            if m:
                rows.append((int(m.group(1)), m.group(2),
                             int(m.group(3)), int(m.group(4))))
    if not rows:
        raise RuntimeError("no SM_API rows in %s" % path)
    return rows


class ParseError(Exception):
    pass


class Reader:
    """Big-endian reader over one frame; raises ParseError on truncation."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def _take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ParseError("truncated at %d (+%d)" % (self.pos, n))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def i8(self):
        return struct.unpack(">b", self._take(1))[0]

    def i16(self):
        return struct.unpack(">h", self._take(2))[0]

    def i32(self):
        return struct.unpack(">i", self._take(4))[0]

    def i64(self):
        return struct.unpack(">q", self._take(8))[0]

    def uvarint(self):
        v = shift = 0
        while True:
            b = self._take(1)[0]
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7
            if shift > 28:
                raise ParseError("uvarint too long")

    def string(self, flex=False):
        n = self.uvarint() - 1 if flex else self.i16()
        return None if n < 0 else self._take(n).decode("utf-8", "replace")

    def bytes_(self, flex=False):
        n = self.uvarint() - 1 if flex else self.i32()
        return None if n < 0 else self._take(n)

    def array(self, elem, flex=False):
        n = self.uvarint() - 1 if flex else self.i32()
        if n < 0:
            return None
        return [elem() for _ in range(n)]

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self._take(self.uvarint())


class Writer:
    def __init__(self):
        self.b = bytearray()

    def i8(self, v):
        self.b += struct.pack(">b", v)

    def i16(self, v):
        self.b += struct.pack(">h", v)

    def i32(self, v):
        self.b += struct.pack(">i", v)

    def i64(self, v):
        self.b += struct.pack(">q", v)

    def uvarint(self, v):
        while v >= 0x80:
            self.b.append((v & 0x7F) | 0x80)
            v >>= 7
        self.b.append(v)

    def string(self, s, flex=False):
        if s is None:
            self.uvarint(0) if flex else self.i16(-1)
            return
        e = s.encode()
        self.uvarint(len(e) + 1) if flex else self.i16(len(e))
        self.b += e

    def bytes_(self, v, flex=False):
        if v is None:
            self.uvarint(0) if flex else self.i32(-1)
            return
        self.uvarint(len(v) + 1) if flex else self.i32(len(v))
        self.b += v

    def array(self, items, elem, flex=False):
        if items is None:
            self.uvarint(0) if flex else self.i32(-1)
            return
        self.uvarint(len(items) + 1) if flex else self.i32(len(items))
        for it in items:
            elem(it)

    def tags(self):
        self.uvarint(0)


def count_records(blob):
    """Records in a records blob: v2 RecordsCount, else 1 per entry."""
    n = pos = 0
    while pos + 17 <= len(blob):
        size = struct.unpack(">i", blob[pos + 8:pos + 12])[0] + 12
        magic = blob[pos + 16]
        if magic == 2 and pos + 61 <= len(blob):
            n += struct.unpack(">i", blob[pos + 57:pos + 61])[0]
        else:
            n += 1
        pos += max(size, 17)
    return n


class FakeBroker:
    def __init__(self, apis_def, caps=None):
        """caps: {ApiKey: max} lowers advertised maxima, to make a client
        fall back to an older request version or record format."""
        caps = caps or {}
        self.advertised = [(k, mn, min(mx, caps.get(k, mx))) for k, _, mn, mx
                           in load_apis_def(apis_def)]
        if not any(k == 10 for k, _, _ in self.advertised):
            self.advertised.append((10, 0, 2))
        self.advertised.sort()
        self.lock = threading.Lock()
        self.frames = []            # (conn_no, api_key, version, bytes)
        self.log_end = {}           # topic -> next offset (partition 0)
        self.topics = ["golden"]
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    # ------------------------------------------------------------ plumbing

    def stop(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass
        for c in list(self.conns):
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self.thread.join(5)

    def _accept(self):
        n = 0
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            n += 1
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c, n),
                             daemon=True).start()

    @staticmethod
    def _recv_exact(c, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = c.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def _serve(self, c, conn_no):
        try:
            while True:
                hdr = self._recv_exact(c, 4)
                if hdr is None:
                    return
                size = struct.unpack(">i", hdr)[0]
                if size < 8 or size > 64 << 20:
                    return
                frame = self._recv_exact(c, size)
                if frame is None:
                    return
                resp = self._handle(conn_no, frame)
                if resp is False:
                    return
                if resp is not None:
                    c.sendall(struct.pack(">i", len(resp)) + resp)
        except (OSError, ParseError):
            return
        finally:
            try:
                c.close()
            except OSError:
                pass

    def _handle(self, conn_no, frame):
        rd = Reader(frame)
        key, ver, corrid = rd.i16(), rd.i16(), rd.i32()
        with self.lock:
            self.frames.append((conn_no, key, ver, frame))
        flex = ver >= FIRST_FLEX.get(key, 1 << 15)
        rd.string()                       # ClientId, int16 length always
        if flex:
            rd.tags()
        handler = {18: self.api_versions, 3: self.metadata, 0: self.produce,
                   1: self.fetch, 2: self.list_offsets,
                   10: self.find_coordinator}.get(key)
        if handler is None:
            return False
        w = Writer()
        w.i32(corrid)                     # response header v0 for all
        if flex and key != 18:
            w.tags()                      # (never reached: no flex served)
        if handler(rd, w, ver, flex) is False:
            return None                   # no response (acks=0)
        return bytes(w.b)

    # ------------------------------------------------------------ handlers

    def api_versions(self, rd, w, ver, flex):
        if ver > 3:
            # KIP-511: answer in the v0 layout so the client can read it.
            w.i16(35)
            w.array([(18, 0, 3)], lambda a: (w.i16(a[0]), w.i16(a[1]),
                                              w.i16(a[2])))
            return
        if flex:
            rd.string(True)               # ClientSoftwareName
            rd.string(True)               # ClientSoftwareVersion
            rd.tags()
        w.i16(0)

        def entry(a):
            w.i16(a[0])
            w.i16(a[1])
            w.i16(a[2])
            if flex:
                w.tags()
        w.array(self.advertised, entry, flex)
        if ver >= 1:
            w.i32(0)                      # ThrottleTimeMs
        if flex:
            w.tags()

    def _known_topic(self, name):
        with self.lock:
            if name not in self.topics:
                self.topics.append(name)

    def metadata(self, rd, w, ver, flex):
        topics = rd.array(lambda: rd.string())
        if not topics:                    # v0 empty / v1+ null: all topics
            if topics is None or ver == 0:
                with self.lock:
                    topics = list(self.topics)
        for t in topics:
            self._known_topic(t)
        if ver >= 3:
            w.i32(0)
        w.i32(1)                          # Brokers
        w.i32(NODE_ID)
        w.string("127.0.0.1")
        w.i32(self.port)
        if ver >= 1:
            w.string(None)                # Rack
        if ver >= 2:
            w.string(CLUSTER_ID)
        if ver >= 1:
            w.i32(NODE_ID)                # ControllerId

        def partition(_):
            w.i16(0)
            w.i32(0)
            w.i32(NODE_ID)
            if ver >= 7:
                w.i32(0)                  # LeaderEpoch
            w.array([NODE_ID], w.i32)     # ReplicaNodes
            w.array([NODE_ID], w.i32)     # IsrNodes
            if ver >= 5:
                w.array([], w.i32)        # OfflineReplicas

        def topic(t):
            w.i16(0)
            w.string(t)
            if ver >= 1:
                w.i8(0)                   # IsInternal
            w.array([0], partition)
            if ver >= 8:
                w.i32(-2147483648)        # TopicAuthorizedOperations
        w.array(topics, topic)
        if ver >= 8:
            w.i32(-2147483648)            # ClusterAuthorizedOperations

    def produce(self, rd, w, ver, flex):
        if ver >= 3:
            rd.string()                   # TransactionalId
        acks = rd.i16()
        rd.i32()                          # TimeoutMs

        def partition():
            return rd.i32(), rd.bytes_()

        def topic():
            return rd.string(), rd.array(partition)
        data = rd.array(topic) or []
        results = []
        with self.lock:
            for name, parts in data:
                res = []
                for idx, blob in parts or []:
                    base = self.log_end.get(name, 0)
                    self.log_end[name] = base + count_records(blob or b"")
                    res.append((idx, base))
                results.append((name, res))
        if acks == 0:
            return False

        def presp(p):
            w.i32(p[0])
            w.i16(0)
            w.i64(p[1])                   # BaseOffset
            if ver >= 2:
                w.i64(-1)                 # LogAppendTimeMs
            if ver >= 5:
                w.i64(0)                  # LogStartOffset
        w.array(results, lambda t: (w.string(t[0]), w.array(t[1], presp)))
        if ver >= 1:
            w.i32(0)

    def fetch(self, rd, w, ver, flex):
        rd.i32()                          # ReplicaId
        max_wait = rd.i32()
        rd.i32()                          # MinBytes
        if ver >= 3:
            rd.i32()
        if ver >= 4:
            rd.i8()
        if ver >= 7:
            rd.i32()
            rd.i32()

        def partition():
            idx = rd.i32()
            if ver >= 9:
                rd.i32()
            rd.i64()
            if ver >= 5:
                rd.i64()
            rd.i32()
            return idx

        topics = rd.array(lambda: (rd.string(), rd.array(partition)))
        # An empty answer at once would make the client spin; wait a little
        # as a real broker waits for MinBytes.
        time.sleep(min(max(max_wait, 0), 100) / 1000.0)
        if ver >= 1:
            w.i32(0)
        if ver >= 7:
            w.i16(0)
            w.i32(0)                      # SessionId

        def presp(t, idx):
            with self.lock:
                hwm = self.log_end.get(t, 0)
            w.i32(idx)
            w.i16(0)
            w.i64(hwm)
            if ver >= 4:
                w.i64(hwm)                # LastStableOffset
            if ver >= 5:
                w.i64(0)                  # LogStartOffset
            if ver >= 4:
                w.i32(0)                  # AbortedTransactions: empty
            if ver >= 11:
                w.i32(-1)                 # PreferredReadReplica
            w.bytes_(b"")

        w.array(topics or [], lambda t: (
            w.string(t[0]), w.array(t[1] or [], lambda i: presp(t[0], i))))

    def list_offsets(self, rd, w, ver, flex):
        rd.i32()                          # ReplicaId
        if ver >= 2:
            rd.i8()

        def partition():
            idx = rd.i32()
            if ver >= 4:
                rd.i32()
            ts = rd.i64()
            if ver == 0:
                rd.i32()                  # MaxNumOffsets
            return idx, ts

        topics = rd.array(lambda: (rd.string(), rd.array(partition))) or []
        if ver >= 2:
            w.i32(0)

        def presp(t, p):
            idx, ts = p
            with self.lock:
                end = self.log_end.get(t, 0)
            off = 0 if ts == -2 else end
            w.i32(idx)
            w.i16(0)
            if ver == 0:
                w.array([off], w.i64)
            else:
                w.i64(-1)
                w.i64(off)
            if ver >= 4:
                w.i32(0)                  # LeaderEpoch

        w.array(topics, lambda t: (
            w.string(t[0]), w.array(t[1] or [], lambda p: presp(t[0], p))))

    def find_coordinator(self, rd, w, ver, flex):
        if ver >= 1:
            w.i32(0)
        w.i16(0)
        if ver >= 1:
            w.string(None)
        w.i32(NODE_ID)
        w.string("127.0.0.1")
        w.i32(self.port)


if __name__ == "__main__":
    # Manual use: run a fake broker and print every frame as it arrives.
    here = os.path.dirname(os.path.abspath(__file__))
    b = FakeBroker(os.path.join(here, "..", "..", "src", "protocol",
                                "apis.def"))
    print("listening on 127.0.0.1:%d" % b.port, flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.2)
            with b.lock:
                new = b.frames[seen:]
                seen = len(b.frames)
            for conn, key, ver, frame in new:
                print("conn %d %s v%d %d bytes" % (
                    conn, API_NAMES.get(key, key), ver, len(frame)),
                    flush=True)
    except KeyboardInterrupt:
        b.stop()

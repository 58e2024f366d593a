#!/usr/bin/python3
"""test_bad_input.py: bad bytes on a raw socket cost only that connection.

For each bad input (a frame too short for a request header, a known API
with a garbage body, a frame claiming 2 GiB, a truncated request followed
by a hang-up, an unknown API key, an unsupported version of a known key)
sent on its own connection, the broker

  * logs exactly one line naming the peer (our socket's address) and the
    reason,
  * drops that connection (we read EOF), and
  * keeps serving a healthy producer and consumer that stay connected the
    whole time: each case is followed by a produce and a fetch on them.

Plus: ApiVersions at an unsupported version is answered (error 35,
UNSUPPORTED_VERSION, with the supported ranges) and the connection stays
open, as Kafka does so clients can downgrade.
"""

import os
import re
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402

suite = harness.Suite("badinput")
S = {}


def frame(api_key, version, corr, body=b"", client_id=b"bad-input"):
    hdr = struct.pack(">hhih", api_key, version, corr, len(client_id)) + \
        client_id
    return struct.pack(">i", len(hdr) + len(body)) + hdr + body


def setup():
    if "c" in S:
        return S
    from confluent_kafka import Producer
    from kafka import KafkaConsumer, TopicPartition
    c = S["c"] = suite.cluster()
    S["p"] = Producer({"bootstrap.servers": c.bootstrap, "linger.ms": 0})
    S["p"].produce("healthy", b"first", partition=0)
    assert_eq(S["p"].flush(T(30)), 0, "first produce")
    cons = S["cons"] = KafkaConsumer(bootstrap_servers=c.bootstrap,
                                     group_id=None, enable_auto_commit=False)
    cons.assign([TopicPartition("healthy", 0)])
    cons.seek(TopicPartition("healthy", 0), 0)
    assert_eq(poll_value(cons, b"first"), 0, "offset of the first record")
    return S


def poll_value(cons, want):
    deadline = time.monotonic() + T(20)
    while time.monotonic() < deadline:
        for msgs in cons.poll(timeout_ms=300).values():
            for m in msgs:
                if m.value == want:
                    return m.offset
    raise AssertionError("the healthy consumer did not get %r" % want)


def healthy_round(tag):
    s = setup()
    offs = []
    s["p"].produce("healthy", tag, partition=0,
                   on_delivery=lambda e, m: offs.append((e, m.offset())))
    assert_eq(s["p"].flush(T(30)), 0, "healthy produce after %r" % tag)
    assert_eq(offs[0][0], None, "healthy produce error")
    assert_eq(poll_value(s["cons"], tag), offs[0][1], "healthy fetch offset")


def connect():
    b = S["c"].brokers[0]
    sock = socket.create_connection(("127.0.0.1", b.port), T(10))
    sock.settimeout(T(10))
    return sock, "127.0.0.1:%d" % sock.getsockname()[1]


def wait_eof(sock):
    deadline = time.monotonic() + T(10)
    while time.monotonic() < deadline:
        try:
            if sock.recv(65536) == b"":
                return
        except ConnectionResetError:
            return
        except socket.timeout:
            break
    raise AssertionError("the broker did not close the connection")


def bad_case(payload, reason, hang_up=False):
    setup()
    b = S["c"].brokers[0]
    mark = b.log_mark()
    sock, peer = connect()
    try:
        sock.sendall(payload)
        if hang_up:
            sock.shutdown(socket.SHUT_WR)
        wait_eof(sock)
    finally:
        sock.close()
    pat = re.compile(re.escape(peer) + r"\b")
    wait_for(lambda: any(pat.search(ln) for ln in
                         b.log_since(mark).splitlines()), 10,
             "a log line naming %s" % peer)
    time.sleep(0.2)     # a second line would show up by now
    lines = [ln for ln in b.log_since(mark).splitlines() if pat.search(ln)]
    assert_eq(len(lines), 1, "log lines naming %s (%r)" % (peer, lines))
    if not re.search(reason, lines[0]):
        raise AssertionError("log line %r does not give the reason /%s/" %
                             (lines[0], reason))
    healthy_round(("after %s" % reason).encode())


@suite.test("a frame too short for a request header: one line, "
            "connection dropped, others served")
def short_header():
    bad_case(struct.pack(">i", 5) + b"\xde\xad\xbe\xef\x01",
             r"malformed request header")


@suite.test("Produce v3 with a garbage body: one line, connection dropped, "
            "others served")
def garbage_body():
    body = bytes((i * 37 + 11) & 0xff for i in range(64))
    bad_case(frame(0, 3, 7, body), r"(?i)malformed|invalid|corrupt|parse")


@suite.test("a frame claiming 2 GiB: one line, connection dropped, others "
            "served")
def two_gib():
    bad_case(struct.pack(">I", 0x7fffffff) + b"\x00" * 32,
             r"Invalid receive \(size = 2147483647")


@suite.test("a truncated request, then a hang-up: one line, others served")
def truncated():
    f = frame(3, 1, 9, struct.pack(">i", 1) + struct.pack(">h", 7) +
              b"healthy")
    bad_case(f[:len(f) - 5], r"middle of a request", hang_up=True)


@suite.test("an unknown API key: one line, connection dropped, others "
            "served")
def unknown_key():
    bad_case(frame(9999, 0, 11), r"unknown or unsupported API key")


@suite.test("an unsupported version of a known key (Metadata v99): one "
            "line, connection dropped, others served "
            "(bug: reported as a malformed header)")
def unsupported_version():
    bad_case(frame(3, 99, 13, struct.pack(">i", -1)),
             r"unsupported API version")


@suite.test("ApiVersions v99: answered with UNSUPPORTED_VERSION and the "
            "ranges, connection kept")
def apiversions_unsupported():
    setup()
    sock, _ = connect()
    try:
        for corr in (21, 22):
            sock.sendall(frame(18, 99, corr))
            size = struct.unpack(">i", recv_exact(sock, 4))[0]
            body = recv_exact(sock, size)
            got_corr, err, n = struct.unpack(">ihi", body[:10])
            assert_eq(got_corr, corr, "correlation id")
            assert_eq(err, 35, "ErrorCode (UNSUPPORTED_VERSION)")
            keys = {}
            for i in range(n):
                k, lo, hi = struct.unpack(">hhh", body[10 + 6 * i:
                                                   16 + 6 * i])
                keys[k] = (lo, hi)
            # KIP-511: only ApiVersions' own range, in the v0 layout
            assert_eq(keys, {18: (0, 3)}, "ApiKeys of the answer")
    finally:
        sock.close()
    healthy_round(b"after ApiVersions v99")


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise AssertionError("connection closed after %d of %d bytes" %
                                 (len(buf), n))
        buf += chunk
    return buf


if __name__ == "__main__":
    try:
        suite.main(modules=("kazoo", "kafka", "confluent_kafka"))
    finally:
        if "cons" in S:
            S["cons"].close()

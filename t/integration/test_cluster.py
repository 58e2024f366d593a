#!/usr/bin/python3
"""test_cluster.py: three brokers and the controller's network channel.

The controller (one broker, elected through /controller) sends
LeaderAndIsr, UpdateMetadata and StopReplica over the wire to the other
brokers (src/controller/channel_manager.c); brokers serve those requests
(src/server/control_apis.c).  Checked here:

  * a topic with 6 partitions and replication factor 3 created through
    confluent-kafka's AdminClient: every broker, asked on its own with a
    raw Metadata v1 request, reports the leaders and replicas of the
    /brokers/topics/<t>/partitions/<p>/state znodes, and all three
    brokers;
  * acks=1 produce to each partition (confluent-kafka goes to the leader):
    the followers' replica fetchers (src/server/replica_fetcher.c) copy
    the leader's batches byte for byte, and the leader advances the high
    watermark from their fetch offsets, so a consumer reads them back;
  * acks=all on an RF 3 topic with min.insync.replicas=2: the produce
    waits in the purgatory until the followers fetched past it; every
    acknowledged record reads back and is on every replica;
  * kill -9 of that topic's leader under a continuous acks=all producer
    (producer_loop.py): a new leader from the ISR, the producer carries
    on, the failover time is printed, and an independent consumer finds
    every acknowledged record at its offset, in order.  The killed broker
    restarts, truncates where its log and the new leader's agree (leader
    epoch handshake), catches up to the same bytes, and the leaders add
    it back to the ISR (state znode, announced through
    /isr_change_notification; the controller forwards it in Metadata);
  * kill -9 of the controller broker: another broker becomes controller
    (epoch bumped), and the survivors' metadata drop the dead broker and
    agree with the state znodes again.  The dead replica leaves every ISR
    (Kafka's OfflineReplica transition) and the new controller elects a
    live ISR member for every partition the dead broker led.  That new
    leader had fetched the dead leader's records, so the next produce
    gets offset 5 on every partition;
  * with the ISR of the min.insync.replicas=2 topic down to its leader
    (the other brokers killed), acks=all is refused with
    NOT_ENOUGH_REPLICAS while acks=1 is still served;
  * a second cluster: the leader frozen with SIGSTOP past
    zookeeper.session.timeout.ms loses leadership; after SIGCONT a
    client that only knows it gets nothing acknowledged that the cluster
    then lacks, and the old leader rejoins the ISR as a follower;
  * a LeaderAndIsr sent by hand with an older controller epoch is refused
    with STALE_CONTROLLER_EPOCH (11), an UpdateMetadata likewise, and a
    LeaderAndIsr v2 naming an older broker epoch with STALE_BROKER_EPOCH
    (77).
"""

import json
import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402
import clients                      # noqa: E402

suite = harness.Suite("cluster")
TOPIC = "cl-six"
NPART = 6
STALE_CONTROLLER_EPOCH = 11
STALE_BROKER_EPOCH = 77

# -------------------------------------------------------------- raw wire


def _str(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def call(broker, key, version, body, client_id="samsa-it"):
    """One request on a fresh socket; returns the response body."""
    hdr = struct.pack(">hhi", key, version, 7) + _str(client_id)
    frame = hdr + body
    with socket.create_connection(("127.0.0.1", broker.port),
                                  timeout=T(10)) as s:
        s.sendall(struct.pack(">i", len(frame)) + frame)
        n = struct.unpack(">i", _recv(s, 4))[0]
        data = _recv(s, n)
    assert_eq(struct.unpack(">i", data[:4])[0], 7, "correlation id")
    return data[4:]


def _recv(s, n):
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise AssertionError("connection closed after %d of %d bytes" %
                                 (len(out), n))
        out += chunk
    return out


class Rd:
    def __init__(self, b):
        self.b, self.p = b, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.p)
        self.p += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def str(self):
        n = self.take(">h")
        if n < 0:
            return None
        v = self.b[self.p:self.p + n].decode()
        self.p += n
        return v

    def i32s(self):
        return [self.take(">i") for _ in range(self.take(">i"))]


def metadata(broker, topic):
    """Metadata v1 from this broker only: (brokers {id: (host, port)},
    controller, {partition: (error, leader, replicas, isr)})."""
    r = Rd(call(broker, 3, 1, struct.pack(">i", 1) + _str(topic)))
    brokers = {}
    for _ in range(r.take(">i")):
        bid, host, port, _rack = r.take(">i"), r.str(), r.take(">i"), r.str()
        brokers[bid] = (host, port)
    controller = r.take(">i")
    parts = {}
    for _ in range(r.take(">i")):
        terr, name, _internal = r.take(">h"), r.str(), r.take(">b")
        assert_eq((name, terr), (topic, 0), "topic error")
        for _ in range(r.take(">i")):
            perr, p, leader = r.take(">h"), r.take(">i"), r.take(">i")
            parts[p] = (perr, leader, r.i32s(), r.i32s())
    return brokers, controller, parts


def lai_body(version, controller_id, controller_epoch, broker_epoch,
             leader, replicas, leader_epoch=1000, zk_version=1000):
    """LeaderAndIsr v1/v2 for TOPIC-0 (v1: flat states, v2: by topic)."""
    ps = struct.pack(">iiii", 0, controller_epoch, leader, leader_epoch)
    ps += struct.pack(">i", len(replicas)) + \
        b"".join(struct.pack(">i", x) for x in replicas)
    ps += struct.pack(">i", zk_version)
    ps += struct.pack(">i", len(replicas)) + \
        b"".join(struct.pack(">i", x) for x in replicas)
    ps += b"\x00"                               # IsNew
    body = struct.pack(">ii", controller_id, controller_epoch)
    if version >= 2:
        body += struct.pack(">q", broker_epoch)
        body += struct.pack(">i", 1) + _str(TOPIC) + struct.pack(">i", 1) + ps
    else:
        body += struct.pack(">i", 1) + _str(TOPIC) + ps
    return body + struct.pack(">i", 0)          # no LiveLeaders


def lai_errors(data):
    r = Rd(data)
    top = r.take(">h")
    errs = [(r.str(), r.take(">i"), r.take(">h"))
            for _ in range(r.take(">i"))]
    return top, errs

# -------------------------------------------------------------- helpers


def znode_states(c, topic):
    zk = c.kazoo()
    out = {}
    for p in range(NPART):
        st = json.loads(zk.get("/brokers/topics/%s/partitions/%d/state" %
                               (topic, p))[0])
        out[p] = st
    assign = json.loads(zk.get("/brokers/topics/%s" % topic)[0])
    return out, {int(k): v for k, v in assign["partitions"].items()}


def controller_id(c):
    data, _ = c.kazoo().get("/controller")
    return json.loads(data)["brokerid"]


def controller_epoch(c):
    return int(c.kazoo().get("/controller_epoch")[0])


def agrees(c, broker, live_ids):
    """broker's Metadata matches the state znodes and lists live_ids."""
    try:
        brokers, _ctl, parts = metadata(broker, TOPIC)
    except (OSError, AssertionError):
        return False
    states, assign = znode_states(c, TOPIC)
    if sorted(brokers) != sorted(live_ids) or len(parts) != NPART:
        return False
    for p in range(NPART):
        err, leader, replicas, _isr = parts[p]
        if err != 0 or leader != states[p]["leader"] or \
                replicas != assign[p]:
            return False
    return True


def create_rf3(c, name, nparts, config=None):
    c.create_topic(name, nparts, 3, config)


def create_topic(c):
    create_rf3(c, TOPIC, NPART)


# -------------------------------------------------------------- tests

c = None
state = {}


@suite.test("3 brokers: RF 3 topic, every broker's Metadata matches the "
            "state znodes")
def t_metadata_everywhere():
    global c
    c = suite.cluster(brokers=3,
                      props={"zookeeper.session.timeout.ms": "4000",
                             "auto.leader.rebalance.enable": "false"})
    create_topic(c)
    c.topic_leader_ready(TOPIC, NPART)
    ids = [b.id for b in c.brokers]
    for b in c.brokers:
        wait_for(lambda: agrees(c, b, ids), T(20),
                 "broker %d's metadata to match the znodes" % b.id)
    states, assign = znode_states(c, TOPIC)
    leaders = sorted(states[p]["leader"] for p in range(NPART))
    # Kafka's assignment spreads 6 partitions over 3 brokers: 2 each
    assert_eq(leaders, [0, 0, 1, 1, 2, 2], "leaders")
    for p in range(NPART):
        assert_eq(sorted(assign[p]), [0, 1, 2], "replicas of %d" % p)
        assert_eq(sorted(states[p]["isr"]), [0, 1, 2], "isr of %d" % p)
    # a follower hosts the partition too (it got LeaderAndIsr over the
    # network): its log directory exists
    for p in range(NPART):
        for bid in assign[p]:
            d = os.path.join(c.brokers[bid].dir, "data", "%s-%d" % (TOPIC, p))
            wait_for(lambda: os.path.isdir(d), T(10), "log dir %s" % d)


def log_bytes(broker, p):
    d = os.path.join(broker.dir, "data", "%s-%d" % (TOPIC, p))
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
               if f.endswith(".log"))


@suite.test("acks=1 produce to each leader: offsets 0..4, the followers "
            "fetch the same bytes")
def t_produce_each_leader():
    states, assign = znode_states(c, TOPIC)
    for p in range(NPART):
        leader = c.brokers[states[p]["leader"]]
        cl = clients.Confluent(leader.bootstrap)
        recs = [clients.Rec(b"k%d" % i, b"p%d-v%d" % (p, i))
                for i in range(5)]
        offs = cl.produce(TOPIC, recs, partition=p, acks=1)
        assert_eq(offs, list(range(5)), "offsets of partition %d" % p)
        assert log_bytes(leader, p) > 0, "nothing in the leader's log"
        for bid in assign[p]:
            if bid != leader.id:
                # the follower's fetcher copies the leader's batches
                wait_for(lambda: log_bytes(c.brokers[bid], p) ==
                         log_bytes(leader, p), T(20),
                         "follower %d's log of %d to match the leader's" %
                         (bid, p))
    state["leaders"] = {p: states[p]["leader"] for p in range(NPART)}


@suite.test("read the records back from each leader (the high watermark "
            "follows the followers' fetches)")
def t_read_back():
    states, _ = znode_states(c, TOPIC)
    for p in range(NPART):
        leader = c.brokers[states[p]["leader"]]
        cl = clients.Confluent(leader.bootstrap)
        got = cl.consume(TOPIC, p, 0, 5)
        assert_eq([r.value for r in got],
                  [b"p%d-v%d" % (p, i) for i in range(5)],
                  "partition %d read back from broker %d" % (p, leader.id))


@suite.test("stale controller epoch: LeaderAndIsr and UpdateMetadata "
            "refused with STALE_CONTROLLER_EPOCH")
def t_stale_epoch():
    epoch = controller_epoch(c)
    ctl = controller_id(c)
    states, _ = znode_states(c, TOPIC)
    follower = next(b for b in c.brokers if b.id != states[0]["leader"])
    # v1 has no broker epoch: only the controller epoch is judged
    top, errs = lai_errors(call(follower, 4, 1, lai_body(
        1, ctl, epoch - 1, -1, follower.id, [follower.id])))
    assert_eq(top, STALE_CONTROLLER_EPOCH, "LeaderAndIsr error")
    assert_eq(errs, [(TOPIC, 0, STALE_CONTROLLER_EPOCH)], "partition errors")
    # UpdateMetadata v1: controller id, epoch, no partitions, no brokers
    body = struct.pack(">iiii", ctl, epoch - 1, 0, 0)
    err = struct.unpack(">h", call(follower, 6, 1, body))[0]
    assert_eq(err, STALE_CONTROLLER_EPOCH, "UpdateMetadata error")
    # v2 with a broker epoch older than the registration's czxid
    top, _ = lai_errors(call(follower, 4, 2, lai_body(
        2, ctl, epoch, 1, follower.id, [follower.id])))
    assert_eq(top, STALE_BROKER_EPOCH, "LeaderAndIsr v2 error")
    # nothing changed: the leader is still the znode's
    wait_for(lambda: agrees(c, follower, [0, 1, 2]), T(10),
             "metadata unchanged after refused requests")
    _, _, parts = metadata(follower, TOPIC)
    assert_eq(parts[0][1], states[0]["leader"], "leader of partition 0")


# ---------------------------------------------------------- acks=all

TOPIC_ALL = "cl-all"


def state_of(topic, p):
    return json.loads(c.kazoo().get(
        "/brokers/topics/%s/partitions/%d/state" % (topic, p))[0])


def acked(logfile):
    """{id: offset} of acknowledged records and the failed ones, from a
    producer_loop.py log."""
    ok, failed = {}, []
    with open(logfile) as f:
        for line in f:
            if line.startswith("#") or not line.endswith("\n"):
                continue
            n, s, r, off, err = line.split()
            if err == "-":
                ok[int(n)] = (int(off), float(s), float(r))
            else:
                failed.append((int(n), err))
    return ok, failed


@suite.test("acks=all with min.insync.replicas=2 on an RF 3 topic: every "
            "acknowledged record read back, followers hold the same bytes")
def t_acks_all():
    create_rf3(c, TOPIC_ALL, 1, {"min.insync.replicas": "2"})
    c.topic_leader_ready(TOPIC_ALL, 1)
    st = state_of(TOPIC_ALL, 0)
    assert_eq(sorted(st["isr"]), [0, 1, 2], "isr")
    cl = clients.Confluent(c.bootstrap)
    recs = [clients.Rec(b"k%d" % i, b"all-%d" % i) for i in range(20)]
    offs = cl.produce(TOPIC_ALL, recs, partition=0, acks=-1)
    assert_eq(offs, list(range(20)), "acks=all offsets")
    got = cl.consume(TOPIC_ALL, 0, 0, 20)
    assert_eq([r.value for r in got], [r.value for r in recs], "read back")
    # an acknowledged acks=all write is on every ISR member
    leader = c.brokers[st["leader"]]
    for b in c.brokers:
        assert_eq(log_bytes_of(b, TOPIC_ALL, 0), log_bytes_of(leader,
                  TOPIC_ALL, 0), "log of %s-0 on broker %d" % (TOPIC_ALL,
                                                               b.id))


def log_bytes_of(broker, topic, p):
    d = os.path.join(broker.dir, "data", "%s-%d" % (topic, p))
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
               if f.endswith(".log"))


@suite.test("kill -9 the leader under a continuous acks=all producer: "
            "every acknowledged record is read back in order, none lost")
def t_leader_kill_acks_all():
    st = state_of(TOPIC_ALL, 0)
    old = st["leader"]
    logf = os.path.join(suite.tmp, "all.acks")
    stop = os.path.join(suite.tmp, "stop-all")
    proc = harness.spawn(
        ["/usr/bin/python3", os.path.join(harness.HERE, "producer_loop.py"),
         c.bootstrap, TOPIC_ALL, "all", logf, stop, str(T(120))],
        os.path.join(suite.tmp, "all.out"))
    try:
        wait_for(lambda: os.path.exists(logf) and
                 len(acked(logf)[0]) >= 200, T(60),
                 "200 acknowledgements before the kill", 0.1)
        t_kill = time.monotonic()
        c.brokers[old].kill(wait_unregistered=False)
        wait_for(lambda: state_of(TOPIC_ALL, 0)["leader"] not in (old, -1),
                 T(60), "a new leader", 0.1)
        # failover: kill -> first record sent after the kill acknowledged
        wait_for(lambda: any(s > t_kill for _, s, _ in
                             acked(logf)[0].values()), T(60),
                 "an acknowledgement from the new leader", 0.1)
        first = min(r for _, s, r in acked(logf)[0].values() if s > t_kill)
        print("# failover time (kill -9 -> first acks=all write "
              "acknowledged by the new leader): %.2f s" % (first - t_kill))
        n = len(acked(logf)[0])
        wait_for(lambda: len(acked(logf)[0]) >= n + 200, T(60),
                 "200 more acknowledgements after the failover", 0.1)
    finally:
        open(stop, "w").close()
        try:
            rc = proc.wait(T(150))
        except Exception:
            harness.reap(proc, 9)
            raise
    assert_eq(rc, 0, "producer exit status")
    ok, failed = acked(logf)
    assert_eq(failed, [], "failed deliveries")
    st = state_of(TOPIC_ALL, 0)
    assert old not in st["isr"], "dead broker %d still in the ISR" % old
    # an independent consumer reads everything acknowledged, in order
    cl = clients.Confluent(",".join(b.bootstrap for b in c.brokers
                                    if b.id != old))
    end = cl.latest(TOPIC_ALL, 0)
    final = {r.offset: r.value for r in cl.consume(TOPIC_ALL, 0, 0, end)}
    assert_eq(len(final), end, "records read back")
    for n, (off, _, _) in ok.items():
        if final.get(off) != b"id-%d" % n:
            raise AssertionError("id-%d acknowledged at offset %d, which "
                                 "holds %r" % (n, off, final.get(off)))
    order = [off for _, (off, _, _) in sorted(ok.items())]
    assert_eq(order, sorted(order), "acknowledged ids in offset order")
    print("# %d records acknowledged, %d in the log" % (len(ok), end))
    state["killed"] = old


@suite.test("the killed leader restarts, catches up and rejoins the ISR "
            "(state znode), holding the leader's records")
def t_killed_rejoins():
    old = state.pop("killed")
    c.brokers[old].wait_unregistered()
    # every notification znode created (and deleted by the controller)
    # bumps the parent's cversion twice
    cv0 = c.kazoo().exists("/isr_change_notification").cversion
    c.brokers[old].start()
    wait_for(lambda: old in state_of(TOPIC_ALL, 0)["isr"], T(60),
             "broker %d back in the ISR" % old, 0.2)
    leader = c.brokers[state_of(TOPIC_ALL, 0)["leader"]]
    wait_for(lambda: log_bytes_of(c.brokers[old], TOPIC_ALL, 0) ==
             log_bytes_of(leader, TOPIC_ALL, 0), T(30),
             "broker %d's log to match the leader's" % old)
    # every RF 3 partition of the first topic has it back too
    for p in range(NPART):
        wait_for(lambda: old in state_of(TOPIC, p)["isr"], T(30),
                 "broker %d back in the ISR of %s-%d" % (old, TOPIC, p), 0.2)
    # the controller consumed the notifications and told the brokers
    wait_for(lambda: c.kazoo().get_children("/isr_change_notification")
             == [], T(30), "ISR change notifications processed", 0.2)
    wait_for(lambda: all(old in isr for _e, _l, _r, isr in
                         metadata(leader, TOPIC)[2].values()), T(30),
             "Metadata ISRs with broker %d" % old, 0.2)
    # the leaders announced the 1 + NPART rejoins in batches, not one
    # notification znode per partition
    notes = (c.kazoo().exists("/isr_change_notification").cversion -
             cv0) // 2
    print("# %d ISR change notifications for %d rejoined partitions" %
          (notes, 1 + NPART))
    assert 1 <= notes < 1 + NPART, \
        "%d notifications for %d partitions" % (notes, 1 + NPART)


@suite.test("kill -9 the controller: a new controller, survivors' metadata "
            "updated, leaders moved within the ISR")
def t_kill_controller():
    old = controller_id(c)
    old_epoch = controller_epoch(c)
    dead = c.brokers[old]
    dead.kill(wait_unregistered=True)
    live = [b for b in c.brokers if b.id != old]
    wait_for(lambda: c.kazoo().exists("/controller") and
             controller_id(c) != old, T(30), "a new controller")
    assert controller_epoch(c) > old_epoch, "controller epoch not bumped"
    for b in live:
        wait_for(lambda: agrees(c, b, [x.id for x in live]), T(30),
                 "broker %d's metadata after the failover" % b.id)
    states, _ = znode_states(c, TOPIC)
    live_ids = sorted(b.id for b in live)
    for p in range(NPART):
        assert states[p]["leader"] != old, \
            "partition %d still led by dead broker %d" % (p, old)
        # the controller takes the dead replica out of the ISR (Kafka's
        # OfflineReplica transition); the new leader is a member
        isr = states[p]["isr"]
        assert set(isr) <= set(live_ids) and states[p]["leader"] in isr, \
            "isr of %d: %r (live %r)" % (p, isr, live_ids)
    # the moved partitions' new leaders had fetched the dead leader's
    # records: the next produce continues after them everywhere
    for p in range(NPART):
        leader = c.brokers[states[p]["leader"]]
        cl = clients.Confluent(leader.bootstrap)
        want = 5
        offs = cl.produce(TOPIC, [clients.Rec(b"k", b"after")],
                          partition=p, acks=1)
        assert_eq(offs, [want], "offset after the failover, partition %d"
                  % p)


@suite.test("min.insync.replicas=2 with one replica left in the ISR: "
            "acks=all refused with NOT_ENOUGH_REPLICAS, acks=1 still served")
def t_not_enough_replicas():
    st = state_of(TOPIC_ALL, 0)
    leader = st["leader"]
    live = [b for b in c.brokers if b.alive() and b.id != leader]
    for b in live:
        b.kill(wait_unregistered=True)
    wait_for(lambda: state_of(TOPIC_ALL, 0)["isr"] == [leader], T(60),
             "the ISR of %s-0 down to its leader %d" % (TOPIC_ALL, leader),
             0.2)
    # the controller wrote that ISR; the leader holds it once its
    # LeaderAndIsr (and the UpdateMetadata after it) arrived - before
    # that, an acks=all write is appended and then fails with
    # NOT_ENOUGH_REPLICAS_AFTER_APPEND, rightly
    wait_for(lambda: metadata(c.brokers[leader], TOPIC_ALL)[2][0][3] ==
             [leader], T(30), "the leader's own metadata to show the ISR",
             0.1)
    cl = clients.Confluent(c.brokers[leader].bootstrap)
    try:
        cl.produce(TOPIC_ALL, [clients.Rec(b"k", b"refused")], partition=0,
                   acks=-1, extra={"retries": 0,
                                   "message.timeout.ms": int(T(10) * 1000)})
        raise AssertionError("acks=all accepted with an ISR of 1")
    except clients.ProduceError as e:
        assert_eq(e.kind, "NOT_ENOUGH_REPLICAS", "acks=all error")
    offs = cl.produce(TOPIC_ALL, [clients.Rec(b"k", b"one")], partition=0,
                      acks=1)
    assert offs[0] >= 0, "acks=1 offset %r" % offs


@suite.test("a leader frozen (SIGSTOP) past the ZooKeeper session loses "
            "leadership; after SIGCONT nothing it acknowledges is lost and "
            "it rejoins as a follower")
def t_frozen_leader():
    import signal
    global c
    # no auto leader rebalance: 5 s after a controller failover it would
    # rightly give the preferred replica (the frozen one) its leadership
    # back, which this test must tell apart from split brain
    c = suite.cluster(brokers=3,
                      props={"zookeeper.session.timeout.ms": "4000",
                             "auto.leader.rebalance.enable": "false"})
    create_rf3(c, "sb", 1, {"min.insync.replicas": "2"})
    c.topic_leader_ready("sb", 1)
    wait_for(lambda: len(state_of("sb", 0)["isr"]) == 3, T(30), "full ISR")
    cl = clients.Confluent(c.bootstrap)
    assert_eq(cl.produce("sb", [clients.Rec(b"k", b"before-%d" % i)
                               for i in range(10)], acks=-1),
              list(range(10)), "offsets before the freeze")
    old = state_of("sb", 0)["leader"]
    frozen = c.brokers[old]
    os.kill(frozen.proc.pid, signal.SIGSTOP)
    try:
        wait_for(lambda: state_of("sb", 0)["leader"] not in (old, -1),
                 T(60), "a new leader while broker %d is frozen" % old, 0.2)
    finally:
        os.kill(frozen.proc.pid, signal.SIGCONT)
    # a client that only knows the old leader: whatever it gets
    # acknowledged must be in the cluster's log afterwards
    acked = {}
    stale = clients.Confluent(frozen.bootstrap)
    for i in range(5):
        try:
            off = stale.produce("sb", [clients.Rec(b"k", b"after-%d" % i)],
                                acks=-1, extra={
                                    "message.timeout.ms": int(T(15) * 1000)})
            acked[off[0]] = b"after-%d" % i
        except clients.ProduceError:
            pass
    wait_for(lambda: old in state_of("sb", 0)["isr"], T(60),
             "broker %d back in the ISR as a follower" % old, 0.2)
    assert state_of("sb", 0)["leader"] != old, "frozen broker leads again"
    live = clients.Confluent(c.bootstrap)
    end = live.latest("sb", 0)
    final = {r.offset: r.value for r in live.consume("sb", 0, 0, end)}
    for i in range(10):
        assert_eq(final.get(i), b"before-%d" % i, "offset %d" % i)
    for off, v in acked.items():
        assert_eq(final.get(off), v, "acknowledged offset %d" % off)
    print("# %d of 5 writes through the stale client acknowledged, all "
          "kept" % len(acked))


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

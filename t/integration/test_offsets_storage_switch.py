#!/usr/bin/python3
"""test_offsets_storage_switch.py: offsets.storage switched live (issue 5).

One broker; a confluent-kafka group member reads a 3-partition topic and
commits synchronously after every batch, while bin/kafka-configs.sh
switches the cluster default offsets.storage kafka -> zookeeper -> dual
-> kafka (through /config/changes, no restart).  Checked:

  * during a switch (the tool running, the broker not yet answering the
    new value) commits keep succeeding and OffsetFetch never answers less
    than the last acknowledged commit;
  * once the broker reports the new value, every commit lands in the
    selected store: /consumers/<group>/offsets/<topic>/<partition> in
    ZooKeeper for zookeeper and dual, the newest offset record of the
    group's __consumer_offsets partition for kafka and dual, and the
    other store keeps what it had;
  * after each switch the member is closed and a new one started: it
    resumes exactly at the last commit, whichever store holds it: the
    switch commits only partitions 0 and 1, so partition 2's offset is
    in the previous mode's store (zookeeper falls back to
    __consumer_offsets, dual takes the larger of the two);
  * at the end every produced record was consumed at least once and the
    committed offsets equal the log end offsets.

Every wait is bounded (harness.T scales it).
"""

import os
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402

suite = harness.Suite("offsets_storage_switch")
S = {}
TOPIC = "sw"
GROUP = "g-switch"
NPART = 3
NOFF = 4
PROPS = {"offsets.topic.replication.factor": "1",
         "offsets.topic.num.partitions": str(NOFF),
         "group.initial.rebalance.delay.ms": "0"}


def java_hash(s):
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


def env():
    return dict(os.environ, SAMSA_BUILD_DIR=os.path.dirname(os.path.dirname(
        harness.find_server())))


def configs_argv(c, mode):
    return [os.path.join(harness.SRCDIR, "bin", "kafka-configs.sh"),
            "--zookeeper", c.zk.connect(c.chroot), "--entity-type",
            "brokers", "--entity-default", "--alter", "--add-config",
            "offsets.storage=%s" % mode]


def broker_mode(c):
    from confluent_kafka.admin import AdminClient, ConfigResource
    a = S.setdefault("admin", AdminClient({"bootstrap.servers":
                                           c.bootstrap}))
    res = ConfigResource("broker", "0")
    got = a.describe_configs([res], request_timeout=T(10))[res].result(
        timeout=T(15))
    return got["offsets.storage"].value


def produce(c, n, parts=NPART):
    """n records round robin over partitions 0 .. parts-1."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": c.bootstrap})
    for j in range(n):
        i = S["produced"]
        S["produced"] += 1
        p.produce(TOPIC, value=b"r-%d" % i, partition=j % parts)
    assert_eq(p.flush(T(30)), 0, "records left unflushed")


def member(c):
    from confluent_kafka import Consumer
    k = Consumer({"bootstrap.servers": c.bootstrap, "group.id": GROUP,
                  "auto.offset.reset": "earliest",
                  "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
                  "enable.auto.commit": False})
    k.subscribe([TOPIC])
    return k


def fetched(c):
    """OffsetFetch by a client outside the group: {partition: offset}."""
    from confluent_kafka import Consumer, TopicPartition
    k = S.get("fetcher")
    if k is None:
        k = S["fetcher"] = Consumer({"bootstrap.servers": c.bootstrap,
                                     "group.id": GROUP})
    res = k.committed([TopicPartition(TOPIC, p) for p in range(NPART)],
                      timeout=T(10))
    return {tp.partition: tp.offset for tp in res}


def zk_offsets(c):
    zk = c.kazoo()
    out = {}
    for p in range(NPART):
        path = "/consumers/%s/offsets/%s/%d" % (GROUP, TOPIC, p)
        if zk.exists(path):
            out[p] = int(zk.get(path)[0])
    return out


def kafka_offsets(c):
    """The newest offset record per partition of GROUP in its
    __consumer_offsets partition, decoded here (key v1: group, topic,
    partition; value: version, offset first)."""
    from confluent_kafka import Consumer, TopicPartition
    op = (java_hash(GROUP) & 0x7FFFFFFF) % NOFF
    k = Consumer({"bootstrap.servers": c.bootstrap, "group.id": "reader",
                  "enable.auto.commit": False})
    try:
        _lo, hi = k.get_watermark_offsets(
            TopicPartition("__consumer_offsets", op), timeout=T(10))
        k.assign([TopicPartition("__consumer_offsets", op, 0)])
        out, pos = {}, 0
        deadline = time.monotonic() + T(20)
        while pos < hi and time.monotonic() < deadline:
            m = k.poll(0.2)
            if m is None or m.error() is not None:
                continue
            pos = m.offset() + 1
            key, val = m.key(), m.value()
            if struct.unpack(">h", key[:2])[0] > 1:
                continue                        # group metadata
            n = struct.unpack(">h", key[2:4])[0]
            g = key[4:4 + n].decode()
            n2 = struct.unpack(">h", key[4 + n:6 + n])[0]
            t = key[6 + n:6 + n + n2].decode()
            p = struct.unpack(">i", key[6 + n + n2:10 + n + n2])[0]
            if g != GROUP or t != TOPIC:
                continue
            if val is None:
                out.pop(p, None)
            else:
                out[p] = struct.unpack(">q", val[2:10])[0]
        assert_eq(pos, hi, "read __consumer_offsets-%d to its end" % op)
        return out
    finally:
        k.close()


def batch(c, k, seconds=0.5, on_msg=None):
    """One batch: consume what arrives, commit it synchronously, check
    OffsetFetch does not rewind.  Returns the number of partitions
    committed."""
    from confluent_kafka import TopicPartition
    msgs = k.consume(num_messages=20, timeout=seconds)
    offs = {}
    for m in msgs:
        if m.error() is not None:
            continue
        S["seen"].add(m.value())
        if on_msg is not None:
            on_msg(m)
        offs[m.partition()] = m.offset() + 1
    if not offs:
        return 0
    k.commit(offsets=[TopicPartition(TOPIC, p, o)
                      for p, o in sorted(offs.items())], asynchronous=False)
    S["acked"].update(offs)
    got = fetched(c)
    for p, o in S["acked"].items():
        if got[p] < o:
            raise AssertionError("OffsetFetch rewound partition %d: %d < "
                                 "acknowledged %d" % (p, got[p], o))
    S["commits"] += 1
    return len(offs)


def catch_up(c, k, seconds=30):
    """Batches until the member has read and committed everything."""
    want = S["produced"]
    wait_for(lambda: batch(c, k) >= 0 and
             sum(S["acked"].values()) == want, seconds,
             "the member to commit all %d records" % want, 0)


def setup():
    from confluent_kafka.admin import AdminClient, NewTopic
    c = suite.cluster(props=PROPS)
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    wait_for(lambda: a.list_topics(timeout=T(5)).controller_id >= 0, 30,
             "a controller in the metadata", 0.2)
    a.create_topics([NewTopic(TOPIC, NPART, 1)],
                    operation_timeout=T(20))[TOPIC].result(T(30))
    c.topic_leader_ready(TOPIC, NPART)
    S.update(c=c, produced=0, seen=set(), acked={}, commits=0)
    produce(c, 60)
    S["k"] = member(c)
    catch_up(c, S["k"])
    return c


def switch(mode):
    """Run kafka-configs.sh; keep consuming and committing while it runs
    and until the broker answers the new value.  Only partitions 0 and 1
    get records (and commits): partition 2's last commit stays in the
    store of the previous mode."""
    c, k = S["c"], S["k"]
    produce(c, 30, NPART - 1)
    p = subprocess.Popen(configs_argv(c, mode), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env(),
                         preexec_fn=harness._pdeathsig)
    try:
        def switched():
            batch(c, k, 0.1)
            return p.poll() is not None and broker_mode(c) == mode
        wait_for(switched, 30, "offsets.storage=%s on the broker" % mode, 0)
    finally:
        if p.poll() is None:
            p.kill()
        out, err = p.communicate(timeout=T(10))
    assert_eq(p.returncode, 0, "kafka-configs.sh: %s" % err.decode())
    catch_up(c, k)


def stores_after(mode):
    """Commit more under mode; check which store got them."""
    c, k = S["c"], S["k"]
    zk_before, kafka_before = zk_offsets(c), kafka_offsets(c)
    produce(c, 30)
    catch_up(c, k)
    acked = dict(S["acked"])
    zk_now, kafka_now = zk_offsets(c), kafka_offsets(c)
    if mode in ("zookeeper", "dual"):
        assert_eq(zk_now, acked, "%s: ZooKeeper has the commits" % mode)
    else:
        assert_eq(zk_now, zk_before, "%s: ZooKeeper untouched" % mode)
    if mode in ("kafka", "dual"):
        assert_eq(kafka_now, acked, "%s: __consumer_offsets has them" % mode)
    else:
        assert_eq(kafka_now, kafka_before,
                  "%s: __consumer_offsets untouched" % mode)
    assert_eq(fetched(c), acked, "%s: OffsetFetch" % mode)


def restart_member():
    """Close the member, produce, start a new one: its first record of
    each partition is at the last commit."""
    c = S["c"]
    S["k"].close()
    acked = dict(S["acked"])
    produce(c, 30)
    k = S["k"] = member(c)
    first = {}
    deadline = time.monotonic() + T(30)
    while len(first) < NPART and time.monotonic() < deadline:
        batch(c, k, 0.2,
              lambda m: first.setdefault(m.partition(), m.offset()))
    assert_eq(first, acked, "the new member's first records")
    catch_up(c, k)


def phase(mode):
    switch(mode)
    if mode == "zookeeper":
        # (0 and 1 are there unless all their commits beat the switch)
        assert_eq(2 in zk_offsets(S["c"]), False,
                  "partition 2's commit only in __consumer_offsets")
    restart_member()
    stores_after(mode)


@suite.test("kafka: a committing member; commits in __consumer_offsets only")
def t_kafka():
    setup()
    stores_after("kafka")


@suite.test("live switch to zookeeper: commits go to ZooKeeper, a restarted "
            "member falls back to __consumer_offsets' commits")
def t_zookeeper():
    phase("zookeeper")


@suite.test("live switch to dual: both stores; a restart takes the larger")
def t_dual():
    phase("dual")


@suite.test("live switch back to kafka: no rewind, ZooKeeper left as it was")
def t_kafka_again():
    phase("kafka")


@suite.test("every record consumed at least once; committed = log end")
def t_end():
    from confluent_kafka import TopicPartition
    c, k = S["c"], S["k"]
    catch_up(c, k)
    assert_eq(S["seen"], {b"r-%d" % i for i in range(S["produced"])},
              "every produced record consumed")
    ends = {p: k.get_watermark_offsets(TopicPartition(TOPIC, p),
                                       timeout=T(10))[1]
            for p in range(NPART)}
    assert_eq(sum(ends.values()), S["produced"], "log end offsets")
    assert_eq(fetched(c), ends, "committed = log end")
    print("# %d synchronous commits, %d records" % (S["commits"],
                                                     S["produced"]))
    k.close()
    S["fetcher"].close()


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

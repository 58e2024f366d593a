#!/usr/bin/python3
"""test_consumer_groups.py: bin/kafka-consumer-groups.sh against one
broker, with groups driven by kafka-python (issue 5 section 4).

  * a group with committed positions and a paused member: --describe
    shows CURRENT-OFFSET, LOG-END-OFFSET, LAG and the member, in Kafka's
    column layout; --list, --members [--verbose] and --state;
  * --reset-offsets is refused while the group is Stable; after the
    member leaves, --dry-run prints the plan and changes nothing,
    --execute changes what OffsetFetch returns (--to-earliest,
    --shift-by, --to-offset clamped to the log end, --to-latest,
    --to-datetime, --by-duration, --to-current);
  * --delete removes an empty group; a second delete fails with Kafka's
    message;
  * --zookeeper: --list, --describe, --reset-offsets and --delete on
    groups whose offsets are in /consumers (written by OffsetCommit v0 and
    directly), --delete refused while a member is registered;
  * --copy-offsets kafka -> zookeeper and zookeeper -> kafka, with
    --dry-run changing nothing.
Every wait is bounded (harness.T scales it).
"""

import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import assert_eq, T    # noqa: E402

suite = harness.Suite("cgroups")
S = {}
BIN = os.path.join(harness.SRCDIR, "bin")
TOPIC = "cgt"
PROPS = {"offsets.topic.replication.factor": "1",
         "offsets.topic.num.partitions": "4",
         "group.initial.rebalance.delay.ms": "0"}


def env():
    return harness.tool_env()


def setup():
    if "c" in S:
        return S["c"]
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    c = S["c"] = suite.cluster(props=PROPS)
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    harness.wait_for(lambda: a.list_topics(timeout=T(5)).controller_id >= 0,
                     30, "a controller", 0.2)
    fs = a.create_topics([NewTopic(TOPIC, 2, 1)], operation_timeout=T(20))
    fs[TOPIC].result(T(30))
    c.topic_leader_ready(TOPIC, 2)
    p = Producer({"bootstrap.servers": c.bootstrap})
    for i in range(10):                 # 5 records in each partition
        p.produce(TOPIC, value=b"v%d" % i, partition=i % 2)
    assert_eq(p.flush(T(30)), 0, "records left unflushed")
    return c


def kcg(*args, check=True):
    cp = harness.run([os.path.join(BIN, "kafka-consumer-groups.sh")] +
                     list(args), 60, check=check, env=env())
    return (cp.returncode, cp.stdout.decode(), cp.stderr.decode())


def boot(*args, check=True):
    return kcg("--bootstrap-server", setup().bootstrap, *args, check=check)


def zkmode(*args, check=True):
    c = setup()
    return kcg("--zookeeper", c.zk.connect(c.chroot), *args, check=check)


def committed(group, parts=(0, 1)):
    """What OffsetFetch v2+ returns, through kafka-python (no join)."""
    from kafka import KafkaConsumer, TopicPartition
    k = KafkaConsumer(bootstrap_servers=setup().bootstrap, group_id=group,
                      enable_auto_commit=False)
    try:
        return [k.committed(TopicPartition(TOPIC, p)) for p in parts]
    finally:
        k.close()


def commit(group, offsets, v0=False):
    """Commit {partition: offset} as a client outside the group (v0:
    kafka-python's 0.8.1 profile, OffsetCommit v0 to ZooKeeper)."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    kw = {"api_version": (0, 8, 1)} if v0 else {}
    k = KafkaConsumer(bootstrap_servers=setup().bootstrap, group_id=group,
                      enable_auto_commit=False, **kw)
    k.assign([TopicPartition(TOPIC, p) for p in offsets])
    k.commit({TopicPartition(TOPIC, p): OffsetAndMetadata(o, "")
              for p, o in offsets.items()})
    k.close()


def table(out):
    """The non-empty lines of a table split on whitespace."""
    return [ln.split() for ln in out.splitlines() if ln.strip()]


def active_member():
    """A kafka-python member of g-active owning both partitions, with
    commits at 3 and 5, paused (its heartbeat thread keeps it in)."""
    if "k" in S:
        return S["k"]
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    setup()
    k = KafkaConsumer(TOPIC, bootstrap_servers=setup().bootstrap,
                      group_id="g-active", enable_auto_commit=False,
                      client_id="cg-client", auto_offset_reset="earliest")
    deadline = time.monotonic() + T(30)
    while not k.assignment() and time.monotonic() < deadline:
        k.poll(timeout_ms=100)
    assert_eq(len(k.assignment()), 2, "member owns both partitions")
    k.pause(*k.assignment())
    k.commit({TopicPartition(TOPIC, 0): OffsetAndMetadata(3, ""),
              TopicPartition(TOPIC, 1): OffsetAndMetadata(5, "")})
    S["k"] = k
    return k


@suite.test("--describe: CURRENT-OFFSET, LOG-END-OFFSET, LAG and the "
            "member of a group with a paused member, Kafka's layout")
def t_describe():
    active_member()
    rc, out, err = boot("--describe", "--group", "g-active")
    assert_eq(rc, 0, "exit status; stderr %r" % err)
    lines = out.splitlines()
    assert_eq(lines[0], "", "blank line before the table")
    rows = table(out)
    assert_eq(rows[0], ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET",
                        "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
                        "CLIENT-ID"], "header")
    got = sorted((r[2], r[3], r[4], r[5], r[8]) for r in rows[1:])
    assert_eq(got, [("0", "3", "5", "2", "cg-client"),
                    ("1", "5", "5", "0", "cg-client")], "rows")
    member = rows[1][6]
    assert_eq(member.startswith("cg-client-"), True, "member id %r" % member)
    # Kafka's widths: group/topic 15 wide (longer values widen them)
    w = max(15, len(member))
    want = "%-15s %-15s %-10s %-15s %-15s %-15s %-*s %-15s %s" % (
        "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
        "LAG", w, "CONSUMER-ID", "HOST", "CLIENT-ID")
    assert_eq(lines[1], want, "header layout")


@suite.test("--list names the group; --all-groups describes it")
def t_list():
    active_member()
    rc, out, _ = boot("--list")
    assert_eq("g-active" in out.splitlines(), True, "listed: %r" % out)
    rc, out, _ = boot("--describe", "--all-groups")
    assert_eq(any(r[0] == "g-active" for r in table(out)), True,
              "--all-groups rows: %r" % out)


@suite.test("--members [--verbose] and --state")
def t_members_state():
    active_member()
    _, out, _ = boot("--describe", "--group", "g-active", "--members")
    rows = table(out)
    assert_eq(rows[0], ["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID",
                        "#PARTITIONS"], "members header")
    assert_eq((rows[1][0], rows[1][3], rows[1][4]),
              ("g-active", "cg-client", "2"), "member row")
    _, out, _ = boot("--describe", "--group", "g-active", "--members",
                     "--verbose")
    rows = table(out)
    assert_eq(rows[0][-1], "ASSIGNMENT", "verbose header")
    assert_eq(rows[1][-1], "%s(0,1)" % TOPIC, "assignment column")
    _, out, _ = boot("--describe", "--group", "g-active", "--state")
    rows = table(out)
    assert_eq(rows[0], ["GROUP", "COORDINATOR", "(ID)",
                        "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"],
              "state header")
    assert_eq((rows[1][0], rows[1][3], rows[1][4], rows[1][5]),
              ("g-active", "range", "Stable", "1"), "state row")
    assert_eq(re.match(r"127\.0\.0\.1:\d+$", rows[1][1]) is not None, True,
              "coordinator %r" % rows[1][1])


@suite.test("--reset-offsets is refused while the group is Stable")
def t_reset_refused():
    active_member()
    rc, out, _ = boot("--reset-offsets", "--group", "g-active", "--topic",
                      TOPIC, "--to-earliest", "--execute", check=False)
    assert_eq("Error: Assignments can only be reset if the group "
              "'g-active' is inactive, but the current state is Stable."
              in out, True, "refusal: %r" % out)
    assert_eq(committed("g-active"), [3, 5], "offsets unchanged")


@suite.test("after the member leaves: Empty, rows without consumer")
def t_empty():
    k = active_member()
    k.close()
    S.pop("k")
    deadline = time.monotonic() + T(20)
    out = ""
    while time.monotonic() < deadline:
        _, out, _ = boot("--describe", "--group", "g-active", "--state")
        if "Empty" in out:
            break
        time.sleep(0.2)
    # an Empty group has no assignment strategy: that column is blank
    assert_eq(table(out)[1][-2:], ["Empty", "0"], "state after leaving")
    rc, out, err = boot("--describe", "--group", "g-active")
    assert_eq(err.strip(), "Consumer group 'g-active' has no active "
              "members.", "stderr")
    got = sorted((r[2], r[3], r[5], r[6], r[7], r[8])
                 for r in table(out)[1:])
    assert_eq(got, [("0", "3", "2", "-", "-", "-"),
                    ("1", "5", "0", "-", "-", "-")], "rows")


def reset(*args):
    return boot("--reset-offsets", "--group", "g-active", *args)


@suite.test("--reset-offsets: --dry-run plans, --execute commits")
def t_reset():
    setup()
    if "k" in S:
        t_empty()
    rc, out, err = reset("--topic", TOPIC, "--to-earliest")
    assert_eq("WARN: No action will be performed" in err, True,
              "dry-run warning")
    rows = table(out)
    assert_eq(rows[0], ["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"],
              "plan header")
    assert_eq(out.splitlines()[1], "%-30s %-30s %-10s %-15s" % (
        "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"), "plan layout")
    assert_eq(rows[1:], [["g-active", TOPIC, "0", "0"],
                         ["g-active", TOPIC, "1", "0"]], "plan")
    assert_eq(committed("g-active"), [3, 5], "dry run changes nothing")
    reset("--topic", TOPIC, "--to-earliest", "--execute")
    assert_eq(committed("g-active"), [0, 0], "--to-earliest")
    reset("--topic", "%s:1" % TOPIC, "--shift-by", "2", "--execute")
    assert_eq(committed("g-active"), [0, 2], "--shift-by on partition 1")
    _, out, _ = reset("--all-topics", "--to-offset", "100", "--execute")
    assert_eq(committed("g-active"), [5, 5], "--to-offset clamped to end")
    reset("--all-topics", "--to-offset", "4", "--execute")
    assert_eq(committed("g-active"), [4, 4], "--to-offset")
    reset("--all-topics", "--shift-by", "-10", "--execute")
    assert_eq(committed("g-active"), [0, 0], "--shift-by clamped to start")
    reset("--all-topics", "--to-latest", "--execute")
    assert_eq(committed("g-active"), [5, 5], "--to-latest")
    reset("--all-topics", "--to-datetime", "2000-01-01T00:00:00.000",
          "--execute")
    assert_eq(committed("g-active"), [0, 0], "--to-datetime in the past")
    reset("--all-topics", "--by-duration", "PT0S", "--execute")
    assert_eq(committed("g-active"), [5, 5], "--by-duration PT0S: the end")
    reset("--all-topics", "--by-duration", "P1DT1H", "--execute")
    assert_eq(committed("g-active"), [0, 0], "--by-duration a day back")
    _, out, _ = reset("--all-topics", "--to-current")
    assert_eq(table(out)[1:], [["g-active", TOPIC, "0", "0"],
                               ["g-active", TOPIC, "1", "0"]],
              "--to-current plan")


@suite.test("--delete: an empty group goes; again: GroupIdNotFound")
def t_delete():
    setup()
    commit("g-del", {0: 1})
    _, out, _ = boot("--delete", "--group", "g-del")
    assert_eq(out, "Deletion of requested consumer groups ('g-del') was "
              "successful.\n", "delete output")
    _, out, _ = boot("--list")
    assert_eq("g-del" in out.splitlines(), False, "gone from --list")
    rc, out, _ = boot("--delete", "--group", "g-del", check=False)
    assert_eq(out.splitlines()[1:3],
              ["Error: Deletion of some consumer groups failed:",
               "* Group 'g-del' could not be deleted due to: "
               "java.util.concurrent.ExecutionException: "
               "org.apache.kafka.common.errors.GroupIdNotFoundException: "
               "The group id does not exist."], "second delete")
    rc, out, _ = boot("--describe", "--group", "g-del", check=False)
    assert_eq(out, "\nError: Consumer group 'g-del' does not exist.\n",
              "describe of a deleted group")


@suite.test("--delete-offsets (OffsetDelete); --reset-offsets --export "
            "and --from-file")
def t_delete_offsets_export():
    setup()
    commit("g-od", {0: 1, 1: 2})
    _, out, _ = boot("--delete-offsets", "--group", "g-od", "--topic",
                     "%s:0" % TOPIC)
    assert_eq(out, "Request succeed for deleting offsets with topic %s:0 "
              "group g-od\n\n%-30s %-15s %-15s\n%-30s %-15s %-15s\n" % (
                  TOPIC, "TOPIC", "PARTITION", "STATUS", TOPIC, "0",
                  "Successful"), "delete-offsets output")
    assert_eq(committed("g-od"), [None, 2], "partition 0's offset gone")
    _, out, _ = boot("--delete-offsets", "--group", "g-od", "--topic",
                     "nosuch")
    assert_eq(out.splitlines()[1], "Error: Encounter some partition level "
              "error, see the follow-up details:", "unknown topic")
    assert_eq(table(out)[-1][:3], ["nosuch", "Not", "Provided"],
              "the topic's row")
    _, out, _ = boot("--reset-offsets", "--group", "g-od", "--all-topics",
                     "--to-offset", "1", "--export", "--dry-run")
    assert_eq(out, "%s,1,1\n\n" % TOPIC, "--export CSV")
    # --from-file takes the CSV back (the old 3-field and the group form)
    path = os.path.join(suite.tmp, "plan.csv")
    with open(path, "w") as f:
        f.write("%s,0,2\n%s,1,3\n" % (TOPIC, TOPIC))
    boot("--reset-offsets", "--group", "g-od", "--from-file", path,
         "--execute")
    assert_eq(committed("g-od"), [2, 3], "--from-file, 3 fields")
    with open(path, "w") as f:
        f.write("g-od,%s,0,4\nother,%s,1,0\n" % (TOPIC, TOPIC))
    boot("--reset-offsets", "--group", "g-od", "--from-file", path,
         "--execute")
    assert_eq(committed("g-od"), [4, 3], "--from-file, group lines")


@suite.test("--zookeeper: list, describe (v0 commits, owners, idle "
            "member), reset, delete")
def t_zookeeper():
    c = setup()
    zk = c.kazoo()
    commit("gz", {0: 2, 1: 4}, v0=True)
    zk.create("/consumers/gz-live/offsets/%s/0" % TOPIC, b"1",
              makepath=True)
    zk.create("/consumers/gz-live/ids/cons1",
              b'{"version":1,"subscription":{"%s":1},"pattern":"static",'
              b'"timestamp":"1"}' % TOPIC.encode(), makepath=True)
    zk.create("/consumers/gz-live/owners/%s/0" % TOPIC, b"cons1-0",
              makepath=True)
    zk.create("/consumers/gz-live/ids/cons2",
              b'{"version":1,"subscription":{"%s":1},"pattern":"static",'
              b'"timestamp":"1"}' % TOPIC.encode(), makepath=True)
    _, out, err = zkmode("--list")
    assert_eq(["gz", "gz-live"], [g for g in out.split() if
                                  g.startswith("gz")], "listed")
    assert_eq("Note: This will only show information about consumers that "
              "use ZooKeeper" in err, True, "the 1.x note")
    _, out, _ = zkmode("--describe", "--group", "gz")
    rows = table(out)
    assert_eq(rows[0], ["TOPIC", "PARTITION", "CURRENT-OFFSET",
                        "LOG-END-OFFSET", "LAG", "CONSUMER-ID"], "header")
    assert_eq(rows[1:], [[TOPIC, "0", "2", "5", "3", "-"],
                         [TOPIC, "1", "4", "5", "1", "-"]], "gz rows")
    _, out, _ = zkmode("--describe", "--group", "gz-live")
    assert_eq("Could not fetch offset from zookeeper for group 'gz-live' "
              "partition '[%s,1]'" % TOPIC in out, True, "missing offset")
    rows = [r for r in table(out) if r[0] in (TOPIC, "-")]
    assert_eq(rows, [[TOPIC, "0", "1", "5", "4", "cons1"],
                     [TOPIC, "1", "-", "5", "-", "-"],
                     ["-", "-", "-", "-", "-", "cons2"]], "gz-live rows")
    zkmode("--reset-offsets", "--group", "gz", "--all-topics",
           "--to-earliest", "--execute")
    assert_eq(zk.get("/consumers/gz/offsets/%s/1" % TOPIC)[0], b"0",
              "reset wrote ZooKeeper")
    rc, out, _ = zkmode("--delete", "--group", "gz-live", check=False)
    assert_eq(out, "\nError: Delete for group 'gz-live' failed because its "
              "consumers are still active.\n", "live group refused")
    assert_eq(zk.exists("/consumers/gz-live") is not None, True, "kept")
    # Kafka 1.x's per-topic deletes
    for t in (TOPIC, "other"):
        zk.create("/consumers/gz-t/offsets/%s/0" % t, b"1", makepath=True)
    _, out, _ = zkmode("--delete", "--group", "gz-t", "--topic", TOPIC)
    assert_eq(out, "Deleted consumer group information for group 'gz-t' "
              "topic '%s' in zookeeper.\n" % TOPIC, "delete for a topic")
    assert_eq(zk.get_children("/consumers/gz-t/offsets"), ["other"],
              "only that topic's offsets went")
    _, out, _ = zkmode("--delete", "--group", "gz-live", "--topic", TOPIC,
                       check=False)
    assert_eq(out, "\nError: Delete for group 'gz-live' topic '%s' failed "
              "because its consumers are still active.\n" % TOPIC,
              "per-topic delete refused while members live")
    _, out, _ = zkmode("--delete", "--topic", "other")
    assert_eq(out, "Deleted consumer group information for all inactive "
              "consumer groups for topic 'other' in zookeeper.\n",
              "delete a topic from every group")
    assert_eq(zk.get_children("/consumers/gz-t/offsets"), [],
              "gone from every inactive group")
    _, out, _ = zkmode("--delete", "--group", "gz")
    assert_eq(out, "Deleted all consumer group information for group 'gz' "
              "in zookeeper.\n", "delete output")
    assert_eq(zk.exists("/consumers/gz"), None, "subtree gone")
    rc, out, _ = zkmode("--delete", "--group", "gz", check=False)
    assert_eq(out, "\nError: Delete for group 'gz' failed because group "
              "does not exist.\n", "missing group")


@suite.test("--copy-offsets kafka -> zookeeper and zookeeper -> kafka")
def t_copy():
    c = setup()
    zk = c.kazoo()
    zkc = c.zk.connect(c.chroot)
    commit("g-k2z", {0: 1, 1: 2})
    base = ["--copy-offsets", "--bootstrap-server", c.bootstrap,
            "--zookeeper", zkc]
    kcg(*base, "--from", "kafka", "--to", "zookeeper", "--group", "g-k2z")
    assert_eq(zk.exists("/consumers/g-k2z"), None, "dry run wrote nothing")
    _, out, _ = kcg(*base, "--from", "kafka", "--to", "zookeeper",
                    "--group", "g-k2z", "--execute")
    assert_eq(table(out)[1:], [["g-k2z", TOPIC, "0", "1"],
                               ["g-k2z", TOPIC, "1", "2"]], "copy plan")
    assert_eq([zk.get("/consumers/g-k2z/offsets/%s/%d" % (TOPIC, p))[0]
               for p in (0, 1)], [b"1", b"2"], "offsets in ZooKeeper")
    # zookeeper -> kafka: afterwards the Kafka store answers, so a later
    # ZooKeeper change no longer shows through OffsetFetch's fallback
    zk.create("/consumers/g-z2k/offsets/%s/0" % TOPIC, b"3", makepath=True)
    zk.create("/consumers/g-z2k/offsets/%s/1" % TOPIC, b"4", makepath=True)
    kcg(*base, "--from", "zookeeper", "--to", "kafka", "--group", "g-z2k",
        "--execute")
    zk.set("/consumers/g-z2k/offsets/%s/0" % TOPIC, b"1")
    zk.set("/consumers/g-z2k/offsets/%s/1" % TOPIC, b"1")
    assert_eq(committed("g-z2k"), [3, 4], "copied into Kafka")


def copy_refused(base):
    _, out, _ = kcg(*base, check=False)
    return "offsets.storage=zookeeper" in out


@suite.test("--copy-offsets zookeeper -> kafka is refused while the "
            "coordinator's offsets.storage is zookeeper")
def t_copy_storage():
    c = setup()
    zkc = c.zk.connect(c.chroot)
    kc = os.path.join(BIN, "kafka-configs.sh")
    base = ["--copy-offsets", "--bootstrap-server", c.bootstrap,
            "--zookeeper", zkc, "--from", "zookeeper", "--to", "kafka",
            "--group", "g-z2k"]
    assert_eq(copy_refused(base), False, "accepted with offsets.storage "
              "kafka")
    cfg = [kc, "--zookeeper", zkc, "--entity-type", "brokers",
           "--entity-default", "--alter"]
    harness.run(cfg + ["--add-config", "offsets.storage=zookeeper"], 60,
                env=env())
    try:
        harness.wait_for(lambda: copy_refused(base), 20,
                         "the copy refused under offsets.storage=zookeeper",
                         0.2)
    finally:
        harness.run(cfg + ["--delete-config", "offsets.storage"], 60,
                    env=env())
    harness.wait_for(lambda: not copy_refused(base), 20,
                     "the copy accepted again", 0.2)


@suite.test("usage errors (no action, missing scope, two scenarios); "
            "no broker")
def t_usage():
    rc, out, err = kcg("--bootstrap-server", "127.0.0.1:1", check=False)
    assert_eq((rc, err.splitlines()[0]),
              (1, "Command must include exactly one action: --list, "
               "--describe, --delete, --reset-offsets, --delete-offsets"),
              "no action")
    rc, out, err = kcg("--bootstrap-server", "127.0.0.1:1", "--describe",
                       check=False)
    assert_eq((rc, err.splitlines()[0]),
              (1, "Option [describe] takes one of these options: [group], "
               "[all-groups]"), "describe without group")
    rc, out, err = kcg("--bootstrap-server", "127.0.0.1:1",
                       "--reset-offsets", "--group", "g", "--to-earliest",
                       "--to-latest", check=False)
    assert_eq(rc, 1, "two scenarios")
    assert_eq("can't be used with option" in err, True, "%r" % err)
    rc, out, err = kcg("--bootstrap-server", "127.0.0.1:1", "--list",
                       "--bogus", check=False)
    assert_eq((rc, err), (1, "Exception in thread \"main\" joptsimple."
                          "UnrecognizedOptionException: bogus is not a "
                          "recognized option\n"), "unknown option")
    rc, out, err = kcg("--bootstrap-server", "127.0.0.1:1", "--list",
                       "--timeout", "300", check=False)
    assert_eq((rc, out), (0, "\nError: Executing consumer group command "
                          "failed due to org.apache.kafka.common.errors."
                          "TimeoutException: Timed out waiting for a node "
                          "assignment.\n"), "no broker: Kafka's timeout")
    assert_eq("Connection refused" in err, True, "the cause: %r" % err)


if __name__ == "__main__":
    suite.main(modules=("kazoo", "kafka", "confluent_kafka"))

#!/usr/bin/python3
"""test_config.py: server.properties as Kafka users write it, and SIGTERM.

  * Kafka's shipped server.properties (t/data/kafka-server.properties, and
    the 0.8 one with its port=9092) start samsa with only zookeeper.connect,
    log.dirs and listeners overridden on the command line (--override, as
    kafka-server-start.sh passes them), and the broker serves;
  * an unknown key is a WARN naming it, and the broker runs;
  * a bad value is an error naming key, value and line; exit non-zero;
  * SIGTERM: exit 0, /brokers/ids/<id> gone at once (the session is
    closed, not left to expire), and the next start logs "clean shutdown:
    no recovery" and still has the data.
"""

import os
import shutil
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq    # noqa: E402
import clients                      # noqa: E402
from clients import Rec             # noqa: E402

suite = harness.Suite("config")
DATA = os.path.join(harness.SRCDIR, "t", "data")


def shipped_file(name, script=False):
    c = suite.cluster(name=name.replace(".", "_").replace("-", "_") +
                      ("_script" if script else ""), brokers=0)
    b = c.add_broker()
    src = os.path.join(DATA, name)
    b.write_props = lambda: shutil.copy(src, b.props_path)
    prog, env = None, None
    if script:
        # bin/kafka-server-start.sh finds the build through samsa-env.sh
        # and execs the broker (so its pid is the broker's)
        prog = os.path.join(harness.SRCDIR, "bin", "kafka-server-start.sh")
        env = {"SAMSA_BUILD_DIR": os.path.dirname(os.path.dirname(
            harness.find_server()))}
    b.launch(prog=prog, env=env, extra_args=[
        "--override", "zookeeper.connect=" + c.zk.connect(c.chroot),
        "--override", "log.dirs=" + os.path.join(b.dir, "data"),
        "--override", "listeners=PLAINTEXT://127.0.0.1:0"])
    b.wait_registered()
    cl = clients.KafkaPython(b.bootstrap)
    offs = cl.produce("shipped", [Rec(b"k", b"v")])
    assert_eq(cl.consume("shipped", 0, offs[0], 1)[0].value, b"v",
              "read back")
    if "WARN" in "".join(ln for ln in b.log().splitlines()
                         if "Unknown" in ln or "unknown" in ln):
        raise AssertionError("a key of Kafka's own file was reported "
                             "unknown")
    assert_eq(b.stop(), 0, "exit status after SIGTERM")


@suite.test("Kafka's shipped server.properties starts samsa "
            "(3 keys overridden)")
def kafka_properties():
    shipped_file("kafka-server.properties")


@suite.test("bin/kafka-server-start.sh with Kafka's server.properties and "
            "--override starts samsa; SIGTERM stops it")
def kafka_server_start_sh():
    shipped_file("kafka-server.properties", script=True)


@suite.test("Kafka 0.8's server.properties (port=9092) starts samsa "
            "(3 keys overridden)")
def kafka08_properties():
    shipped_file("kafka-0.8-server.properties")


@suite.test("an unknown key: a WARN naming it, the broker runs")
def unknown_key():
    c = suite.cluster(name="unknown", brokers=0)
    b = c.add_broker({"samsa.no.such.key": "42"})
    b.start()
    b.wait_log(r"WARN .*samsa\.no\.such\.key", 10)
    cl = clients.KafkaPython(b.bootstrap)
    cl.produce("u", [Rec(None, b"x")])
    assert_eq(b.stop(), 0, "exit status after SIGTERM")


@suite.test("a bad value: an error naming key, value and line, exit "
            "non-zero")
def bad_value():
    c = suite.cluster(name="badvalue", brokers=0)
    b = c.add_broker({"num.io.threads": "many"})
    p = b.launch()
    rc = p.wait(T(20))
    if rc == 0:
        raise AssertionError("exit status 0 with num.io.threads=many")
    line = list(b.props).index("num.io.threads") + 2   # after the comment
    errs = [ln for ln in b.log().splitlines() if "ERROR" in ln]
    ok = [ln for ln in errs if "num.io.threads" in ln and "many" in ln and
          ("line %d" % line in ln or ":%d" % line in ln)]
    if not ok:
        raise AssertionError("no ERROR naming num.io.threads, 'many' and "
                             "line %d: %r" % (line, errs))
    print("# " + ok[0][:200])


@suite.test("SIGTERM: exit 0, registration gone, restart logs "
            "\"clean shutdown: no recovery\" and keeps the data")
def sigterm():
    c = suite.cluster(name="sigterm")
    b = c.brokers[0]
    cl = clients.KafkaPython(b.bootstrap)
    offs = cl.produce("kept", [Rec(b"k%d" % i, b"v%d" % i)
                               for i in range(5)])
    assert_eq(b.stop(), 0, "exit status after SIGTERM")
    assert_eq(b.registration(), None, "/brokers/ids/0 right after exit")
    mark = b.log_mark()
    b.start()
    b.wait_log(r"clean shutdown: no recovery", 10, mark)
    got = clients.KafkaPython(b.bootstrap).consume("kept", 0, 0, 5)
    assert_eq([(r.offset, r.value) for r in got],
              [(o, b"v%d" % i) for i, o in enumerate(offs)],
              "records after the restart")


if __name__ == "__main__":
    suite.main(modules=("kazoo", "kafka"))

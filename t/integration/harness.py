"""harness.py: ZooKeeper, brokers and TAP output for samsa's integration tests.

Each t/integration/test_*.py is one TAP program (automake runs it under
tap-driver.sh, like the unit tests).  It builds a Suite, registers its test
functions in order with @suite.test("name"), and calls suite.main().  The
suite owns one throw-away ZooKeeper (t/lib/zk.sh, in the suite's own temp
dir, on a free loopback port); each Cluster gets its own ZooKeeper chroot
and its brokers are samsa-server processes listening on port 0.  A broker
is ready when /brokers/ids/<id> appears in its chroot; the real port is
read from that znode.

Rules every test follows (STYLE.md section 10):
  * every wait is a bounded poll: wait_for(pred, seconds, what), with the
    seconds scaled by SAMSA_TEST_TIMEOUT_MULT;
  * every process started here is killed on exit, on an exception and on
    SIGTERM/SIGINT/SIGHUP; brokers also get PR_SET_PDEATHSIG so a harness
    killed with SIGKILL takes them along, and zk.sh's watchdog does the
    same for ZooKeeper;
  * on a failed test every broker log of the suite is printed as TAP
    diagnostics.

Knobs (environment):
  SAMSA_TEST_TIMEOUT_MULT=N  scale every timeout (slow or sanitizer builds)
  SAMSA_TEST_CATLOG=1        print the broker logs after every test
  SAMSA_TEST_LEAVE=1         keep temp dirs and leave processes running
  SAMSA_TEST_REQUIRE_ZK=1    a missing dependency fails instead of skipping
  SAMSA_TEST_ONLY=substr     run only tests whose name contains substr
  SAMSA_SERVER=path          the samsa-server binary to run

The broker binary is $SAMSA_SERVER, else $top_builddir/src/samsa-server
(make check sets top_builddir), else the search order of
bin/samsa-env.sh: $SAMSA_BUILD_DIR, build/release, build/ci, the source
tree itself.

Threads: everything here runs on the test's main thread, except the
clients' own threads (kazoo, librdkafka), which never call back into it.
"""

import atexit
import ctypes
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.path.join(HERE, "..", ".."))
MULT = float(os.environ.get("SAMSA_TEST_TIMEOUT_MULT", "1") or "1")
LEAVE = os.environ.get("SAMSA_TEST_LEAVE", "0") not in ("", "0")
CATLOG = os.environ.get("SAMSA_TEST_CATLOG", "0") not in ("", "0")
REQUIRE = os.environ.get("SAMSA_TEST_REQUIRE_ZK", "0") not in ("", "0")
ONLY = os.environ.get("SAMSA_TEST_ONLY", "")


# kazoo reports every reconnection (a broker restart, a chroot that the
# broker has not created yet) on stderr; the tests look at ZooKeeper
# themselves
logging.getLogger("kazoo").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", message="No chroot path exists")


def T(seconds):
    """A timeout of `seconds`, scaled by SAMSA_TEST_TIMEOUT_MULT."""
    return seconds * MULT


class Skip(Exception):
    """Raised by a test (or the set-up) that cannot run here."""


class WaitTimeout(AssertionError):
    pass


class Fatal(AssertionError):
    """Raised by a wait_for predicate: stop waiting, fail now."""


def wait_for(pred, seconds, what, interval=0.05):
    """Poll pred() until it returns a true value (returned) or T(seconds)
    pass (WaitTimeout naming `what` and the last exception pred raised)."""
    deadline = time.monotonic() + T(seconds)
    last = None
    while True:
        try:
            v = pred()
            if v:
                return v
        except Fatal:
            raise
        except Exception as e:   # noqa: BLE001 -- reported below
            last = e
        if time.monotonic() >= deadline:
            raise WaitTimeout("timed out after %.1fs waiting for %s%s" %
                              (T(seconds), what,
                               " (last error: %r)" % last if last else ""))
        time.sleep(interval)


def find_server():
    exe = os.environ.get("SAMSA_SERVER")
    if exe:
        return exe
    dirs = []
    if os.environ.get("top_builddir"):
        dirs.append(os.environ["top_builddir"])
    if os.environ.get("SAMSA_BUILD_DIR"):
        dirs.append(os.environ["SAMSA_BUILD_DIR"])
    dirs += [os.path.join(SRCDIR, "build", "release"),
             os.path.join(SRCDIR, "build", "ci"), SRCDIR]
    for d in dirs:
        p = os.path.join(d, "src", "samsa-server")
        if os.access(p, os.X_OK):
            return os.path.abspath(p)
    raise RuntimeError("samsa-server not found (build samsa, or set "
                       "top_builddir / SAMSA_BUILD_DIR / SAMSA_SERVER)")


# ------------------------------------------------------------------ processes

_procs = []            # every Popen started here, for cleanup
_libc = None


def _pdeathsig():
    # runs in the child between fork and exec: die with the harness
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    _libc.prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG


def spawn(argv, log_path=None, env=None, **kw):
    """Start a process we own; output to log_path (or inherited)."""
    out = open(log_path, "ab") if log_path else None
    p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT if out
                         else None, stdin=subprocess.DEVNULL, env=env,
                         preexec_fn=None if LEAVE else _pdeathsig, **kw)
    if out:
        out.close()
    _procs.append(p)
    return p


def reap(p, sig=signal.SIGTERM, seconds=10):
    """Signal p and wait (bounded); SIGKILL if it outlives the wait.
    Returns its exit status (negative signal number if killed)."""
    if p.poll() is None:
        try:
            p.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(T(seconds))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(T(10))
    if p in _procs:
        _procs.remove(p)
    return p.returncode


def run(argv, seconds=60, input=None, check=True, env=None):
    """Run a short-lived client (bounded); returns CompletedProcess."""
    try:
        cp = subprocess.run(argv, input=input, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=T(seconds),
                            env=env, preexec_fn=_pdeathsig)
    except FileNotFoundError:
        if REQUIRE:
            raise
        raise Skip("%s is not installed" % argv[0])
    except subprocess.TimeoutExpired as e:
        raise AssertionError("%s timed out after %.0fs; stderr: %s" %
                             (argv[0], T(seconds),
                              (e.stderr or b"")[-2000:].decode("utf-8",
                                                               "replace")))
    if check and cp.returncode != 0:
        raise AssertionError("%s exited %d; stderr: %s" %
                             (" ".join(argv[:3]), cp.returncode,
                              cp.stderr[-3000:].decode("utf-8", "replace")))
    return cp


def _cleanup():
    if LEAVE:
        for p in _procs:
            if p.poll() is None:
                sys.stderr.write("SAMSA_TEST_LEAVE: pid %d still running: "
                                 "%s\n" % (p.pid, " ".join(p.args)))
        return
    for p in list(_procs):
        reap(p, signal.SIGKILL, 5)


def _on_signal(signum, frame):
    # atexit handlers (cleanup) run on the way out
    sys.exit(128 + signum)


# ------------------------------------------------------------------ ZooKeeper

class ZooKeeper:
    """One standalone ZooKeeper (t/lib/zk.sh) in dir/, port fixed after
    the first start so stop()/start() keeps data and address."""

    def __init__(self, dir):
        self.dir = dir
        self.port = None
        self.zk_sh = os.path.join(SRCDIR, "t", "lib", "zk.sh")

    def start(self):
        # zk.sh's watchdog stops ZooKeeper when its owner dies; with
        # SAMSA_TEST_LEAVE the owner is init, so only the lifetime cap
        # (SAMSA_ZK_MAX_LIFETIME, 30 min) stops it
        env = dict(os.environ, SAMSA_ZK_OWNER_PID="1" if LEAVE
                   else str(os.getpid()),
                   # zk.sh does integer arithmetic with it
                   SAMSA_TEST_TIMEOUT_MULT=str(max(1, int(-(-MULT // 1)))))
        argv = [self.zk_sh, "start", self.dir]
        if self.port:
            argv.append(str(self.port))
        cp = subprocess.run(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env,
                            timeout=T(90))
        if cp.returncode == 77:
            raise Skip(cp.stderr.decode().strip())
        if cp.returncode != 0:
            raise RuntimeError("zk.sh start failed: %s" %
                               cp.stderr.decode()[-3000:])
        self.port = int(cp.stdout.decode().strip().splitlines()[-1])

    def stop(self):
        subprocess.run([self.zk_sh, "stop", self.dir], timeout=T(30))

    def connect(self, chroot=""):
        return "127.0.0.1:%d%s" % (self.port, chroot)

    def client(self, chroot="", timeout=10):
        """A started KazooClient on chroot; caller stops it (or
        leaves it to the suite's cleanup via Suite.kazoo())."""
        from kazoo.client import KazooClient
        zk = KazooClient(hosts=self.connect(chroot), timeout=timeout)
        zk.start(timeout=T(20))
        return zk


# ------------------------------------------------------------------ brokers

class Broker:
    """One samsa-server process.  props are written to server.properties
    in its dir; start() returns once it is registered in ZooKeeper."""

    def __init__(self, cluster, broker_id, props):
        self.cluster = cluster
        self.id = broker_id
        self.dir = os.path.join(cluster.dir, "broker-%d" % broker_id)
        os.makedirs(self.dir, exist_ok=True)
        self.log_path = os.path.join(self.dir, "server.log")
        self.props_path = os.path.join(self.dir, "server.properties")
        self.props = {
            "broker.id": str(broker_id),
            "listeners": "PLAINTEXT://127.0.0.1:0",
            "log.dirs": os.path.join(self.dir, "data"),
            "zookeeper.connect": cluster.zk.connect(cluster.chroot),
            "zookeeper.connection.timeout.ms": "15000",
            "num.network.threads": "2",
            "num.io.threads": "2",
            "log.flush.offset.checkpoint.interval.ms": "1000",
            # as conf/server.properties: a test cluster may have fewer
            # brokers than Kafka's default of 3 offsets replicas
            "offsets.topic.replication.factor": "1",
        }
        self.props.update(props)
        self.proc = None
        self.port = None
        self.session = None     # ZooKeeper session of the registration
        self.starts = 0

    def write_props(self):
        with open(self.props_path, "w") as f:
            f.write("# written by t/integration/harness.py\n")
            for k, v in self.props.items():
                f.write("%s=%s\n" % (k, v))

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_mark(self):
        """Position in the log; pass to log_since() / wait_log()."""
        try:
            return os.path.getsize(self.log_path)
        except FileNotFoundError:
            return 0

    def log_since(self, mark):
        return self.log()[mark:] if mark else self.log()

    def wait_log(self, regex, seconds=20, mark=0):
        r = re.compile(regex)
        return wait_for(lambda: r.search(self.log_since(mark)), seconds,
                        "broker %d to log /%s/" % (self.id, regex))

    def launch(self, extra_args=(), env=None, same_port=True, prog=None):
        """Start the process without waiting for registration.  A restart
        listens on the port the previous start got (clients keep their
        bootstrap address, as with Kafka's fixed ports) unless
        same_port=False."""
        assert self.proc is None or self.proc.poll() is not None
        if same_port and self.port and \
                self.props.get("listeners") == "PLAINTEXT://127.0.0.1:0":
            self.props["listeners"] = "PLAINTEXT://127.0.0.1:%d" % self.port
        self.write_props()
        self.starts += 1
        with open(self.log_path, "ab") as f:
            f.write(("=== harness: start %d of broker %d ===\n" %
                     (self.starts, self.id)).encode())
        self.proc = spawn([prog or find_server(), self.props_path] +
                          list(extra_args), self.log_path,
                          env=dict(os.environ, **(env or {})))
        return self.proc

    def start(self, seconds=30):
        self.launch()
        self.wait_registered(seconds)
        return self

    def registration(self, with_owner=False):
        """The JSON of /brokers/ids/<id> (and its ephemeral owner), or
        None."""
        from kazoo.exceptions import NoNodeError
        zk = self.cluster.kazoo()
        try:
            data, st = zk.get("/brokers/ids/%d" % self.id)
        except NoNodeError:
            return (None, None) if with_owner else None
        reg = json.loads(data)
        return (reg, st.ephemeralOwner) if with_owner else reg

    def wait_unregistered(self, seconds=None):
        """Until /brokers/ids/<id> is gone: after SIGKILL that takes the
        ZooKeeper session timeout, and a broker started before then
        refuses to start (Kafka does the same)."""
        if seconds is None:
            seconds = int(self.props.get("zookeeper.session.timeout.ms",
                                         "18000")) / 1000.0 * 1.5 + 5
        wait_for(lambda: self.registration() is None, seconds,
                 "/brokers/ids/%d to go away" % self.id, 0.1)

    def wait_registered(self, seconds=30):
        def ready():
            if self.proc.poll() is not None:
                raise Fatal("broker %d exited with %d during start-up" %
                            (self.id, self.proc.returncode))
            reg, owner = self.registration(with_owner=True)
            if reg is None or owner == self.session:
                return None     # absent, or a dead process's znode
            self.session = owner
            return reg.get("port")
        self.port = wait_for(ready, seconds,
                             "broker %d to register" % self.id)
        return self.port

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    def stop(self, seconds=30):
        """SIGTERM and wait; returns the exit status."""
        rc = reap(self.proc, signal.SIGTERM, seconds)
        return rc

    def kill(self, wait_unregistered=True):
        """SIGKILL; by default also wait for the registration to expire
        so that start() can follow."""
        rc = reap(self.proc, signal.SIGKILL, 10)
        if wait_unregistered:
            self.wait_unregistered()
        return rc

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


class Cluster:
    def __init__(self, suite, name, props):
        self.suite = suite
        self.zk = suite.zk
        self.name = name
        self.chroot = "/" + name
        self.dir = os.path.join(suite.tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.props = props
        self.brokers = []
        self._kazoo = None

    def add_broker(self, props=None):
        p = dict(self.props)
        p.update(props or {})
        b = Broker(self, len(self.brokers), p)
        self.brokers.append(b)
        return b

    def kazoo(self):
        """A shared KazooClient on this cluster's chroot."""
        if self._kazoo is None or not self._kazoo.connected:
            self._kazoo = self.zk.client(self.chroot)
            self.suite._kazoos.append(self._kazoo)
        return self._kazoo

    @property
    def bootstrap(self):
        return ",".join(b.bootstrap for b in self.brokers if b.port)

    def create_topic(self, name, partitions, rf=1, config=None,
                     seconds=30):
        """Create a topic (confluent-kafka's AdminClient), retried while
        the broker asked does not know enough brokers yet
        (INVALID_REPLICATION_FACTOR right after start-up); then wait for
        its leaders."""
        from confluent_kafka import KafkaException
        from confluent_kafka.admin import AdminClient, NewTopic
        a = AdminClient({"bootstrap.servers": self.bootstrap})
        deadline = time.monotonic() + T(seconds)

        def controller():
            return a.list_topics(timeout=T(5)).controller_id >= 0
        wait_for(controller, seconds, "a controller in the metadata", 0.2)
        while True:
            fs = a.create_topics([NewTopic(name, partitions, rf,
                                           config=config or {})],
                                 operation_timeout=T(20),
                                 request_timeout=T(30))
            try:
                fs[name].result(T(30))
                break
            except KafkaException as e:
                if "INVALID_REPLICATION_FACTOR" not in str(e) or \
                        time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.topic_leader_ready(name, partitions, seconds)

    def partition_state(self, topic, p):
        """The controller's state znode of partition p of topic, parsed:
        {"leader", "leader_epoch", "isr", "controller_epoch", ...}."""
        path = "/brokers/topics/%s/partitions/%d/state" % (topic, p)
        return json.loads(self.kazoo().get(path)[0])

    def topic_leader_ready(self, topic, partitions=1, seconds=20):
        """Wait until every partition of topic has a state znode with a
        live leader (what clients need before producing)."""
        zk = self.kazoo()

        def ready():
            for p in range(partitions):
                path = "/brokers/topics/%s/partitions/%d/state" % (topic, p)
                if not zk.exists(path):
                    return False
                st = json.loads(zk.get(path)[0])
                if st.get("leader", -1) < 0:
                    return False
            return True
        wait_for(ready, seconds, "partition state of %s" % topic)
        # the znode is written before the controller's LeaderAndIsr and
        # UpdateMetadata reach the brokers: also wait until every live
        # broker's Metadata answers with a leader for each partition (an
        # acks=0 record sent earlier is dropped, as with Kafka)
        for b in self.brokers:
            if b.alive():
                wait_for(lambda: self._metadata_ready(b, topic, partitions),
                         seconds, "metadata of %s on broker %d" %
                         (topic, b.id))

    def _metadata_ready(self, broker, topic, partitions):
        from confluent_kafka.admin import AdminClient
        a = AdminClient({"bootstrap.servers": broker.bootstrap})
        try:
            md = a.list_topics(topic, timeout=T(5))
        except Exception:
            return False
        t = md.topics.get(topic)
        if t is None or t.error is not None or \
                len(t.partitions) != partitions:
            return False
        return all(p.leader >= 0 and p.error is None
                   for p in t.partitions.values())


# ------------------------------------------------------------------ the suite

def _one_line(e):
    """The failure's reason for the TAP line itself: the driver copies that
    line to the console, so a CI run that shows only the FAIL lines still
    says why.  '#' would start a TAP directive; the line stays short."""
    text = "%s: %s" % (type(e).__name__, e)
    text = " ".join(text.split()).replace("#", "No.")
    return text if len(text) <= 240 else text[:237] + "..."


class Suite:
    def __init__(self, name):
        self.name = name
        self.tests = []
        self.zk = None
        self.tmp = None
        self.clusters = []
        self._kazoos = []
        self.timings = []

    def test(self, name, todo=None):
        """Register fn as test `name`.  todo="why": a known gap; TAP's
        TODO directive makes a failure expected (XFAIL) and a pass
        unexpected (XPASS, which fails the suite: drop the todo then)."""
        def deco(fn):
            self.tests.append((name + (" # TODO %s" % todo if todo else ""),
                               fn))
            return fn
        return deco

    def cluster(self, name=None, brokers=1, props=None, start=True):
        """A new cluster in its own chroot with `brokers` brokers."""
        name = name or "c%d" % (len(self.clusters) + 1)
        c = Cluster(self, name, dict(props or {}))
        self.clusters.append(c)
        for _ in range(brokers):
            b = c.add_broker()
            if start:
                b.start()
        return c

    def _need_modules(self, modules):
        missing = []
        for m in modules:
            try:
                __import__(m)
            except ImportError:
                missing.append(m)
        return missing

    def _print_logs(self, always=False):
        for c in self.clusters:
            for b in c.brokers:
                text = b.log()
                lines = text.splitlines()
                # the configuration dump is long and rarely the point
                lines = [ln for ln in lines if not ln.startswith("\t")]
                if not always and len(lines) > 300:
                    print("# --- broker %s/%d log (last 300 of %d lines, "
                          "%s) ---" % (c.name, b.id, len(lines), b.log_path))
                    lines = lines[-300:]
                else:
                    print("# --- broker %s/%d log (%s) ---" %
                          (c.name, b.id, b.log_path))
                for ln in lines:
                    print("#   " + ln)

    def main(self, modules=("kazoo",)):
        """Run every registered test; print TAP; exit."""
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, _on_signal)
        atexit.register(self._teardown)
        missing = self._need_modules(modules)
        if missing:
            msg = "python modules missing: %s (Debian: python3-%s)" % (
                ", ".join(missing), " python3-".join(missing))
            if REQUIRE:
                print("Bail out! " + msg)
                sys.exit(1)
            print("1..0 # SKIP " + msg)
            sys.exit(0)
        tests = [(n, f) for n, f in self.tests if ONLY in n]
        self.tmp = tempfile.mkdtemp(prefix="samsa-it-%s-" % self.name)
        self.zk = ZooKeeper(os.path.join(self.tmp, "zk"))
        try:
            self.zk.start()
        except Skip as e:
            if REQUIRE:
                print("Bail out! %s" % e)
                sys.exit(1)
            print("1..0 # SKIP %s" % e)
            sys.exit(0)
        print("1..%d" % len(tests))
        sys.stdout.flush()
        failed = 0
        for i, (name, fn) in enumerate(tests, 1):
            t0 = time.monotonic()
            try:
                fn()
                status, diag = "ok", []
            except Skip as e:
                status, diag = "ok", []
                name = "%s # SKIP %s" % (name, e)
            except Exception as e:   # noqa: BLE001 -- every failure is reported
                status = "not ok"
                diag = traceback.format_exc().splitlines()
                if " # TODO " not in name:
                    failed += 1
                    name = "%s -- %s" % (name, _one_line(e))
            dt = time.monotonic() - t0
            self.timings.append((name, dt))
            print("%s %d - %s" % (status, i, name))
            print("# %.1fs" % dt)
            for ln in diag:
                print("# " + ln)
            if (status != "ok" and " # TODO " not in name) or CATLOG:
                self._print_logs(always=CATLOG)
            sys.stdout.flush()
        sys.exit(1 if failed else 0)

    def _teardown(self):
        for zk in self._kazoos:
            try:
                zk.stop()
                zk.close()
            except Exception:   # noqa: BLE001 -- best effort on exit
                pass
        _cleanup()
        if LEAVE:
            if self.tmp:
                sys.stderr.write("SAMSA_TEST_LEAVE: kept %s (ZooKeeper on "
                                 "port %s)\n" % (self.tmp, self.zk and
                                                 self.zk.port))
            return
        if self.zk and self.zk.port:
            self.zk.stop()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ------------------------------------------------------------------ helpers

def tool_env():
    """The environment for bin/ scripts: they find the build under test
    through SAMSA_BUILD_DIR (make check sets top_builddir)."""
    e = dict(os.environ)
    if os.environ.get("top_builddir"):
        e["SAMSA_BUILD_DIR"] = os.path.abspath(os.environ["top_builddir"])
    return e


def assert_eq(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))

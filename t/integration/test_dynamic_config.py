#!/usr/bin/python3
"""test_dynamic_config.py: dynamic broker configs, live and at start.

  * bin/kafka-configs.sh --zookeeper changes the cluster default
    offsets.storage: the broker answers DescribeConfigs for its broker
    resource with the new value and source DYNAMIC_DEFAULT_BROKER_CONFIG,
    without a restart;
  * a value for another broker id (/config/brokers/7) changes nothing
    here; one for this broker (DYNAMIC_BROKER_CONFIG) wins over the
    default, and deleting it falls back to the default;
  * a broker that was down during a change loads it when it starts again
    (the notification is not replayed: the entities are read).

One broker: DescribeConfigs of a broker resource goes to that broker
(the AdminClient routes it by id), and a cluster whose brokers all learn
of each other needs the inter-broker control channel (issue 4).
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                      # noqa: E402
from harness import T, assert_eq, wait_for     # noqa: E402

suite = harness.Suite("dynamic_config")
S = {}


def cluster():
    if "c" not in S:
        S["c"] = suite.cluster(brokers=1)
    return S["c"]


def configs(c, *args):
    """Run bin/kafka-configs.sh --zookeeper <cluster> args; stdout."""
    env = dict(os.environ, SAMSA_BUILD_DIR=os.path.dirname(os.path.dirname(
        harness.find_server())))
    cp = harness.run([os.path.join(harness.SRCDIR, "bin",
                                   "kafka-configs.sh"),
                      "--zookeeper", c.zk.connect(c.chroot)] + list(args),
                     env=env)
    return cp.stdout.decode()


def broker_value(c, broker_id, key):
    """(value, source name) of key in broker broker_id's own answer."""
    from confluent_kafka.admin import AdminClient, ConfigResource, \
        ConfigSource
    a = AdminClient({"bootstrap.servers": c.bootstrap})
    res = ConfigResource("broker", str(broker_id))
    got = a.describe_configs([res], request_timeout=T(15))[res].result(
        timeout=T(20))
    e = got[key]
    return e.value, ConfigSource(e.source).name


def wait_value(c, broker_id, key, want):
    wait_for(lambda: broker_value(c, broker_id, key) == want, T(15),
             "broker %d: %s = %r" % (broker_id, key, want), interval=0.2)


@suite.test("a cluster-default change reaches the broker live")
def default_live():
    c = cluster()
    assert_eq(broker_value(c, 0, "offsets.storage"),
              ("kafka", "DEFAULT_CONFIG"), "before")
    out = configs(c, "--entity-type", "brokers", "--entity-default",
                  "--alter", "--add-config", "offsets.storage=zookeeper")
    assert_eq(out.splitlines()[-1],
              "Completed updating config for entity: default brokers.",
              "kafka-configs.sh output")
    wait_value(c, 0, "offsets.storage",
               ("zookeeper", "DYNAMIC_DEFAULT_BROKER_CONFIG"))


@suite.test("another broker's value is ignored; this broker's wins over "
            "the default")
def per_broker():
    c = cluster()
    configs(c, "--entity-type", "brokers", "--entity-name", "7", "--alter",
            "--add-config", "offsets.storage=dual")
    configs(c, "--entity-type", "brokers", "--entity-name", "0", "--alter",
            "--add-config", "log.retention.ms=7200000")
    # notifications are handled in order: once the second shows, the
    # first has been handled (and ignored)
    wait_value(c, 0, "log.retention.ms",
               ("7200000", "DYNAMIC_BROKER_CONFIG"))
    assert_eq(broker_value(c, 0, "offsets.storage"),
              ("zookeeper", "DYNAMIC_DEFAULT_BROKER_CONFIG"),
              "broker 0 ignores /config/brokers/7")
    configs(c, "--entity-type", "brokers", "--entity-name", "0", "--alter",
            "--add-config", "offsets.storage=dual")
    wait_value(c, 0, "offsets.storage", ("dual", "DYNAMIC_BROKER_CONFIG"))
    configs(c, "--entity-type", "brokers", "--entity-name", "0", "--alter",
            "--delete-config", "offsets.storage,log.retention.ms")
    wait_value(c, 0, "offsets.storage",
               ("zookeeper", "DYNAMIC_DEFAULT_BROKER_CONFIG"))


@suite.test("a broker down during a change loads it when it starts")
def loaded_at_start():
    c = cluster()
    b = c.brokers[0]
    assert_eq(b.stop(), 0, "exit status")
    configs(c, "--entity-type", "brokers", "--entity-default", "--alter",
            "--add-config", "offsets.storage=dual,log.retention.ms=3600000")
    b.start()
    # the first DescribeConfigs may time out while the client's connection
    # to the restarted broker is still backing off: retried, bounded; a
    # wrong value is never accepted
    got = {}

    def answered():
        got["v"] = broker_value(c, 0, "offsets.storage")
        return True
    wait_for(answered, T(45), "DescribeConfigs from the restarted broker",
             interval=0.5)
    assert_eq(got["v"], ("dual", "DYNAMIC_DEFAULT_BROKER_CONFIG"),
              "offsets.storage after the restart")
    assert_eq(broker_value(c, 0, "log.retention.ms"),
              ("3600000", "DYNAMIC_DEFAULT_BROKER_CONFIG"),
              "log.retention.ms after the restart")


if __name__ == "__main__":
    suite.main(modules=("kazoo", "confluent_kafka"))

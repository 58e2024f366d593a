#!/usr/bin/python3
"""configs_client.py: the confluent-kafka side of t/tools/test_configs.sh.

  configs_client.py BOOTSTRAP describe TYPE NAME KEY
      print "<value> <SOURCE>" of KEY in the DescribeConfigs answer for the
      resource (TYPE topic or broker; NAME "" is the cluster default)
  configs_client.py BOOTSTRAP produce TOPIC N SIZE
      produce N messages of SIZE bytes with acks=all, one at a time
      (each its own batch, so segment rolls are deterministic); exit 1 if
      any delivery fails
  configs_client.py BOOTSTRAP produce-one TOPIC SIZE
      produce one message of SIZE bytes with acks=all and no retries;
      print the delivery error's name, or "ok"
  configs_client.py java-order K1 K2 ...
      the keys in the order a Java 11 java.util.Properties iterates them
      (ConcurrentHashMap buckets), an independent check of samsa-configs

Every call is bounded by timeouts; errors go to stderr with exit 1.
"""
import sys


def java_hash(s):
    h = 0
    data = s.encode('utf-16-be')        # Java hashes UTF-16 code units
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h


def java_order(keys):
    cap = 16
    while len(keys) >= cap - cap // 4:
        cap *= 2

    def bucket(k):
        h = java_hash(k)
        return ((h ^ (h >> 16)) & 0x7FFFFFFF) & (cap - 1)
    return sorted(keys, key=bucket)     # stable: insertion order in a bin


def describe(bs, rtype, name, key):
    from confluent_kafka.admin import AdminClient, ConfigResource
    a = AdminClient({'bootstrap.servers': bs})
    res = ConfigResource(rtype, name)
    fut = a.describe_configs([res], request_timeout=15)[res]
    cfg = fut.result(timeout=20)
    e = cfg.get(key)
    if e is None:
        print('absent')
        return 0
    src = e.source
    from confluent_kafka.admin import ConfigSource
    print('%s %s' % (e.value, ConfigSource(src).name))
    return 0


def produce(bs, topic, n, size):
    from confluent_kafka import Producer
    p = Producer({'bootstrap.servers': bs, 'acks': 'all', 'linger.ms': 0,
                  'batch.num.messages': 1, 'message.timeout.ms': 20000})
    errs = []

    def cb(err, msg):
        if err is not None:
            errs.append(err)
    for i in range(n):
        p.produce(topic, b'x' * size, callback=cb)
        p.flush(20)
    if p.flush(20) != 0 or errs:
        sys.stderr.write('produce failed: %r\n' % errs[:3])
        return 1
    return 0


def produce_one(bs, topic, size):
    from confluent_kafka import Producer
    p = Producer({'bootstrap.servers': bs, 'acks': 'all', 'retries': 0,
                  'message.timeout.ms': 10000})
    res = []
    p.produce(topic, b'y' * size,
              callback=lambda err, msg: res.append(err))
    p.flush(15)
    if not res:
        sys.stderr.write('no delivery report\n')
        return 1
    print('ok' if res[0] is None else res[0].name())
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == 'java-order':
        print(' '.join(java_order(argv[2:])))
        return 0
    bs, cmd = argv[1], argv[2]
    if cmd == 'describe':
        return describe(bs, argv[3], argv[4], argv[5])
    if cmd == 'produce-one':
        return produce_one(bs, argv[3], int(argv[4]))
    if cmd == 'produce':
        return produce(bs, argv[3], int(argv[4]), int(argv[5]))
    sys.stderr.write('usage: see the header\n')
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/env bash
# kafka-consumer-offset-checker.sh: Kafka 0.8's kafka.tools.
# ConsumerOffsetChecker - per partition of a group's topics, its offset
# committed in ZooKeeper, the log size at the partition's leader, the lag
# and the owning consumer.  It runs samsa-consumer-offset-checker
# (src/tools/samsa-consumer-offset-checker.c); see
# man kafka-consumer-offset-checker.sh.
#   kafka-consumer-offset-checker.sh --zookeeper localhost:2181 --group g
#   kafka-consumer-offset-checker.sh --zookeeper localhost:2181 --group g \
#       --topic t1,t2 --broker-info
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-consumer-offset-checker" ]; then
    exec "$(dirname "$0")/samsa-consumer-offset-checker" "$@"
fi
prog=$(samsa_prog samsa-consumer-offset-checker) || exit 127
exec "$prog" "$@"

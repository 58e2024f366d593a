#!/usr/bin/env bash
# kafka-consumer-groups.sh: list, describe, delete consumer groups and
# reset their offsets, as Kafka's script of the same name does
# (kafka.admin.ConsumerGroupCommand, Kafka 2.x; --zookeeper for 0.8-style
# groups as in Kafka 1.x).  It runs samsa-consumer-groups
# (src/tools/samsa-consumer-groups.c); see man kafka-consumer-groups.sh.
#   kafka-consumer-groups.sh --bootstrap-server localhost:9092 --list
#   kafka-consumer-groups.sh --bootstrap-server localhost:9092 \
#       --describe --group demo
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-consumer-groups" ]; then
    exec "$(dirname "$0")/samsa-consumer-groups" "$@"
fi
prog=$(samsa_prog samsa-consumer-groups) || exit 127
exec "$prog" "$@"

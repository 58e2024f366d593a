#!/usr/bin/env bash
# kafka-configs.sh: describe and alter topic, broker, client, user and ip
# configs, as Kafka's script of the same name does in ZooKeeper mode
# (kafka.admin.ConfigCommand, Kafka 2.8).  It runs samsa-configs
# (src/tools/samsa-configs.c); see man kafka-configs.sh.
#   kafka-configs.sh --zookeeper localhost:2181 --entity-type topics \
#       --entity-name demo --alter --add-config retention.ms=60000
#   kafka-configs.sh --zookeeper localhost:2181 --entity-type brokers \
#       --entity-default --alter --add-config offsets.storage=zookeeper
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-configs" ]; then
    exec "$(dirname "$0")/samsa-configs" "$@"
fi
prog=$(samsa_prog samsa-configs) || exit 127
exec "$prog" "$@"

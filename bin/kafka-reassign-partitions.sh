#!/usr/bin/env bash
# kafka-reassign-partitions.sh: move partitions between brokers, as Kafka's
# script of the same name does (kafka.admin.ReassignPartitionsCommand,
# Kafka 2.4, --zookeeper mode): --generate a plan, --execute it (the
# controller copies the data through replication), --verify it.  It runs
# samsa-reassign-partitions (src/tools/samsa-reassign-partitions.c); see
# man kafka-reassign-partitions.sh.
#   kafka-reassign-partitions.sh --zookeeper localhost:2181 --generate \
#       --topics-to-move-json-file topics.json --broker-list 1,2,3
#   kafka-reassign-partitions.sh --zookeeper localhost:2181 --execute \
#       --reassignment-json-file plan.json --throttle 10000000
#   kafka-reassign-partitions.sh --zookeeper localhost:2181 --verify \
#       --reassignment-json-file plan.json
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-reassign-partitions" ]; then
    exec "$(dirname "$0")/samsa-reassign-partitions" "$@"
fi
prog=$(samsa_prog samsa-reassign-partitions) || exit 127
exec "$prog" "$@"

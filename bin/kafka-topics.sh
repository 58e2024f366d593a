#!/usr/bin/env bash
# kafka-topics.sh: create, delete, describe, list or alter topics, as
# Kafka's script of the same name does (kafka.admin.TopicCommand, Kafka
# 2.4-2.8).  It runs samsa-topics (src/tools/samsa-topics.c); see
# man kafka-topics.sh.
#   kafka-topics.sh --bootstrap-server localhost:9092 --list
#   kafka-topics.sh --zookeeper localhost:2181 --create --topic demo \
#       --partitions 3 --replication-factor 1
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-topics" ]; then
    exec "$(dirname "$0")/samsa-topics" "$@"
fi
prog=$(samsa_prog samsa-topics) || exit 127
exec "$prog" "$@"

#!/usr/bin/env bash
# kafka-console-producer.sh: read lines from standard input and send each
# as a record, as Kafka's script of the same name does
# (kafka.tools.ConsoleProducer).  It runs samsa-console-producer
# (src/tools/samsa-console-producer.c); see man kafka-console-producer.sh.
#   kafka-console-producer.sh --bootstrap-server localhost:9092 \
#       --topic demo --property parse.key=true --property key.separator=:
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-console-producer" ]; then
    exec "$(dirname "$0")/samsa-console-producer" "$@"
fi
prog=$(samsa_prog samsa-console-producer) || exit 127
exec "$prog" "$@"

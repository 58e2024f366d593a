#!/usr/bin/env bash
# kafka-console-consumer.sh: print the records of a topic on standard
# output, as Kafka's script of the same name does
# (kafka.tools.ConsoleConsumer).  It runs samsa-console-consumer
# (src/tools/samsa-console-consumer.c); see man kafka-console-consumer.sh.
#   kafka-console-consumer.sh --bootstrap-server localhost:9092 \
#       --topic demo --from-beginning --property print.key=true
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-console-consumer" ]; then
    exec "$(dirname "$0")/samsa-console-consumer" "$@"
fi
prog=$(samsa_prog samsa-console-consumer) || exit 127
exec "$prog" "$@"

#!/usr/bin/env bash
# kafka-verifiable-consumer.sh: consume a topic in a group and print one
# JSON line per consumer event (rebalances, records, commits), as Kafka's
# script of the same name does (VerifiableConsumer, used by system tests).  It runs
# samsa-verifiable-consumer (src/tools/samsa-verifiable-consumer.c); see
# man kafka-verifiable-consumer.sh.
#   kafka-verifiable-consumer.sh --bootstrap-server localhost:9092 \
#       --topic t --group-id g --max-messages 1000
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-verifiable-consumer" ]; then
    exec "$(dirname "$0")/samsa-verifiable-consumer" "$@"
fi
prog=$(samsa_prog samsa-verifiable-consumer) || exit 127
exec "$prog" "$@"

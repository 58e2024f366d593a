#!/usr/bin/env bash
# kafka-verifiable-producer.sh: produce increasing integers and print one
# JSON line per acknowledged or failed record, as Kafka's script of the
# same name does (VerifiableProducer, used by system tests).  It runs
# samsa-verifiable-producer (src/tools/samsa-verifiable-producer.c); see
# man kafka-verifiable-producer.sh.
#   kafka-verifiable-producer.sh --bootstrap-server localhost:9092 \
#       --topic t --max-messages 1000 --acks -1
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-verifiable-producer" ]; then
    exec "$(dirname "$0")/samsa-verifiable-producer" "$@"
fi
prog=$(samsa_prog samsa-verifiable-producer) || exit 127
exec "$prog" "$@"

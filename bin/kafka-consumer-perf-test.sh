#!/usr/bin/env bash
# kafka-consumer-perf-test.sh: measure consumer throughput, as
# Kafka's script of the same name does (ConsumerPerformance).  It runs
# samsa-consumer-perf (src/tools/samsa-consumer-perf.c); see
# man kafka-consumer-perf-test.sh.
#   kafka-consumer-perf-test.sh --bootstrap-server localhost:9092 \
#       --topic perf --messages 100000
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-consumer-perf" ]; then
    exec "$(dirname "$0")/samsa-consumer-perf" "$@"
fi
prog=$(samsa_prog samsa-consumer-perf) || exit 127
exec "$prog" "$@"

#!/usr/bin/env bash
# kafka-producer-perf-test.sh: measure producer throughput and latency, as
# Kafka's script of the same name does (ProducerPerformance).  It runs
# samsa-producer-perf (src/tools/samsa-producer-perf.c); see
# man kafka-producer-perf-test.sh.
#   kafka-producer-perf-test.sh --topic perf --num-records 100000 \
#       --record-size 100 --throughput -1 \
#       --producer-props bootstrap.servers=localhost:9092 acks=1
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-producer-perf" ]; then
    exec "$(dirname "$0")/samsa-producer-perf" "$@"
fi
prog=$(samsa_prog samsa-producer-perf) || exit 127
exec "$prog" "$@"

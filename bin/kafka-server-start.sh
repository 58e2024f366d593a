#!/usr/bin/env bash
# kafka-server-start.sh [-daemon] server.properties [--override key=value]*
#
# Starts samsa-server with Kafka's command line.  With -daemon it runs in
# the background with its output in $LOG_DIR/samsaServer.out (Kafka:
# kafkaServer.out) and its pid in $LOG_DIR/samsaServer.pid.
#   LOG_DIR           where -daemon writes (default: <samsa>/logs)
#   SAMSA_LOG_LEVEL   ERROR, WARN, INFO (default), DEBUG, TRACE
# KAFKA_HEAP_OPTS / KAFKA_OPTS / KAFKA_JMX_OPTS are accepted and ignored:
# there is no JVM.
set -u
if [ $# -lt 1 ]; then
    echo "USAGE: $0 [-daemon] server.properties [--override property=value]*"
    exit 1
fi
. "$(dirname "$0")/samsa-env.sh"

daemon=0
if [ "$1" = "-daemon" ]; then
    daemon=1
    shift
fi
if [ $# -lt 1 ]; then
    echo "USAGE: $0 [-daemon] server.properties [--override property=value]*"
    exit 1
fi
prog=$(samsa_prog samsa-server) || exit 127

if [ $daemon = 1 ]; then
    log_dir=${LOG_DIR:-$samsa_top/logs}
    mkdir -p "$log_dir"
    nohup "$prog" "$@" > "$log_dir/samsaServer.out" 2>&1 < /dev/null &
    echo $! > "$log_dir/samsaServer.pid"
    exit 0
fi
exec "$prog" "$@"

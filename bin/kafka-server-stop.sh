#!/usr/bin/env bash
# kafka-server-stop.sh: send SIGTERM (or $SIGNAL) to every samsa-server on
# this machine, as Kafka's script does for kafka.Kafka JVMs.  The broker
# then shuts down cleanly (see samsa-server(8)).  Exits 1 with Kafka's
# message when none is running.
SIGNAL=${SIGNAL:-TERM}
PIDS=$(pgrep -f '(^|/)samsa-server( |$)')
if [ -z "$PIDS" ]; then
    echo "No kafka server to stop"
    exit 1
fi
kill -s "$SIGNAL" $PIDS

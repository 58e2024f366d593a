#!/usr/bin/env bash
# zookeeper-server-stop.sh: stop ZooKeeper servers started by
# zookeeper-server-start.sh (Debian's ZooKeeper running from a samsa
# configuration directory).  Exits 1 when none is running, like Kafka's.
SIGNAL=${SIGNAL:-TERM}
PIDS=$(pgrep -f 'org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain.*zookeeper-conf/zoo\.cfg')
if [ -z "$PIDS" ]; then
    echo "No zookeeper server to stop"
    exit 1
fi
kill -s "$SIGNAL" $PIDS

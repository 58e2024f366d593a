#!/usr/bin/env bash
# kafka-preferred-replica-election.sh: ask the controller to move each
# partition's leadership back to its preferred (first assigned) replica, as
# Kafka's script of the same name does (kafka.admin.
# PreferredReplicaLeaderElectionCommand, Kafka 2.4, --zookeeper mode).  It
# runs samsa-preferred-replica-election
# (src/tools/samsa-preferred-replica-election.c); see
# man kafka-preferred-replica-election.sh.
#   kafka-preferred-replica-election.sh --zookeeper localhost:2181
#   kafka-preferred-replica-election.sh --zookeeper localhost:2181 \
#       --path-to-json-file partitions.json
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-preferred-replica-election" ]; then
    exec "$(dirname "$0")/samsa-preferred-replica-election" "$@"
fi
prog=$(samsa_prog samsa-preferred-replica-election) || exit 127
exec "$prog" "$@"

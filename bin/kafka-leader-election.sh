#!/usr/bin/env bash
# kafka-leader-election.sh: ask the controller, through the ElectLeaders
# API, for a preferred or unclean leader election, as Kafka's script of the
# same name does (kafka.admin.LeaderElectionCommand, Kafka 2.4-2.8).  It
# runs samsa-leader-election (src/tools/samsa-leader-election.c); see
# man kafka-leader-election.sh.
#   kafka-leader-election.sh --bootstrap-server localhost:9092 \
#       --election-type preferred --all-topic-partitions
#   kafka-leader-election.sh --bootstrap-server localhost:9092 \
#       --election-type unclean --topic t --partition 0
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-leader-election" ]; then
    exec "$(dirname "$0")/samsa-leader-election" "$@"
fi
prog=$(samsa_prog samsa-leader-election) || exit 127
exec "$prog" "$@"

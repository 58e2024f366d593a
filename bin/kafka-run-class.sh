#!/usr/bin/env bash
# kafka-run-class.sh [-daemon] [-name NAME] [-loggc] CLASS [ARGS...]
#
# Kafka's scripts start a JVM on a class name; samsa's tools are compiled
# programs, so this script maps the Kafka class name to the samsa program
# that does the same job and runs it with the same arguments.  Scripts and
# habits that call "kafka-run-class.sh kafka.tools.DumpLogSegments ..."
# keep working.
#
# ADDING A MAPPING: add a line "<Kafka class>  <samsa program>" to
# samsa_class_table below, build the program (src/tools/Makefile.inc) and
# mention it in man/kafka-run-class.sh.1.  The table is also what the
# error message for an unknown class lists.
#
# Options before the class, as in Kafka:
#   -daemon      run in the background, output to $LOG_DIR/NAME.out
#   -name NAME   the name used for -daemon's output file (default: the
#                program's name)
#   -loggc       accepted and ignored (there is no JVM garbage collector)
# Environment: LOG_DIR (default: <samsa top>/logs), SAMSA_BUILD_DIR (see
# bin/samsa-env.sh).  Kafka's JVM variables (KAFKA_HEAP_OPTS, KAFKA_OPTS,
# CLASSPATH, ...) have no meaning here and are ignored.
set -u

# Kafka class name                      samsa program
samsa_class_table='
kafka.tools.DumpLogSegments             samsa-dump-log
kafka.admin.TopicCommand                samsa-topics
kafka.admin.PreferredReplicaLeaderElectionCommand samsa-preferred-replica-election
kafka.admin.LeaderElectionCommand      samsa-leader-election
kafka.admin.ReassignPartitionsCommand   samsa-reassign-partitions
kafka.admin.ConfigCommand               samsa-configs
kafka.admin.ConsumerGroupCommand        samsa-consumer-groups
kafka.tools.ConsoleProducer             samsa-console-producer
kafka.tools.ConsoleConsumer             samsa-console-consumer
org.apache.kafka.tools.ProducerPerformance samsa-producer-perf
kafka.tools.ConsumerPerformance         samsa-consumer-perf
org.apache.kafka.tools.VerifiableProducer samsa-verifiable-producer
org.apache.kafka.tools.VerifiableConsumer samsa-verifiable-consumer
kafka.tools.ConsumerOffsetChecker       samsa-consumer-offset-checker
'

. "$(dirname "$0")/samsa-env.sh"

samsa_class_prog() {
    local cls prog
    while read -r cls prog; do
        [ -n "$cls" ] || continue
        if [ "$cls" = "$1" ]; then
            printf '%s\n' "$prog"
            return 0
        fi
    done <<< "$samsa_class_table"
    return 1
}

samsa_class_list() {
    local cls prog
    while read -r cls prog; do
        [ -n "$cls" ] && printf '  %s (%s)\n' "$cls" "$prog"
    done <<< "$samsa_class_table"
}

usage() {
    echo "USAGE: $0 [-daemon] [-name servicename] [-loggc] classname [opts]" >&2
    exit 1
}

daemon=0
name=
while [ $# -gt 0 ]; do
    case $1 in
        -daemon) daemon=1; shift ;;
        -name) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
        -loggc) shift ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || usage
class=$1
shift

if ! prog=$(samsa_class_prog "$class"); then
    {
        echo "kafka-run-class.sh: class '$class' has no samsa equivalent."
        echo "Supported classes:"
        samsa_class_list
    } >&2
    exit 1
fi

# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/$prog" ]; then
    path="$(dirname "$0")/$prog"
else
    path=$(samsa_prog "$prog") || exit 127
fi

if [ "$daemon" = 1 ]; then
    log_dir=${LOG_DIR:-$samsa_top/logs}
    mkdir -p "$log_dir" || exit 1
    nohup "$path" "$@" > "$log_dir/${name:-$prog}.out" 2>&1 < /dev/null &
    exit 0
fi
exec "$path" "$@"

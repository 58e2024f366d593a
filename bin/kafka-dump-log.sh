#!/usr/bin/env bash
# kafka-dump-log.sh: print the contents of log segment files (.log, .index,
# .timeindex, .txnindex), as Kafka's script of the same name does.  It runs
# samsa-dump-log (src/tools/samsa-dump-log.c), samsa's version of
# kafka.tools.DumpLogSegments; see man kafka-dump-log.sh.
#   kafka-dump-log.sh --files 00000000000000000000.log --print-data-log
. "$(dirname "$0")/samsa-env.sh"
# An installed samsa keeps its programs next to this script.
if [ -x "$(dirname "$0")/samsa-dump-log" ]; then
    exec "$(dirname "$0")/samsa-dump-log" "$@"
fi
prog=$(samsa_prog samsa-dump-log) || exit 127
exec "$prog" "$@"

#!/usr/bin/env bash
# test_dump_log.sh: samsa-dump-log (bin/kafka-dump-log.sh) against the
# output Kafka 2.7's DumpLogSegments gives for the same files.  TAP output.
#
# mk_dump_log_fixtures writes the segment files into a temporary directory
# (see its header for what each holds); each case below runs the tool there
# with relative paths and compares stdout, stderr and the exit status with
# t/data/dump-log/CASE.out, CASE.err (absent = empty) and the status given
# here.  Absolute paths in stderr are written @DIR@ in the expected files.
# t/data/dump-log/README derives the expected lines from Kafka's code.
#
# Cases marked "mask" hold compressed entries whose bytes depend on the
# compression libraries' versions: " size: N", " crc: N" and " position:
# N" are replaced by "#" in both outputs before comparing.
#
# Knobs: SAMSA_TEST_LEAVE=1 keeps the temporary directory;
# SAMSA_DUMP_LOG_REGEN=1 rewrites the expected files from the tool's
# output (then review the diff by hand: the expected files are the
# specification).
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
data=$srcdir/t/data/dump-log
tool=$top_builddir/src/tools/samsa-dump-log
mk=$top_builddir/t/tools/mk_dump_log_fixtures

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-dump-log.XXXXXX") || exit 1
cleanup() { [ "${SAMSA_TEST_LEAVE:-0}" = 1 ] || rm -rf "$tmp"; }
trap cleanup EXIT

L=00000000000000000000
# name | expected status | mask? | arguments (word-split)
cases="
v2-shallow       |0|  |--files v2/$L.log
v2-deep          |0|  |--deep-iteration --files v2/$L.log
v2-print         |0|  |--print-data-log --files v2/$L.log
v2-intdecoder    |1|  |--value-decoder-class kafka.serializer.IntegerDecoder --files v2/$L.log
v2-baddecoder    |1|  |--key-decoder-class com.example.Nope --files v2/$L.log
legacy-print     |0|  |--print-data-log --files legacy/00000000000000000100.log
index            |0|  |--files v2/$L.index,v2/$L.timeindex
index-verify     |0|  |--verify-index-only --files v2/$L.index,v2/$L.timeindex
index-sanity     |0|  |--index-sanity-check --files v2/$L.index
timeindex-sanity |1|  |--index-sanity-check --files v2/$L.timeindex
index-maxmsg     |1|  |--max-message-size 100 --files v2/$L.index
txnindex         |0|  |--files v2/$L.txnindex
truncated        |0|  |--deep-iteration --files truncated/$L.log
badcrc           |0|  |--files badcrc/$L.log
garbage-small    |1|  |--files garbage-small/$L.log
garbage-big      |0|  |--deep-iteration --files garbage-big/$L.log
empty            |0|  |--print-data-log --files empty/$L.log
multi            |0|  |--files=v2/$L.log,legacy/00000000000000000100.log,v2/notes.txt,
offsets          |0|  |--offsets-decoder --files offsets/$L.log
txn-decoder      |1|  |--transaction-log-decoder --files offsets/$L.log
comp             |0|m |--print-data-log --files comp/$L.log
legacy-comp      |0|m |--print-data-log --files legacy-comp/$L.log
missing          |1|  |--files nope/$L.log
missing-log      |1|  |--files nope/$L.index
bad-option       |1|  |--files v2/$L.log --bogus
no-files         |1|  |--print-data-log
no-args          |1|  |
bad-number       |1|  |--files v2/$L.log --max-message-size 12x
bad-name         |1|  |--files v2/segment.log
"

ntests=$(printf '%s\n' "$cases" | grep -c '|')
ntests=$((ntests + 4))
echo "1..$ntests"
n=0
failed=0

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}

not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
}

if [ ! -x "$tool" ] || [ ! -x "$mk" ]; then
    for _ in $(seq "$ntests"); do not_ok "programs not built ($tool, $mk)"; done
    exit 1
fi
"$mk" "$tmp" || { echo "Bail out! mk_dump_log_fixtures failed"; exit 1; }
printf 'not a segment\n' > "$tmp/v2/notes.txt"

mask() {
    sed -e 's/ size: [0-9-]*/ size: #/g' -e 's/ crc: [0-9-]*/ crc: #/g' \
        -e 's/ position: [0-9-]*/ position: #/g' "$1"
}

# compare NAME STATUS MASK ACTUAL_STATUS
compare() {
    local name=$1 want_rc=$2 m=$3 rc=$4 exp_err=/dev/null good=1
    [ -f "$data/$name.err" ] && exp_err=$data/$name.err
    sed -e "s|$tmp|@DIR@|g" "$tmp/$name.err.raw" > "$tmp/$name.err"
    if [ "${SAMSA_DUMP_LOG_REGEN:-0}" = 1 ]; then
        cp "$tmp/$name.out" "$data/$name.out"
        if [ -s "$tmp/$name.err" ]; then cp "$tmp/$name.err" "$data/$name.err"
        else rm -f "$data/$name.err"; fi
    fi
    if [ -n "$m" ]; then
        mask "$tmp/$name.out" > "$tmp/$name.out.m"
        mask "$data/$name.out" > "$tmp/$name.exp.m"
        diff -u "$tmp/$name.exp.m" "$tmp/$name.out.m" > "$tmp/$name.diff" || good=0
    else
        diff -u "$data/$name.out" "$tmp/$name.out" > "$tmp/$name.diff" || good=0
    fi
    diff -u "$exp_err" "$tmp/$name.err" >> "$tmp/$name.diff" || good=0
    [ "$rc" = "$want_rc" ] || { good=0; echo "exit status $rc, want $want_rc" >> "$tmp/$name.diff"; }
    if [ $good = 1 ]; then
        ok "$name"
    else
        not_ok "$name"
        sed -e 's/^/# /' "$tmp/$name.diff"
    fi
}

while IFS='|' read -r name want_rc m args; do
    name=${name// /}
    [ -n "$name" ] || continue
    m=${m// /}
    # shellcheck disable=SC2086
    (cd "$tmp" && exec "$tool" $args) > "$tmp/$name.out" 2> "$tmp/$name.err.raw"
    compare "$name" "$want_rc" "$m" $?
done <<< "$cases"

# The scripts: same output through kafka-dump-log.sh and
# kafka-run-class.sh; a clear error for a class samsa does not have.
export SAMSA_BUILD_DIR=$top_builddir
(cd "$tmp" && "$srcdir/bin/kafka-dump-log.sh" --print-data-log --files v2/$L.log) \
    > "$tmp/script.out" 2> "$tmp/script.err"
if cmp -s "$tmp/script.out" "$data/v2-print.out"; then ok "kafka-dump-log.sh"
else not_ok "kafka-dump-log.sh"; sed -e 's/^/# /' "$tmp/script.err"; fi
(cd "$tmp" && "$srcdir/bin/kafka-run-class.sh" kafka.tools.DumpLogSegments \
    --print-data-log --files v2/$L.log) > "$tmp/class.out" 2> "$tmp/class.err"
if cmp -s "$tmp/class.out" "$data/v2-print.out"; then ok "kafka-run-class.sh DumpLogSegments"
else not_ok "kafka-run-class.sh DumpLogSegments"; sed -e 's/^/# /' "$tmp/class.err"; fi
"$srcdir/bin/kafka-run-class.sh" kafka.tools.NoSuchTool > /dev/null 2> "$tmp/class.err"
rc=$?
if [ $rc = 1 ] && grep -q "kafka.tools.NoSuchTool" "$tmp/class.err" &&
   grep -q "kafka.tools.DumpLogSegments" "$tmp/class.err"; then
    ok "kafka-run-class.sh unknown class"
else
    not_ok "kafka-run-class.sh unknown class (status $rc)"
    sed -e 's/^/# /' "$tmp/class.err"
fi
"$tool" --version > "$tmp/version.out"
rc=$?
if [ $rc = 0 ] && grep -q "(Commit:" "$tmp/version.out"; then ok "--version"
else not_ok "--version (status $rc)"; fi

[ $failed = 0 ]

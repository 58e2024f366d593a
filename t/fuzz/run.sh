#!/bin/sh
# run.sh <builddir> <seconds>: run every libFuzzer target for <seconds>
# on a scratch copy of the seed corpus built from t/data.
#
# <builddir> was configured with CC=clang --enable-fuzz and built.  Exits
# non-zero if a target is missing, crashes (any sanitizer report counts:
# ASan, LeakSanitizer, UBSan), or leaves a crash/leak/timeout artifact.
# Prints one summary line per target (executions, exec/s, coverage, corpus
# size).  The scratch directory (corpora, logs, artifacts)
# is removed on success and kept on failure or when SAMSA_TEST_LEAVE is set.
# Extra libFuzzer flags can be passed in FUZZ_FLAGS.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 <builddir> <seconds>" >&2
    exit 2
fi
builddir=$1
secs=$2
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/samsa-fuzz.XXXXXX") || exit 1

if ! python3 "$srcdir/t/fuzz/seeds.py" "$srcdir/t/data" "$scratch/seeds"; then
    echo "cannot build seeds from $srcdir/t/data" >&2
    exit 1
fi

# configure --enable-fuzz compiles UBSan checks as recoverable: make them
# fatal so libFuzzer keeps the input that triggered one.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS

status=0
for t in request_header record_batch msgset; do
    bin=$builddir/t/fuzz/fuzz_$t
    if [ ! -x "$bin" ]; then
        echo "$t: missing $bin (configure CC=clang --enable-fuzz; make)" >&2
        status=1
        continue
    fi
    corpus=$scratch/corpus/$t
    art=$scratch/artifacts/$t
    mkdir -p "$corpus" "$art"
    cp "$scratch/seeds/$t/"* "$corpus/"
    nseeds=$(ls "$corpus" | wc -l)
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$secs" -timeout=10 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$art/" ${FUZZ_FLAGS:-} \
        "$corpus" >"$scratch/$t.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$scratch/$t.log")
    last=$(grep -E '^#[0-9]+' "$scratch/$t.log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    ncorp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
    echo "$t: rc=$rc execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?}" \
         "ft=${ft:-?} corpus=${ncorp:-?} (seeds $nseeds)"
    if [ $rc -ne 0 ] || [ -n "$(ls "$art")" ]; then
        status=1
        echo "$t: FAILED; artifacts in $art:" >&2
        ls -l "$art" >&2
        tail -n 40 "$scratch/$t.log" >&2
    fi
done

if [ $status -ne 0 ] || [ -n "${SAMSA_TEST_LEAVE:-}" ]; then
    echo "scratch kept: $scratch" >&2
else
    rm -rf "$scratch"
fi
exit $status

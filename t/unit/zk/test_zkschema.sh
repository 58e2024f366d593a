#!/bin/sh
# test_zkschema.sh: zkschema/ is consistent and samsa's znode encoders
# write what it says (t/lib/zkschema.py check, TAP output).
#
# Needs python3 with jsonschema (Debian: python3-jsonschema).  Without it
# the test is skipped, unless SAMSA_TEST_REQUIRE_ZK=1 (CI) makes that a
# failure.
srcdir=${srcdir:-.}
top_builddir=${top_builddir:-.}
out=${TMPDIR:-/tmp}/samsa-zkp-dump.$$
trap 'rm -f "$out"' EXIT

py=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import jsonschema' 2>/dev/null; then py=$p; break; fi
done
if [ -z "$py" ]; then
    if [ "${SAMSA_TEST_REQUIRE_ZK:-0}" != 0 ]; then
        echo "Bail out! python3-jsonschema is not installed"
        exit 1
    fi
    echo "1..0 # SKIP python3-jsonschema not installed"
    exit 0
fi
if ! "$top_builddir/t/unit/zk/zkp_dump" > "$out"; then
    echo "Bail out! zkp_dump failed"
    exit 1
fi
exec "$py" "$srcdir/t/lib/zkschema.py" check --dir "$srcdir/zkschema" \
    --dump "$out"

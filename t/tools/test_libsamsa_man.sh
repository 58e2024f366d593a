#!/usr/bin/env bash
# test_libsamsa_man.sh: the EXAMPLE of libsamsa(3) is the program
# t/tools/libsamsa_example.c (built by "make check"; the integration test
# t/integration/test_console.py runs it against a broker), character for
# character, and the page renders without groff warnings.  TAP output.
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
page=$srcdir/man/libsamsa.3
prog=$srcdir/t/tools/libsamsa_example.c
tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-libman.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "1..3"
# the lines between .EX and .EE, with groff's escapes undone
sed -n '/^\.EX$/,/^\.EE$/p' "$page" | sed '1d;$d' |
    sed -e 's/^\\&//' -e 's/\\e/\\/g' > "$tmp/example.c"
sed -n '/^#include <stdio.h>$/,$p' "$prog" > "$tmp/program.c"
if [ -s "$tmp/example.c" ] && cmp -s "$tmp/example.c" "$tmp/program.c"; then
    echo "ok 1 - libsamsa.3 EXAMPLE is t/tools/libsamsa_example.c"
else
    echo "not ok 1 - libsamsa.3 EXAMPLE is t/tools/libsamsa_example.c"
    diff "$tmp/program.c" "$tmp/example.c" | sed 's/^/#   /'
fi
if grep -q '^dist_man3_MANS = .*man/libsamsa\.3' "$srcdir/man/Makefile.inc"
then
    echo "ok 2 - libsamsa.3 is installed (dist_man3_MANS)"
else
    echo "not ok 2 - libsamsa.3 is installed (dist_man3_MANS)"
fi
if ! command -v groff >/dev/null; then
    echo "ok 3 - libsamsa.3 renders # SKIP groff not installed"
elif [ -z "$(groff -man -ww -z "$page" 2>&1)" ]; then
    echo "ok 3 - libsamsa.3 renders without warnings"
else
    echo "not ok 3 - libsamsa.3 renders without warnings"
fi

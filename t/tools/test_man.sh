#!/usr/bin/env bash
# test_man.sh: every script in bin/ and the daemon have a manual page that
# is installed (listed in man/Makefile.inc), has the sections a command's
# page needs, and renders without groff warnings; every class of
# kafka-run-class.sh's table is documented in its page.  TAP output.
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
mk=$srcdir/man/Makefile.inc
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# check_page PAGE SECTION-VARIABLE
check_page() {
    local page=$1 var=$2 file=$srcdir/man/$1 missing= s
    if [ ! -f "$file" ]; then
        not_ok "$page exists"
        return
    fi
    # the page is in the right *_MANS list (continuation lines included)
    if sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$mk" | grep -q "^$var .*man/$page\( \|$\)"; then
        ok "$page is installed ($var)"
    else
        not_ok "$page is installed ($var)"
    fi
    for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES \
             "SEE ALSO"; do
        grep -q "^\.SH \"\?$s\"\?\$" "$file" || missing="$missing [$s]"
    done
    if [ -z "$missing" ]; then
        ok "$page has the usual sections"
    else
        not_ok "$page has the usual sections (missing:$missing)"
    fi
    if ! command -v groff >/dev/null; then
        ok "$page renders # SKIP groff not installed"
    elif [ -z "$(groff -man -ww -z "$file" 2>&1)" ]; then
        ok "$page renders without warnings"
    else
        not_ok "$page renders without warnings"
        groff -man -ww -z "$file" 2>&1 | sed 's/^/#   /'
    fi
}

for script in "$srcdir"/bin/*; do
    name=$(basename "$script")
    [ "$name" = Makefile.inc ] && continue
    check_page "$name.1" dist_man1_MANS
done
check_page samsa-server.8 dist_man8_MANS

# kafka-run-class.sh: every class in the table is in its page
while read -r cls prog; do
    [ -n "$cls" ] || continue
    if grep -q "^\.B $cls\$" "$srcdir/man/kafka-run-class.sh.1"; then
        ok "kafka-run-class.sh.1 documents $cls"
    else
        not_ok "kafka-run-class.sh.1 documents $cls"
    fi
done < <(sed -n "/^samsa_class_table='/,/^'/p" "$srcdir/bin/kafka-run-class.sh" |
         sed '1d;$d')

echo "1..$n"
[ "$failed" = 0 ]

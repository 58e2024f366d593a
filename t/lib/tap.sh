# t/lib/tap.sh: TAP helpers shared by the shell tests of t/tools (source
# it after setting n=0, failed=0 and tmp=<a scratch directory>).
#
#   ok NAME                 "ok N - NAME"
#   not_ok NAME [LINE...]   "not ok N - NAME", the lines as "#   " comments
#   bail MSG                "Bail out! MSG", exit 1
#   run CMD...              run it: $out (stdout, trailing newlines kept),
#                           $err (stderr), $rc
#   assert NAME CMD...      ok if CMD succeeds, else not_ok naming it

ok() { n=$((n + 1)); echo "ok $n - $1"; }

not_ok() {
    n=$((n + 1)); failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}

bail() { echo "Bail out! $*"; exit 1; }

run() {
    out=$("$@" 2>"$tmp/err"; rc=$?; echo x; exit $rc)
    rc=$?
    out=${out%x}
    err=$(cat "$tmp/err")
}

assert() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# t/lib/tap.sh: TAP helpers shared by the shell tests of t/tools (source
# it after setting n=0, failed=0 and tmp=<a scratch directory>).
#
#   ok NAME                 "ok N - NAME"
#   not_ok NAME [LINE...]   "not ok N - NAME", the lines as "#   " comments
#   bail MSG                "Bail out! MSG", exit 1
#   run CMD...              run it: $out (stdout, trailing newlines kept),
#                           $err (stderr), $rc
#   assert NAME CMD...      ok if CMD succeeds, else not_ok naming it
#   stop_pid PID            SIGTERM, up to 10 s to exit, then SIGKILL;
#                           reaped (a child of this shell)

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

stop_pid() {
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 1 100); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# bench/bench_lib.sh: what the bench/run-*-bench.sh scripts share.  Source
# it with bench_name set (the script's name, for messages).
#
#   bench_watchdog SECONDS   bound the whole run: after SECONDS, TERM this
#                            script's children, then the script (whose
#                            EXIT trap cleans up); sets $watchdog
#   bench_stop_watchdog      for the EXIT trap
#   free_port                a free loopback port on stdout (or status 1)

bench_watchdog() {
    local script=$$
    ( sleep "$1"
      echo "$bench_name: timed out after $1 s" >&2
      for p in $(pgrep -P "$script"); do
          [ "$p" != "$BASHPID" ] && kill -TERM "$p" 2>/dev/null
      done
      kill -TERM "$script" 2>/dev/null ) &
    watchdog=$!
}

bench_stop_watchdog() {
    [ -n "${watchdog:-}" ] && kill $(pgrep -P "$watchdog") "$watchdog" \
        2>/dev/null
}

free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

#!/bin/bash
# t/lib/zk.sh: run a throw-away standalone ZooKeeper for tests.
#
#   zk.sh start DIR [PORT]   start ZooKeeper with its data, config and log in
#                            DIR (created), on 127.0.0.1:PORT (default: a
#                            free port chosen here), wait until it answers
#                            "ruok", print the port on stdout.  Restarting
#                            with the same DIR and PORT keeps the data.
#   zk.sh stop DIR           stop it (SIGTERM, then SIGKILL), bounded.
#   zk.sh status DIR         exit 0 if it answers "ruok".
#
# Exit codes: 0 ok, 1 failure (ZooKeeper's log is printed to stderr),
# 77 ZooKeeper or Java not installed (automake's "skip").
#
# Debian's zkServer.sh hard-codes /etc/zookeeper/conf and /var/log/zookeeper
# in zkEnv.sh, so the config is passed as an absolute path and the log
# settings as JVM flags, which come last on the java command line and win.
# A watchdog kills the server if the process that started it (the test
# program, $SAMSA_ZK_OWNER_PID or our parent) dies, and after
# SAMSA_ZK_MAX_LIFETIME seconds (default 1800), so a crashed test run
# leaves no JVM behind.  No fixed ports, no fixed paths (STYLE.md §10).
#
# Knobs: SAMSA_TEST_TIMEOUT_MULT scales the start-up wait (default 30 s);
# SAMSA_ZK_LOGLEVEL (default warn) is ZooKeeper's log level.

set -u

ZK_HOME=${SAMSA_ZK_HOME:-/usr/share/zookeeper}
ZK_JAR=${SAMSA_ZK_JAR:-/usr/share/java/zookeeper.jar}
MULT=${SAMSA_TEST_TIMEOUT_MULT:-1}

die() { echo "zk.sh: $*" >&2; exit 1; }

# "imok" if 127.0.0.1:$1 answers the ruok four-letter word within 1 s.
ruok() {
    local r
    r=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf ruok >&3 &&
          timeout 1 cat <&3) 2>/dev/null)
    [ "$r" = imok ]
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

write_config() {
    local dir=$1 port=$2
    mkdir -p "$dir/data" || die "cannot create $dir/data"
    cat > "$dir/zoo.cfg" <<EOF
# written by samsa t/lib/zk.sh
tickTime=500
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
minSessionTimeout=1000
maxSessionTimeout=60000
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat,mntr,cons
EOF
}

watchdog() {
    local owner=$1 pid=$2 max=$3 t=0
    while kill -0 "$pid" 2>/dev/null; do
        if ! kill -0 "$owner" 2>/dev/null || [ "$t" -ge "$max" ]; then
            kill -TERM "$pid" 2>/dev/null
            sleep 3
            kill -KILL "$pid" 2>/dev/null
            exit 0
        fi
        sleep 1
        t=$((t + 1))
    done
}

start() {
    local dir=$1 port=${2:-} pid
    if ! [ -x "$ZK_HOME/bin/zkServer.sh" ] || ! [ -r "$ZK_JAR" ]; then
        echo "zk.sh: ZooKeeper not installed (apt-get install zookeeper)" >&2
        exit 77
    fi
    if ! command -v java >/dev/null; then
        echo "zk.sh: java not installed" \
             "(apt-get install default-jre-headless)" >&2
        exit 77
    fi
    mkdir -p "$dir" || die "cannot create $dir"
    dir=$(cd "$dir" && pwd)
    for _ in 1 2 3; do
        [ -n "$port" ] || port=$(free_port) || die "no free port"
        write_config "$dir" "$port"
        local cp="/etc/zookeeper/conf:$ZK_JAR"
        [ -r /usr/share/java/slf4j-simple.jar ] &&
            cp="$cp:/usr/share/java/slf4j-simple.jar"
        # setsid: the server gets its own process group, away from make's
        (JMXDISABLE=true ZOO_LOG_DIR="$dir" \
         JVMFLAGS="-Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
-Xshare:auto -cp $cp -Dzookeeper.log.dir=$dir \
-Dorg.slf4j.simpleLogger.defaultLogLevel=${SAMSA_ZK_LOGLEVEL:-warn} \
-Dorg.slf4j.simpleLogger.showDateTime=true" \
         exec setsid "$ZK_HOME/bin/zkServer.sh" start-foreground \
             "$dir/zoo.cfg" >>"$dir/zk.out" 2>&1 </dev/null) &
        pid=$!
        echo "$pid" > "$dir/zk.pid"
        echo "$port" > "$dir/zk.port"
        local owner=${SAMSA_ZK_OWNER_PID:-$PPID}
        (watchdog "$owner" "$pid" "${SAMSA_ZK_MAX_LIFETIME:-1800}" \
             >/dev/null 2>&1 </dev/null &)
        for _ in $(seq 1 $((300 * MULT))); do
            if ruok "$port"; then
                echo "$port"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        # a port taken between free_port and bind: try another one
        if grep -q "Address already in use" "$dir/zk.out" 2>/dev/null &&
           [ -z "${2:-}" ]; then
            port=
            continue
        fi
        break
    done
    echo "zk.sh: ZooKeeper did not answer on 127.0.0.1:$port; its log:" >&2
    cat "$dir/zk.out" >&2
    exit 1
}

stop() {
    local dir=$1 pid
    [ -r "$dir/zk.pid" ] || return 0
    pid=$(cat "$dir/zk.pid")
    kill -TERM "$pid" 2>/dev/null || { rm -f "$dir/zk.pid"; return 0; }
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    rm -f "$dir/zk.pid"
    return 0
}

usage="usage: zk.sh start DIR [PORT] | stop DIR | status DIR"
[ $# -ge 2 ] || die "$usage"
case "$1" in
start)  start "$2" "${3:-}" ;;
stop)   stop "$2" ;;
status) ruok "$(cat "$2/zk.port")" ;;
*)      die "$usage" ;;
esac

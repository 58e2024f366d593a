#!/usr/bin/env bash
# zookeeper-server-start.sh [-daemon] zookeeper.properties
#
# Runs Debian's ZooKeeper (package "zookeeper") standalone with a Kafka-style
# zookeeper.properties, which is also a valid zoo.cfg.  No system service is
# touched: the configuration directory and logs live under $LOG_DIR.
#   LOG_DIR   where logs, the generated zoo.cfg and -daemon output go
#             (default: <samsa>/logs)
set -u
usage() { echo "USAGE: $0 [-daemon] zookeeper.properties"; exit 1; }
[ $# -ge 1 ] || usage
daemon=0
if [ "$1" = "-daemon" ]; then daemon=1; shift; fi
[ $# -ge 1 ] || usage
props=$1
[ -r "$props" ] || { echo "$0: cannot read $props"; exit 1; }

zkserver=/usr/share/zookeeper/bin/zkServer.sh
if [ ! -x "$zkserver" ]; then
    echo "$0: Debian's ZooKeeper is not installed (apt-get install zookeeper)"
    exit 1
fi
top=$(cd "$(dirname "$0")/.." && pwd)
log_dir=${LOG_DIR:-$top/logs}
conf_dir=$log_dir/zookeeper-conf
mkdir -p "$log_dir" "$conf_dir"
cp "$props" "$conf_dir/zoo.cfg"
# dataDir must exist before ZooKeeper starts
data_dir=$(sed -n 's/^[[:space:]]*dataDir[[:space:]]*[=:][[:space:]]*//p' "$props" | tail -n 1)
[ -n "$data_dir" ] && mkdir -p "$data_dir"
# Debian's log4j settings expect these
[ -f /etc/zookeeper/conf/log4j.properties ] &&
    cp /etc/zookeeper/conf/log4j.properties "$conf_dir/"

export ZOOCFGDIR=$conf_dir ZOO_LOG_DIR=$log_dir ZOO_LOG4J_PROP="INFO,ROLLINGFILE"
if [ $daemon = 1 ]; then
    nohup "$zkserver" start-foreground "$conf_dir/zoo.cfg" \
        > "$log_dir/zookeeper.out" 2>&1 < /dev/null &
    echo $! > "$log_dir/zookeeper.pid"
    exit 0
fi
exec "$zkserver" start-foreground "$conf_dir/zoo.cfg"

#!/usr/bin/env bash
# The CPU time `kv serve` spends per request, a figure that survives a loaded machine (requests per
# second do not). Starts `java [JVM OPTS] -jar JAR serve` (fsync) on a free loopback port and a temp
# data directory, warms it up (redis-benchmark -c 50 -t set,get: 100,000 requests, then 200,000 with
# -P 16), then measures 50,000 SETs + 50,000 GETs unpipelined and 400,000 + 400,000 with -P 16, and
# prints one line: requests/s, p99 (ms) and the server's CPU time (user + system, /proc/PID/stat) per
# request. Compare jars in alternating runs:
#
#   cp kv-cli/target/kv.jar /tmp/a.jar   # ... change, rebuild ...
#   for i in 1 2; do kv-server/cpu-per-request.sh old /tmp/a.jar; kv-server/cpu-per-request.sh new kv-cli/target/kv.jar; done
#
# Needs redis-benchmark and redis-cli. Usage: cpu-per-request.sh LABEL JAR [JVM OPTS...]
set -uo pipefail
label=$1; jar=$2; shift 2
dir=$(mktemp -d /tmp/kv-cpu-XXXX)
port=$((20000 + RANDOM % 20000))
java -XX:-UsePerfData -Xlog:disable -Dkv.durability=fsync "$@" -jar "$jar" --data-dir "$dir" serve --bind 127.0.0.1 \
  --port $port > "$dir/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 200); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.3; done
redis-benchmark -p $port -c 50 -n 100000 -t set,get -q >/dev/null
redis-benchmark -p $port -c 50 -n 200000 -P 16 -t set,get -q >/dev/null
load=$(cut -d' ' -f1 /proc/loadavg)
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
sys() { awk '{print $15}' /proc/$pid/stat; }
hz=$(getconf CLK_TCK)
c0=$(cpu); s0=$(sys)
a=$(redis-benchmark -p $port -c 50 -n 50000 -t set,get --csv | awk -F'"' 'NR>1{printf "%s %s p99 %s  ", $2, $4, $14}')
c1=$(cpu); s1=$(sys)
b=$(redis-benchmark -p $port -c 50 -n 400000 -P 16 -t set,get --csv | awk -F'"' 'NR>1{printf "%s %s  ", $2, $4}')
c2=$(cpu)
echo "$label load $load | P1: $a cpu/req $(( (c1-c0)*1000000/hz/100000 )) us (sys $(( (s1-s0)*1000000/hz/100000 ))) |" \
  "P16: $b cpu/req $(( (c2-c1)*1000000/hz/800000 )).$(( ((c2-c1)*1000000/hz*10/800000)%10 )) us"

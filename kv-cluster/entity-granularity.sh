#!/usr/bin/env bash
# Entity granularity, measured (README, Cluster, How it works): one `kv serve --cluster` node with
# kv.cluster.buckets = BUCKETS (1024, the default: a bucket of keys; 1048576: with the 10,000 keys
# of redis-benchmark -r 10000, almost every key its own entity), the same load for both.
#   kv-cluster/entity-granularity.sh 1024 && kv-cluster/entity-granularity.sh 1048576
# Needs the `kv` program built, redis-benchmark, redis-cli, psql, jcmd, and PostgreSQL with the
# bench's database (README, PostgreSQL: kv_bench), which it EMPTIES. Ports 6401 and 2571.
set -u
B=${1:?usage: $0 BUCKETS}; PORT=6401; NODE=2571
cd "$(dirname "$0")/.."
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export KV_PG_URL=jdbc:postgresql://127.0.0.1:5432/kv_bench
psql_() { PGPASSWORD=kv psql -h 127.0.0.1 -U kv kv_bench -qAtc "$1"; }
psql_ "TRUNCATE event_journal, snapshot, event_tag" 2>/dev/null
mkdir -p "$work/n"
start() {
  KV_JAVA_OPTS="-Xmx512m -Dkv.cluster.buckets=$B" ./kv --data-dir "$work/n" serve --cluster --port $PORT --node-port $NODE --seed 127.0.0.1:$NODE > $work/n.out 2> $work/n.err &
  PID=$!
  until redis-cli -p $PORT info cluster 2>/dev/null | grep -q "kv_cluster_members:1"; do sleep 0.3; done
  JPID=$(pgrep -f "node-port $NODE" | head -1)
}
cpu() { awk '{print $14+$15}' /proc/$JPID/stat; }
pgcpu() { local t=0; for p in $(pgrep -f "postgres: 15/main: kv kv_bench"); do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $t; }
start
redis-benchmark -p $PORT -c 50 -n 20000 -r 10000 -t set,get -q > /dev/null 2>&1   # warm-up (also creates the keys)
for t in set get; do
  c0=$(cpu); p0=$(pgcpu); s0=$(date +%s.%N)
  out=$(redis-benchmark -p $PORT -c 50 -n 20000 -r 10000 -t $t --csv 2>/dev/null | tail -1)
  s1=$(date +%s.%N); c1=$(cpu); p1=$(pgcpu)
  echo "buckets=$B $t: $out; node CPU per request $(echo "($c1-$c0)*10000/20000" | bc) us; postgres $(echo "($p1-$p0)*10000/20000" | bc) us"
done
redis-cli -p $PORT info cluster | grep local_buckets
jcmd $JPID GC.run > /dev/null
echo "heap after a full GC: $(jcmd $JPID GC.heap_info | grep -E 'garbage-first heap' | sed 's/.*used/used/')  rss: $(awk '/VmRSS/{print $2" kB"}' /proc/$JPID/status)"
echo "journal rows $(psql_ 'select count(*) from event_journal'), snapshots $(psql_ 'select count(*) from snapshot'), persistence ids $(psql_ 'select count(distinct persistence_id) from event_journal')"
kill $PID; wait $PID 2>/dev/null
start
for i in $(seq 0 9999); do printf 'GET key:%012d\r\n' $i; done > "$work/gets.txt"
s0=$(date +%s.%N); c0=$(cpu)
redis-cli -p $PORT < "$work/gets.txt" > "$work/gets.out"
s1=$(date +%s.%N); c1=$(cpu)
echo "buckets=$B after a restart: 10,000 GETs (every key, one connection, one after another) in $(echo "$s1-$s0" | bc) s, node CPU $(echo "($c1-$c0)*10" | bc) ms; nil answers: $(grep -c '^$' "$work/gets.out")"
kill $PID; wait $PID 2>/dev/null

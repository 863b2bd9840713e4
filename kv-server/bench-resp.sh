#!/usr/bin/env bash
# Compares `kv serve` (fsync durability) with redis-server (appendonly yes, appendfsync always, then
# everysec) under the same redis-benchmark load, in one run, each on its own port and temp directory:
#
#   kv-server/bench-resp.sh            # needs kv-cli/target/kv.jar (mvn -B package), redis-server, redis-benchmark
#
# Environment: CLIENTS (50), REQUESTS (100000), WARMUP (20000 requests first, not counted),
# KV_SERVE_JAVA_OPTS (JVM options of the kv server), BASE_PORT (6390).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
clients="${CLIENTS:-50}"
requests="${REQUESTS:-100000}"
warmup="${WARMUP:-20000}"
base_port="${BASE_PORT:-6390}"
for tool in redis-server redis-benchmark redis-cli java; do
  command -v "$tool" >/dev/null || { echo "bench-resp: $tool is missing (apt-get install redis-tools redis-server)" >&2; exit 2; }
done
[[ -f "$root/kv-cli/target/kv.jar" ]] || { echo "bench-resp: build kv-cli/target/kv.jar first (mvn -B package)" >&2; exit 2; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# A copy, so that a rebuild of kv.jar during the run cannot pull classes from under the server.
cp "$root/kv-cli/target/kv.jar" "$work/kv.jar"

wait_ready() {
  for _ in $(seq 1 200); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench-resp: nothing answers on port $1" >&2
  return 1
}

# Prints "<set rps> <get rps>" of one measured run against port $1.
measure() {
  redis-benchmark -p "$1" -c "$clients" -n "$warmup" -t set,get -q >/dev/null
  redis-benchmark -p "$1" -c "$clients" -n "$requests" -t set,get -q | tr '\r' '\n' \
    | awk '/^SET: [0-9]/ {set=$2} /^GET: [0-9]/ {get=$2} END {print set, get}'
}

start_redis() { # port fsync-policy
  mkdir -p "$work/redis-$2"
  redis-server --port "$1" --dir "$work/redis-$2" --appendonly yes --appendfsync "$2" --save '' \
    --logfile "$work/redis-$2.log" &
  pids+=("$!")
  wait_ready "$1"
}

kv_port=$base_port
mkdir -p "$work/kv"
# shellcheck disable=SC2086  # KV_SERVE_JAVA_OPTS is a list of options
java ${KV_SERVE_JAVA_OPTS:-} -jar "$work/kv.jar" --data-dir "$work/kv" serve --port "$kv_port" \
  >"$work/kv.out" 2>"$work/kv.err" &
pids+=("$!")
wait_ready "$kv_port"
read -r kv_set kv_get < <(measure "$kv_port")
redis-cli -p "$kv_port" info persistence | grep -q 'kv_durability:fsync'
kill "${pids[0]}"

start_redis $((base_port + 1)) always
read -r always_set always_get < <(measure $((base_port + 1)))
start_redis $((base_port + 2)) everysec
read -r everysec_set everysec_get < <(measure $((base_port + 2)))

echo "redis-benchmark -c $clients -n $requests -t set,get -q (after $warmup warm-up requests), requests per second:"
printf '  %-28s SET %10s   GET %10s\n' "kv serve (fsync)" "$kv_set" "$kv_get" \
  "redis appendfsync always" "$always_set" "$always_get" \
  "redis appendfsync everysec" "$everysec_set" "$everysec_get"
awk -v ks="$kv_set" -v kg="$kv_get" -v rs="$always_set" -v rg="$always_get" -v es="$everysec_set" -v eg="$everysec_get" \
  'BEGIN { printf "  resp-set-50 / redis-always-set-50 = %.2f (target >= 1.0)\n", ks / rs;
           printf "  resp-get-50 / redis-get-50 (always) = %.2f (target >= 0.5)\n", kg / rg;
           printf "  resp-set-50 / redis-everysec-set-50 = %.2f, resp-get-50 / redis-everysec-get-50 = %.2f\n", ks / es, kg / eg }'
echo "  machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

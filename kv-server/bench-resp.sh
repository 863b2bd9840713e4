#!/usr/bin/env bash
# Compares `kv serve` (fsync durability) with redis-server (appendonly yes, appendfsync always, then
# everysec) under the same redis-benchmark load (-c 50 -t set,get, after a warm-up), each on its own
# port and temp directory. A wrapper around the RESP scenarios of `./kv bench` (kv-bench,
# dev.kvactors.bench.RespComparison), which print the rows and the two target ratios:
#
#   kv-server/bench-resp.sh            # full: -n 100000 after 20000 warm-up requests
#   kv-server/bench-resp.sh --quick    # -n 20000 after 5000
#
# Needs kv-cli/target/kv.jar (mvn -B package), redis-server and redis-benchmark; without them the
# scenarios are reported as skipped. Results: target/bench/resp.json (other arguments, such as
# --out FILE, go to `./kv bench`).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/kv" bench --out "$root/target/bench/resp.json" \
  --only resp-set-50,resp-get-50,redis-always-set-50,redis-everysec-set-50,redis-get-50 "$@"

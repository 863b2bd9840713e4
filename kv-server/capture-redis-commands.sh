#!/usr/bin/env bash
# Regenerates src/main/resources/dev/kvactors/server/redis-7.0-commands.resp: the replies of a real
# Redis 7.0 (Debian's redis-server) to COMMAND INFO and COMMAND DOCS for the commands kv serve
# accepts or may accept, as raw RESP. CommandTable takes each command's ACL categories, tips, key
# specs and docs from it; name, arity, flags and key positions come from the table itself and
# CommandIntrospectionSideBySideTest checks them against a live redis-server.
#   kv-server/capture-redis-commands.sh
set -euo pipefail
cd "$(dirname "$0")"
out=src/main/resources/dev/kvactors/server/redis-7.0-commands.resp
names=(get set del exists mget mset keys scan dbsize flushdb flushall info ping echo quit auth hello select
  command config client type touch unlink randomkey strlen getrange setex psetex getex expire pexpire
  expireat pexpireat ttl pttl expiretime pexpiretime persist incr incrby decr decrby incrbyfloat append
  setrange getset getdel setnx msetnx rename renamenx copy multi exec discard watch unwatch)
dir="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
trap 'kill "$(cat "$dir/redis.pid")"; rm -rf "$dir"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
version="$(redis-cli -p "$port" info server | tr -d '\r' | sed -n 's/^redis_version://p')"
[[ "$version" == 7.0.* ]] || { echo "need Redis 7.0, found $version" >&2; exit 1; }
request() { # a RESP array of bulk strings
  printf '*%d\r\n' "$#"
  for a in "$@"; do printf '$%d\r\n%s\r\n' "${#a}" "$a"; done
}
exec 3<>"/dev/tcp/127.0.0.1/$port"
{ request COMMAND INFO "${names[@]}"; request COMMAND DOCS "${names[@]}"; request QUIT; } >&3
cat <&3 > "$dir/replies"
# Everything but QUIT's +OK.
head -c -5 "$dir/replies" > "$out"
echo "wrote $out from Redis $version ($(wc -c < "$out") bytes)"

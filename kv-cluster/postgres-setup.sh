#!/usr/bin/env bash
# Starts PostgreSQL for cluster mode and its tests, on 127.0.0.1 only, and creates the database and
# user they connect as. Idempotent: run it as often as you like (./test runs it before the build).
#
#   kv-cluster/postgres-setup.sh              # as root, or a user with sudo
#
# Needs Debian's PostgreSQL server (apt-get install -y postgresql); ./test installs it. What it does,
# step by step, so a user can do the same by hand:
#   1. pg_createcluster VERSION main          (only if no cluster "main" exists yet)
#   2. echo "listen_addresses = '127.0.0.1'" > /etc/postgresql/VERSION/main/conf.d/kv-listen.conf
#   3. pg_ctlcluster VERSION main start        (restart if it was listening elsewhere)
#   4. as the postgres user: CREATE ROLE kv LOGIN PASSWORD 'kv'; CREATE DATABASE kv OWNER kv;
#      CREATE DATABASE kv_test OWNER kv; CREATE DATABASE kv_bench OWNER kv;   (the tests and ./kv bench empty
#      their tables: never point them at kv)
# The journal's tables come from pekko-persistence-jdbc's own script
# (schema/postgres/postgres-create-schema.sql in its jar), applied by kv-cluster at start.
# Override with KV_PG_DATABASE, KV_PG_USER, KV_PG_PASSWORD (then set kv.cluster.postgres to match).
set -euo pipefail

database="${KV_PG_DATABASE:-kv}"
user="${KV_PG_USER:-kv}"
password="${KV_PG_PASSWORD:-kv}"

as_root=()
if [[ "$(id -u)" != 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "postgres-setup: not root and no sudo; run this script as root" >&2
    exit 1
  fi
  as_root=(sudo)
fi

version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "$version" || ! -x "/usr/lib/postgresql/$version/bin/postgres" ]] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "postgres-setup: no PostgreSQL server installed; as root run: apt-get update && apt-get install -y postgresql" >&2
  exit 1
fi

if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
  echo "postgres-setup: creating cluster $version/main" >&2
  ${as_root[@]+"${as_root[@]}"} pg_createcluster "$version" main >/dev/null
fi

# A drop-in (Debian's postgresql.conf includes conf.d/) rather than an edit of postgresql.conf.
conf="/etc/postgresql/$version/main/conf.d/kv-listen.conf"
restart=0
if [[ "$(cat "$conf" 2>/dev/null || true)" != "listen_addresses = '127.0.0.1'" ]]; then
  echo "listen_addresses = '127.0.0.1'" | ${as_root[@]+"${as_root[@]}"} tee "$conf" >/dev/null
  restart=1
fi

status="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }')"
port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"
if [[ "$status" != online* ]]; then
  ${as_root[@]+"${as_root[@]}"} pg_ctlcluster "$version" main start
elif ((restart)); then
  ${as_root[@]+"${as_root[@]}"} pg_ctlcluster "$version" main restart
fi

psql_postgres() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qAt "$@"
  else
    sudo -u postgres psql -p "$port" -v ON_ERROR_STOP=1 -qAt "$@"
  fi
}

for _ in $(seq 1 50); do
  psql_postgres -c 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.2
done

if [[ "$(psql_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != 1 ]]; then
  psql_postgres -c "CREATE ROLE \"$user\" LOGIN PASSWORD '$password'"
fi
# $database for the nodes, ${database}_test for the tests and ${database}_bench for ./kv bench (both empty their tables).
for db in "$database" "${database}_test" "${database}_bench"; do
  if [[ "$(psql_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]]; then
    psql_postgres -c "CREATE DATABASE \"$db\" OWNER \"$user\""
  fi
done

echo "postgres-setup: PostgreSQL $version on 127.0.0.1:$port, databases $database, ${database}_test and ${database}_bench, user $user" >&2

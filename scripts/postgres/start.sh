#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the tests (Debian's
# package, installed when absent) and prints two lines: the postgres:// URL
# of its superuser (password authentication) and the cluster's folder, for
# scripts/postgres/stop.sh. Everything lives in the folder; stop removes it.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres: installing Debian's postgresql" >&2
    as_root apt-get update -qq >&2 || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

# PostgreSQL refuses to run as root: the cluster then belongs to the postgres user.
run_as=()
if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi

folder=$(mktemp -d /tmp/qc-postgres.XXXXXX)
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$password" > "$folder/pwfile"
chmod 700 "$folder"
[ "$(id -u)" = 0 ] && chown -R postgres "$folder"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

"${run_as[@]}" "$bin/initdb" -D "$folder/data" -U qc --pwfile="$folder/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$folder/initdb.log" 2>&1 \
    || { cat "$folder/initdb.log" >&2; exit 1; }
rm -f "$folder/pwfile"
# Loopback only, no Unix socket in a system folder, sized for a test suite's parallel databases.
"${run_as[@]}" "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$folder -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { cat "$folder/server.log" >&2; exit 1; }
echo "postgres://qc:$password@127.0.0.1:$port/postgres?sslmode=disable"
echo "$folder"

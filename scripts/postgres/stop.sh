#!/usr/bin/env bash
# Stops the cluster scripts/postgres/start.sh started in FOLDER, and removes it.
set -euo pipefail
folder="$1"
[ -d "$folder/data" ] || exit 0
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
run_as=()
if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi
"${run_as[@]}" "$bin/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null 2>&1 || true
rm -rf "$folder"

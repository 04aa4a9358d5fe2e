#!/usr/bin/env bash
# Stops the moto server scripts/moto/start.sh started (PID).
set -uo pipefail
[ -n "${1:-}" ] && kill "$1" 2>/dev/null
exit 0

#!/usr/bin/env bash
# Installs PyPI's schemathesis into a private virtualenv for the API fuzz test.
#   SCHEMATHESIS_VENV  where the venv lives (default: <repo>/.venv-schemathesis)
# Exit codes: 0 ready; 3 PyPI unreachable (the fuzz test is skipped, visibly);
# anything else is a real failure. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${SCHEMATHESIS_VENV:-$repo/.venv-schemathesis}"
version="4.32.5"
source "$repo/scripts/lib/pip-venv.sh"
ready() { [ -x "$venv/bin/schemathesis" ] && "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; }
status=0
pip_venv schemathesis "$venv" "schemathesis==$version" ready || status=$?
if [ "$status" = 3 ]; then echo "schemathesis: the API fuzz test is skipped"; fi
exit "$status"

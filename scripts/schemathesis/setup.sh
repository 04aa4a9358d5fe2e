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
ready() { [ -x "$venv/bin/schemathesis" ] && "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; }
if ready; then echo "schemathesis: ready ($venv)"; exit 0; fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$venv/bin/python" -m pip install --disable-pip-version-check --quiet --retries 1 --timeout 20 "schemathesis==$version" >"$log" 2>&1; then
    if grep -Eqi 'NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Name or service not known|Network is unreachable|Connection refused|ConnectTimeout|ReadTimeout|ProxyError|Could not fetch URL' "$log"; then
        echo "schemathesis: PyPI unreachable, the API fuzz test is skipped"
        exit 3
    fi
    cat "$log" >&2
    echo "schemathesis: pip install failed" >&2
    exit 1
fi
ready || { echo "schemathesis: installed, but the command does not run from $venv" >&2; exit 1; }
echo "schemathesis: ready ($venv)"

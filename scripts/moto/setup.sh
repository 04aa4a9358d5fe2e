#!/usr/bin/env bash
# Installs PyPI's moto (its server: the AWS Secrets Manager the tests talk to)
# into a private virtualenv.  MOTO_VENV: where (default <repo>/.venv-moto).
# Exit codes: 0 ready; 3 PyPI unreachable; anything else a real failure. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${MOTO_VENV:-$repo/.venv-moto}"
version="5.2.5"
ready() { [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c "import moto, boto3; assert moto.__version__ == '$version'" 2>/dev/null; }
if ready; then echo "moto: ready ($venv)"; exit 0; fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$venv/bin/python" -m pip install --disable-pip-version-check --quiet --retries 1 --timeout 20 "moto[server]==$version" >"$log" 2>&1; then
    if grep -Eqi 'NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Name or service not known|Network is unreachable|Connection refused|ConnectTimeout|ReadTimeout|ProxyError|Could not fetch URL' "$log"; then
        echo "moto: PyPI unreachable"
        exit 3
    fi
    cat "$log" >&2
    echo "moto: pip install failed" >&2
    exit 1
fi
ready || { echo "moto: installed, but it does not run from $venv" >&2; exit 1; }
echo "moto: ready ($venv)"

#!/usr/bin/env bash
# Creates the private virtualenv used by the QVD interoperability tests and
# installs the two independent QVD implementations (pyqvd, qvdrs) into it.
#
#   QVD_PEERS_VENV   where the venv lives (default: <repo>/.venv-qvd-peers,
#                    git-ignored through /.venv*/)
#
# Exit codes: 0 ready; 3 PyPI unreachable (callers skip the interop tests and
# say so); anything else is a real failure.
# Idempotent: when both libraries already import from the venv, nothing is
# installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${QVD_PEERS_VENV:-$repo/.venv-qvd-peers}"
py="$venv/bin/python"

# Pinned peers and what they need at run time. qvdrs (imported as `qvd`)
# exchanges typed columns as pyarrow tables, so pyarrow is needed for reading
# and writing; it is qvdrs's own dependency, pinned here for reproducibility.
# qlik-sdk is Qlik's official Python client: the sandbox tenant's tests run its REST flows.
requirements=(pyqvd==2.3.2 qvdrs==0.7.1 pyarrow==26.0.1 qlik-sdk==0.17.0)

skip() {
    echo "qvd-peers: PyPI unreachable, interop tests skipped"
    exit 3
}

ready() {
    [ -x "$py" ] || return 1
    "$py" - <<'PY' >/dev/null 2>&1
import importlib.metadata as m
assert m.version("pyqvd") == "2.3.2", "pyqvd"
assert m.version("qvdrs") == "0.7.1", "qvdrs"
assert m.version("qlik-sdk") == "0.17.0", "qlik-sdk"
import pyqvd, qvd, pyarrow, qlik_sdk  # noqa: F401  (qvdrs's module is named `qvd`)
PY
}

if ready; then
    echo "qvd-peers: ready ($venv)"
    exit 0
fi

if [ ! -x "$py" ]; then
    python3 -m venv "$venv"
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$py" -m pip install --disable-pip-version-check --quiet \
        --retries 1 --timeout 20 "${requirements[@]}" >"$log" 2>&1; then
    # pip logs these when the index cannot be reached at all (DNS failure,
    # refused connection, timeouts, proxy errors). A version that is simply
    # missing from a reachable index is a real failure, not a skip.
    if grep -Eqi 'NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Name or service not known|Network is unreachable|Connection refused|ConnectTimeout|ReadTimeout|ProxyError|Could not fetch URL' "$log"; then
        skip
    fi
    cat "$log" >&2
    echo "qvd-peers: pip install failed" >&2
    exit 1
fi

if ! ready; then
    echo "qvd-peers: installed, but pyqvd/qvdrs do not import from $venv" >&2
    exit 1
fi
echo "qvd-peers: ready ($venv)"

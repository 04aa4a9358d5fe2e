# Installs one PyPI requirement into a private virtualenv; sourced by the setup scripts.
#   pip_venv NAME VENV REQUIREMENT READY-COMMAND...
# Returns 0 when ready, 3 when PyPI is unreachable, 1 on any other failure.
pip_venv() {
    local name="$1" venv="$2" requirement="$3"
    shift 3
    if "$@"; then echo "$name: ready ($venv)"; return 0; fi
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    local log
    log="$(mktemp)"
    if ! "$venv/bin/python" -m pip install --disable-pip-version-check --quiet --retries 1 --timeout 20 "$requirement" >"$log" 2>&1; then
        if grep -Eqi 'NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Name or service not known|Network is unreachable|Connection refused|ConnectTimeout|ReadTimeout|ProxyError|Could not fetch URL' "$log"; then
            rm -f "$log"
            echo "$name: PyPI unreachable"
            return 3
        fi
        cat "$log" >&2
        rm -f "$log"
        echo "$name: pip install failed" >&2
        return 1
    fi
    rm -f "$log"
    "$@" || { echo "$name: installed, but it does not run from $venv" >&2; return 1; }
    echo "$name: ready ($venv)"
}

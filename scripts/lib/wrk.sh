# Makes sure wrk (Debian's package) is on the PATH; sourced by the benchmarks that load a server with it.
ensure_wrk() {
    command -v wrk >/dev/null && return 0
    echo "installing wrk (Debian's package)" >&2
    local as_root=()
    [ "$(id -u)" = 0 ] || as_root=(sudo)
    # A fresh machine may have no package lists yet: update once when the install cannot find it.
    "${as_root[@]}" apt-get install -y -qq wrk >&2 2>/dev/null \
        || { "${as_root[@]}" apt-get update -qq >&2 && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }
}

#!/usr/bin/env bash
# Installs PyPI's moto (its server: the AWS Secrets Manager the tests talk to)
# into a private virtualenv.  MOTO_VENV: where (default <repo>/.venv-moto).
# Exit codes: 0 ready; 3 PyPI unreachable; anything else a real failure. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${MOTO_VENV:-$repo/.venv-moto}"
version="5.2.5"
source "$repo/scripts/lib/pip-venv.sh"
ready() { [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c "import moto, boto3; assert moto.__version__ == '$version'" 2>/dev/null; }
status=0
pip_venv moto "$venv" "moto[server]==$version" ready || status=$?
exit "$status"

#!/usr/bin/env bash
# Installs PyPI's openlineage-python (OpenLineage's own generated classes of its
# spec) and jsonschema into a private virtualenv for the OpenLineage checker
# (scripts/openlineage/check.py) that the discover tests hand their events to.
#   OPENLINEAGE_VENV  where the venv lives (default: <repo>/.venv-openlineage)
# Exit codes: 0 ready; 3 PyPI unreachable (the check is skipped, visibly);
# anything else is a real failure. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${OPENLINEAGE_VENV:-$repo/.venv-openlineage}"
source "$repo/scripts/lib/pip-venv.sh"
ready() {
    [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "
from importlib.metadata import version
assert version('openlineage-python') == '1.54.0' and version('jsonschema') == '4.26.0'" 2>/dev/null
}
status=0
# Both pins live in requirements.txt; pip_venv passes its requirement to pip as one argument.
pip_venv openlineage "$venv" "--requirement=$here/requirements.txt" ready || status=$?
if [ "$status" = 3 ]; then echo "openlineage: the OpenLineage validation test is skipped"; fi
exit "$status"

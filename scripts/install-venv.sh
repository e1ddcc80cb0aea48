#!/usr/bin/env bash
# Creates (or completes) a virtual environment holding exactly the locked set:
#   scripts/install-venv.sh VENV_DIR
# Why --no-deps: the lock is already the whole resolved set (uv pip compile), so pip must only
# fetch and hash-check those files. Resolving again lets an old bundled pip (23.2 with Python
# 3.11) ignore a pin behind an extra (weasyprint -> fonttools[woff]) and pick a release made
# after the lock. Installing without resolving works with any pip; `pip check` then proves the
# locked set is complete and consistent.
set -euo pipefail
venv=${1:?usage: scripts/install-venv.sh VENV_DIR}
root="$(cd "$(dirname "$0")/.." && pwd)"
python=${PYTHON:-python3}
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --quiet --disable-pip-version-check)
"${pip[@]}" install --no-deps --require-hashes -r "$root/requirements-build.lock"
"${pip[@]}" install --no-deps --require-hashes -r "$root/requirements.lock"
"${pip[@]}" install --no-deps --no-build-isolation -e "$root"
"$venv/bin/python" -m pip check --disable-pip-version-check

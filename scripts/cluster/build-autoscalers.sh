#!/usr/bin/env bash
# Builds what makes the local cluster's autoscalers act: metrics-server (CPU for the HPA) and KEDA's
# operator and metrics apiserver (the backlog for ScaledObjects), from the Go module proxy, cached
# by version; prints the directory holding metrics-server, keda-operator, keda-adapter and keda-crds/.
# KEDA's go.mod has a `replace`, which Go ignores in a dependency: the throwaway module repeats it.
set -euo pipefail

metrics_server_version="${METRICS_SERVER_VERSION:-0.9.0}"
keda_version="${KEDA_VERSION:-2.21.0}"
cache="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
out="$cache/autoscalers-ms$metrics_server_version-keda$keda_version"
commands=(metrics-server keda-operator keda-adapter)
built() { local c; for c in "${commands[@]}"; do [ -x "$out/$c" ] || return 1; done; [ -d "$out/keda-crds" ]; }
if built; then echo "$out"; exit 0; fi

gobin="$(bash "$(dirname "$0")/../install-go.sh")"
export PATH="$gobin:$PATH"
work="$cache/autoscalers-build-ms$metrics_server_version-keda$keda_version"
echo "build-autoscalers: building metrics-server v$metrics_server_version and KEDA v$keda_version into $out (the first build takes 10 to 20 minutes on 2 cores)" >&2
mkdir -p "$work"
cd "$work"
cat > go.mod <<MOD
module bullpen.local/autoscalers-build

go 1.26.0

require (
	github.com/kedacore/keda/v2 v$keda_version
	sigs.k8s.io/metrics-server v$metrics_server_version
)
MOD
go mod download -json "github.com/kedacore/keda/v2@v$keda_version" >/dev/null
modfile="$(go env GOMODCACHE)/cache/download/github.com/kedacore/keda/v2/@v/v$keda_version.mod"
grep '^replace ' "$modfile" >> go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "github.com/kedacore/keda/v2/cmd/adapter"
	_ "github.com/kedacore/keda/v2/cmd/operator"
	_ "sigs.k8s.io/metrics-server/cmd/metrics-server"
)
GO
go mod tidy >&2
rm -rf "$out.tmp"; mkdir -p "$out.tmp"
# One `go build` of all three shares the Kubernetes libraries' compilation.
go build -ldflags "-s -w" -o "$out.tmp/" github.com/kedacore/keda/v2/cmd/operator github.com/kedacore/keda/v2/cmd/adapter \
  sigs.k8s.io/metrics-server/cmd/metrics-server >&2
mv "$out.tmp/operator" "$out.tmp/keda-operator"
mv "$out.tmp/adapter" "$out.tmp/keda-adapter"
# The operator watches all four of KEDA's kinds: every CRD of the release goes with it.
mkdir "$out.tmp/keda-crds"
cp "$(go list -m -f '{{.Dir}}' "github.com/kedacore/keda/v2")"/config/crd/bases/*.yaml "$out.tmp/keda-crds/"
rm -rf "$out"; mv "$out.tmp" "$out"
echo "$out"

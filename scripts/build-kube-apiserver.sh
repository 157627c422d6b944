#!/usr/bin/env bash
# Builds kube-apiserver from the k8s.io/kubernetes Go module (no Docker, no downloads beyond the
# Go module proxy) for the e2e tests, cached by version. Prints the binary's path.
# k8s.io/kubernetes is not meant to be imported: its go.mod points every k8s.io staging module at
# ./staging with version v0.0.0, so a throwaway module replaces each with its published v0.N.P.
set -euo pipefail

version="${KUBE_VERSION:-1.35.4}"
cache="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
bin="$cache/bin/kube-apiserver-v$version"
# A binary counts only if it reports its version: helm checks a chart's kubeVersion against it.
if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "Kubernetes v$version" ]; then echo "$bin"; exit 0; fi

work="$cache/kube-build-v$version"
echo "build-kube-apiserver: building kube-apiserver v$version into $bin (the first build takes about 10 minutes on 2 cores)" >&2
mkdir -p "$work" "$cache/bin"
cd "$work"
staging_version="v0.${version#1.}"
cat > go.mod <<MOD
module bullpen.local/kube-build

go 1.25.0

require k8s.io/kubernetes v$version
MOD
# The staging modules are the ones k8s.io/kubernetes requires at v0.0.0.
go mod download -json "k8s.io/kubernetes@v$version" >/dev/null
modfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$version.mod"
for module in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$modfile"); do
  echo "replace $module => $module $staging_version" >> go.mod
done
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
go mod tidy >&2
# What hack/lib/version.sh stamps in a release build; without it /version says v0.0.0-master and
# helm refuses any chart with a kubeVersion constraint.
major="${version%%.*}"; minor="${version#*.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=v$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
go build -ldflags "$ldflags" -o "$bin.tmp" k8s.io/kubernetes/cmd/kube-apiserver >&2
mv "$bin.tmp" "$bin"
echo "$bin"

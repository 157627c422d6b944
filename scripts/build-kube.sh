#!/usr/bin/env bash
# Builds the five Kubernetes node binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kube-proxy) from the k8s.io/kubernetes Go module: no Docker, no
# downloads beyond the Go module proxy. Cached by version; prints the directory holding them.
# k8s.io/kubernetes is not meant to be imported: its go.mod points every k8s.io staging module at
# ./staging with version v0.0.0, so a throwaway module replaces each with its published v0.N.P.
# One `go build -o DIR` of all five shares the compilation (about 6 minutes cold, 20 s warm).
set -euo pipefail

version="${KUBE_VERSION:-1.35.4}"
cache="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
out="$cache/kube-v$version"
commands=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
# A binary counts only if it reports its version: helm checks a chart's kubeVersion against it.
built() {
  local c
  for c in "${commands[@]}"; do
    [ -x "$out/$c" ] && [ "$("$out/$c" --version 2>/dev/null)" = "Kubernetes v$version" ] || return 1
  done
}
if built; then echo "$out"; exit 0; fi

# Go: the one on PATH if new enough, else the pinned toolchain from the Go module proxy (cached).
gobin="$(bash "$(dirname "$0")/install-go.sh")"
export PATH="$gobin:$PATH"
work="$cache/kube-build-v$version"
echo "build-kube: building Kubernetes v$version into $out (the first build takes 6 to 10 minutes on 2 cores)" >&2
mkdir -p "$work"
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
{
  printf '//go:build tools\n\npackage tools\n\nimport (\n'
  for c in "${commands[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
  printf ')\n'
} > tools.go
go mod tidy >&2
# What hack/lib/version.sh stamps in a release build; without it /version says v0.0.0-master and
# helm refuses any chart with a kubeVersion constraint.
major="${version%%.*}"; minor="${version#*.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=v$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
# Build into a temporary directory and rename, so a concurrent reader never sees half a set.
rm -rf "$out.tmp"; mkdir -p "$out.tmp"
go build -ldflags "$ldflags" -o "$out.tmp/" "${commands[@]/#/k8s.io/kubernetes/cmd/}" >&2
rm -rf "$out"; mv "$out.tmp" "$out"
built || { echo "build-kube: the built binaries do not report Kubernetes v$version" >&2; exit 1; }
echo "$out"

#!/usr/bin/env bash
# Puts KEDA's own CustomResourceDefinitions for ScaledObject and TriggerAuthentication (full
# OpenAPI schemas, so the API server validates the chart's objects) in
# ${BULLPEN_CACHE:-$HOME/.cache/bullpen}/keda-crds-v<version> and prints that directory.
# They come from the KEDA Go module (the Go module proxy serves the whole repository, CRDs included).
set -euo pipefail

version="${KEDA_VERSION:-2.21.0}"
cache="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
out="$cache/keda-crds-v$version"
crds=(keda.sh_scaledobjects.yaml keda.sh_triggerauthentications.yaml)
if [ -f "$out/${crds[0]}" ] && [ -f "$out/${crds[1]}" ]; then echo "$out"; exit 0; fi

command -v go >/dev/null || { echo "fetch-keda-crds: needs Go (to fetch github.com/kedacore/keda/v2 from the module proxy)" >&2; exit 1; }
dir="$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "github.com/kedacore/keda/v2@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
[ -d "$dir/config/crd/bases" ] || { echo "fetch-keda-crds: no config/crd/bases in github.com/kedacore/keda/v2@v$version" >&2; exit 1; }
mkdir -p "$out.tmp.$$"
for crd in "${crds[@]}"; do cp "$dir/config/crd/bases/$crd" "$out.tmp.$$/"; done
rm -rf "$out" && mv "$out.tmp.$$" "$out"
echo "$out"

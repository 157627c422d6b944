#!/usr/bin/env bash
# `make images`: builds bullpen-api and bullpen-worker from Dockerfile.api / Dockerfile.worker.
#   - With a Docker engine that answers: `docker build` on the real node:24-bookworm-slim base.
#   - Otherwise with buildah (Debian), never pulling. Where no registry serves the base image, a
#     local stand-in is made (node-base.sh); with it come a Redis image for the chart's bundled
#     Redis and the pause image the local cluster needs. The images are also exported as archives
#     to ${BULLPEN_CACHE}/images for `make cluster-up` to load.
# Usage: build.sh TAG [REGISTRY_PREFIX]. BULLPEN_IMAGE_BUILDER=buildah skips Docker even where an
# engine answers: the local cluster loads buildah's archives and its own Redis and pause images.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tag="$1"; prefix="${2:-}"
cd "$root"

if [ "${BULLPEN_IMAGE_BUILDER:-}" != buildah ] && docker info >/dev/null 2>&1; then
  docker build -f Dockerfile.api -t "${prefix}bullpen-api:$tag" .
  docker build -f Dockerfile.worker -t "${prefix}bullpen-worker:$tag" .
  exit 0
fi
command -v buildah >/dev/null 2>&1 || {
  echo "make images: no Docker engine answers and buildah is missing; install one (Debian: apt-get install -y buildah)" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || { echo "make images: buildah without a Docker engine needs root here (sudo make images)" >&2; exit 1; }

cache="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
archives="$cache/images"
mkdir -p "$archives"
base="$(bash "$here/node-base.sh")"

# npm install inside the build needs the registry; TLS to it may be intercepted by a proxy whose CA
# only the host trusts. The host's CA bundle and an npmrc naming it are mounted into the RUN
# steps only, so neither lands in an image layer.
build_conf="$(mktemp -d)"; trap 'rm -rf "$build_conf"' EXIT
host_ca="$(npm config get cafile 2>/dev/null || true)"
[ -f "$host_ca" ] || host_ca=/etc/ssl/certs/ca-certificates.crt
printf 'cafile=/run/bullpen-build-ca.pem\nregistry=%s\naudit=false\nfund=false\nupdate-notifier=false\n' \
  "$(npm config get registry)" > "$build_conf/npmrc"

build() { # build DOCKERFILE NAME
  buildah bud --pull=never --layers --quiet --runtime /usr/sbin/runc --network host \
    --volume "$host_ca:/run/bullpen-build-ca.pem:ro" --volume "$build_conf/npmrc:/usr/local/etc/npmrc:ro" \
    --build-arg NODE_IMAGE="$base" -f "$1" -t "${prefix}$2:$tag" . >/dev/null
  echo "images: built ${prefix}$2:$tag" >&2
}
build Dockerfile.api bullpen-api
build Dockerfile.worker bullpen-worker
bash "$here/redis-image.sh"
bash "$here/pause-image.sh"

# One archive per image; the CRI expands a bare chart name to docker.io/library/NAME, so archives
# carry that full name.
ref_of() { case "$1" in */*) echo "$1";; *) echo "docker.io/library/$1";; esac; }
for name in bullpen-api bullpen-worker; do
  bash "$here/export.sh" "${prefix}$name:$tag" "$(ref_of "${prefix}$name:$tag")" "$archives" >/dev/null
done
bash "$here/export.sh" localhost/bullpen-redis:local "$(bash "$here/redis-image.sh" --ref)" "$archives" >/dev/null
bash "$here/export.sh" localhost/bullpen-pause:1 docker.io/library/bullpen-pause:1 "$archives" >/dev/null

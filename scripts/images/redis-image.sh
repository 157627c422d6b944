#!/usr/bin/env bash
# A local stand-in for the chart's bundled Redis image where no registry serves it: Debian
# bookworm minbase with Debian's redis-server (rootfs.sh). What the chart's StatefulSet needs of
# it: redis-server, redis-cli and sh on PATH, uid/gid 999, a /data directory.
#   redis-image.sh         build localhost/bullpen-redis:local (cached)
#   redis-image.sh --ref   print the image name the chart uses by default, which the local
#                          cluster loads this image under
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ "${1:-}" = --ref ]; then
  node -e '
    const { parse } = require("yaml");
    const redis = parse(require("fs").readFileSync(process.argv[1], "utf8")).redis;
    console.log(typeof redis.image === "string" ? redis.image : `${redis.image.repository}:${redis.image.tag}`);
  ' "$root/charts/bullpen/values.yaml"
  exit 0
fi
image=localhost/bullpen-redis:local
if buildah inspect --type image "$image" >/dev/null 2>&1; then exit 0; fi
rootfs="$(bash "$here/rootfs.sh" redis redis-server)"
ctr=""; trap '[ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1' EXIT
ctr="$(buildah from scratch)"
mnt="$(buildah mount "$ctr")"
cp -a "$rootfs/." "$mnt/"
# The official image's user is redis with uid/gid 999; the chart runs as 999.
chroot "$mnt" sh -c 'groupmod --gid 999 redis && usermod --uid 999 --gid 999 redis && mkdir -p /data && chown redis:redis /data'
buildah umount "$ctr" >/dev/null
buildah config --workingdir /data --user 999:999 --cmd redis-server \
  --label org.opencontainers.image.description="Local stand-in for the official redis image" "$ctr"
buildah commit --quiet "$ctr" "$image" >/dev/null
echo "images: built $image" >&2

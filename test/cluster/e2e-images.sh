#!/usr/bin/env bash
# The cluster suite's images: the shipped bullpen-api and bullpen-worker images (make images) plus
# the suite's job classes (fixtures/workers/: one of a known length, one CPU-bound), tagged TAG-e2e
# and loaded into the running local cluster. Both images need them: the API validates a job against
# its class before enqueueing it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$root/scripts/cluster/env.sh"
tag="$1"
work="$(mktemp -d)"; ctr=""
trap '[ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1; rm -rf "$work"' EXIT

# Compiled exactly as the images' own workers are (scripts/esbuild-options.js).
node -e '
  const { loader, ...options } = require(process.argv[1]);
  const entryPoints = process.argv.slice(2, -1);
  require("esbuild").buildSync({ ...options, entryPoints, outdir: process.argv.at(-1), logLevel: "warning" });
' "$root/scripts/esbuild-options.js" "$here"/fixtures/workers/*.ts "$work"
for name in bullpen-api bullpen-worker; do
  image="$name:$tag-e2e"
  ctr="$(buildah from --pull=never "localhost/$name:$tag")"
  for module in "$work"/*.js; do
    buildah copy --quiet --chown 0:0 "$ctr" "$module" "/app/services/jobs/dist/workers/$(basename "$module")" >/dev/null
  done
  buildah commit --quiet "$ctr" "localhost/$image" >/dev/null
  buildah rm "$ctr" >/dev/null; ctr=""
  archive="$(bash "$root/scripts/images/export.sh" "localhost/$image" "docker.io/library/$image" "$work/archives")"
  "$root/scripts/cluster-run" ctr --address "$CONTAINERD_SOCK" -n k8s.io images import --no-unpack "$archive" >/dev/null
  echo "e2e-images: loaded $image" >&2
done

#!/usr/bin/env bash
# Writes buildah's IMAGE as a docker-archive named REF into DIR (for `ctr images import`), and
# rewrites it only when the image changed. Prints the archive's path.
# Usage: export.sh IMAGE REF DIR
set -euo pipefail
image="$1"; ref="$2"; dir="$3"
file="$dir/$(echo "$ref" | tr '/:' '__').tar"
id="$(buildah inspect --type image --format '{{.FromImageID}}' "$image")"
if [ ! -f "$file" ] || [ "$(cat "$file.id" 2>/dev/null)" != "$id" ]; then
  mkdir -p "$dir"; rm -f "$file"
  buildah push --quiet "$image" "docker-archive:$file.tmp:$ref" >/dev/null
  mv "$file.tmp" "$file"; echo "$id" > "$file.id"
  echo "images: exported $ref" >&2
fi
echo "$file"

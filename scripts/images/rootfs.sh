#!/usr/bin/env bash
# Makes (once, cached) a Debian bookworm minbase root filesystem for a local stand-in image and
# prints its directory. Usage: rootfs.sh NAME [PACKAGE,...]
# Used where no registry serves node:24-bookworm-slim or redis: debootstrap needs only Debian's mirror.
set -euo pipefail

name="$1"; packages="${2:-}"
cache="${BULLPEN_CACHE:-$HOME/.cache/bullpen}/rootfs"
dir="$cache/$name"
stamp="$dir.stamp"
want="bookworm minbase ${packages}"
if [ -d "$dir" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then echo "$dir"; exit 0; fi

command -v debootstrap >/dev/null 2>&1 || { echo "rootfs: needs debootstrap (apt-get install -y debootstrap)" >&2; exit 1; }
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
echo "rootfs: debootstrap bookworm ($name${packages:+ with $packages}) from $mirror" >&2
rm -rf "$dir.tmp" "$dir"; mkdir -p "$cache"
debootstrap --variant=minbase ${packages:+--include="$packages"} bookworm "$dir.tmp" "$mirror" >&2
# What node:*-slim images also leave out: apt lists, docs, man pages, locales, caches.
chroot "$dir.tmp" apt-get clean
rm -rf "$dir.tmp"/var/lib/apt/lists/* "$dir.tmp"/usr/share/{doc,man,info,locale}/* "$dir.tmp"/var/cache/* \
  "$dir.tmp"/var/log/*.log "$dir.tmp"/tmp/*
mv "$dir.tmp" "$dir"
echo "$want" > "$stamp"
echo "$dir"

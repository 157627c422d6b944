#!/usr/bin/env bash
# Prints a directory holding a Go >= 1.26 `go` (KEDA v2.21's module needs 1.26, k8s.io/kubernetes
# v1.35 needs 1.25), for `PATH="$(bash scripts/install-go.sh):$PATH"`. When the `go` on PATH is new
# enough it prints that go's directory and fetches nothing. Otherwise it puts the pinned toolchain
# in ${BULLPEN_CACHE:-$HOME/.cache/bullpen}/go<version> and prints its bin. Idempotent.
#
# Why the Go module proxy: it serves every Go release as the module golang.org/toolchain, which is
# how `go` itself switches toolchains (GOTOOLCHAIN); this does the same where no `go` is installed.
# The version and the zip's digest are pinned so every machine builds with the same Go.
set -euo pipefail

GO_MIN_MINOR=26
GO_VERSION=1.26.11
GO_ZIP_SHA256=e1edb778de0aa08c8e827f5a873b35a46afe680fb241482c531725b2355e470d
CACHE="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
GOROOT_DIR="$CACHE/go$GO_VERSION"

# A Go that is new enough already (e.g. go1.26.0 or go1.27.2): use it as it is.
if current="$(command -v go 2>/dev/null)"; then
  version="$(cd / && GOTOOLCHAIN=local go env GOVERSION 2>/dev/null || true)"
  if [[ "$version" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] >= GO_MIN_MINOR)); then
    dirname "$current"
    exit 0
  fi
fi

if [[ -x "$GOROOT_DIR/bin/go" ]]; then
  echo "$GOROOT_DIR/bin"
  exit 0
fi

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "install-go: the pinned toolchain is linux-amd64; on $(uname -s)-$(uname -m) install Go >= 1.$GO_MIN_MINOR yourself and put it first on PATH" >&2
  exit 1
fi
for tool in curl unzip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-go: needs $tool to fetch Go $GO_VERSION; install it with: sudo apt-get install -y $tool" >&2; exit 1; }
done

# The first proxy of GOPROXY (as go would use it), else Go's default one.
proxy="${GOPROXY:-https://proxy.golang.org}"
proxy="${proxy%%[,|]*}"; proxy="${proxy%/}"
[[ "$proxy" == http* ]] || proxy="https://proxy.golang.org"
module="golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-amd64"
url="$proxy/golang.org/toolchain/@v/v0.0.1-go$GO_VERSION.linux-amd64.zip"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "install-go: fetching Go $GO_VERSION ($module)" >&2
if ! curl -fsL --retry 2 -o "$work/go.zip" "$url"; then
  echo "install-go: cannot fetch $url; install Go >= 1.$GO_MIN_MINOR yourself and put it first on PATH" >&2
  exit 1
fi
if ! echo "$GO_ZIP_SHA256  $work/go.zip" | sha256sum -c --status; then
  echo "install-go: $module does not match its pinned sha256; refusing to install it" >&2
  exit 1
fi
unzip -q "$work/go.zip" -d "$work"
mkdir -p "$CACHE"
# Move into place in one rename, so a concurrent run never sees half a toolchain.
rm -rf "$GOROOT_DIR.tmp.$$"
mv "$work/$module" "$GOROOT_DIR.tmp.$$"
mv -T "$GOROOT_DIR.tmp.$$" "$GOROOT_DIR" 2>/dev/null || rm -rf "$GOROOT_DIR.tmp.$$"

echo "install-go: $("$GOROOT_DIR/bin/go" version) in $GOROOT_DIR" >&2
echo "$GOROOT_DIR/bin"

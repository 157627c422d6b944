#!/usr/bin/env bash
# Builds a small CoreDNS (only the plugins the local cluster's DNS uses) from the Go module proxy,
# cached by version; prints the binary's path. CoreDNS's own main pulls in every cloud plugin;
# setting dnsserver.Directives is its documented way to build a smaller server.
set -euo pipefail

version="${COREDNS_VERSION:-1.14.7}"
cache="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
bin="$cache/bin/coredns-v$version"
# The version read whole, not piped to grep -q: under pipefail, grep quitting early can SIGPIPE
# CoreDNS and fail the check, rebuilding a binary that was fine.
if [ -x "$bin" ] && [[ "$("$bin" -version 2>/dev/null)" == *"CoreDNS-$version"* ]]; then echo "$bin"; exit 0; fi

work="$cache/coredns-build-v$version"
echo "build-coredns: building CoreDNS v$version into $bin" >&2
mkdir -p "$work" "$cache/bin"
cd "$work"
cat > go.mod <<MOD
module bullpen.local/coredns

go 1.25.0

require github.com/coredns/coredns v$version
MOD
# Plugin order matters: it is the order CoreDNS's plugin.cfg gives them.
cat > main.go <<'GO'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"bind", "ready", "health", "errors", "cache", "kubernetes"}
}

func main() { coremain.Run() }
GO
go mod tidy >&2
go build -ldflags "-s -w" -o "$bin.tmp" . >&2
mv "$bin.tmp" "$bin"
echo "$bin"

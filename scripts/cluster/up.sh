#!/usr/bin/env bash
# `make cluster-up`: a real single-node Kubernetes whose pods run, with metrics-server and KEDA, in
# a network namespace of its own (no veth to the host, no default route: nothing in it can reach
# or be reached from outside). Idempotent: a running cluster is left as it is (an autoscaler that
# is not running is started). `make cluster-down` undoes everything.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$BULLPEN_ROOT"

usage() {
  cat <<USAGE
cluster: up (Kubernetes v$KUBE_VERSION, node $NODE_NAME, network namespace $CLUSTER_NETNS)
  scripts/cluster-run kubectl get pods -A        any command, with KUBECONFIG, helm and kubectl set
  scripts/cluster-run make deploy ENV=preview    install the chart
  make cluster-down                              stop it and remove what it made
USAGE
}
autoscalers() { # builds (cached) and starts metrics-server and KEDA; leaves running ones alone
  bash scripts/cluster/autoscalers.sh "$(flock "$BULLPEN_CACHE/.autoscalers-build.lock" bash scripts/cluster/build-autoscalers.sh)"
}
if node_pid >/dev/null && scripts/cluster-run kubectl get --raw /readyz >/dev/null 2>&1; then autoscalers; usage; exit 0; fi

[ "$(id -u)" = 0 ] || { echo "cluster-up: needs root (network and mount namespaces, cgroups): sudo make cluster-up" >&2; exit 1; }
missing="$(bash scripts/cluster/prerequisites.sh | tr '\n' ' ')"
if [ -n "$missing" ]; then
  echo "cluster-up: missing ${missing% }; install with: apt-get install -y --no-install-recommends ${missing% }" >&2
  exit 1
fi
# Half-set-up leftovers of an earlier run (killed, crashed) go first.
bash "$(dirname "$0")/down.sh" --quiet

started=$(date +%s)
bin="$(flock "$BULLPEN_CACHE/.kube-build.lock" bash scripts/build-kube.sh)"
coredns="$(flock "$BULLPEN_CACHE/.coredns-build.lock" bash scripts/cluster/build-coredns.sh)"
flock "$BULLPEN_CACHE/.autoscalers-build.lock" bash scripts/cluster/build-autoscalers.sh >/dev/null
bash scripts/install-helm.sh >/dev/null
BULLPEN_IMAGE_BUILDER=buildah make --no-print-directory images
mkdir -p "$CLUSTER_DIR"
bash scripts/cluster/pki.sh

# libcni keeps a cache under this fixed path; the node mounts a private tmpfs over it.
if [ ! -d /var/lib/cni ]; then mkdir -p /var/lib/cni && echo /var/lib/cni >> "$CLUSTER_DIR/created-paths"; fi
# `ip netns add` makes /run/netns a mount point the first time; down.sh undoes that too.
[ -d /run/netns ] || echo /run/netns >> "$CLUSTER_DIR/created-paths"
mountpoint -q /run/netns || echo /run/netns >> "$CLUSTER_DIR/created-mounts"
ip netns add "$CLUSTER_NETNS"
ip -n "$CLUSTER_NETNS" link add "$BRIDGE" type bridge
ip -n "$CLUSTER_NETNS" addr add "$NODE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
ip -n "$CLUSTER_NETNS" link set "$BRIDGE" up
# Without it, a connection from the node itself (helm test, curl) to a ClusterIP has no route
# before kube-proxy's DNAT ever sees it.
ip -n "$CLUSTER_NETNS" route add "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
nsenter --net="/run/netns/$CLUSTER_NETNS" readlink /proc/self/ns/net > "$CLUSTER_DIR/netns.id"

mkdir -p "$CLUSTER_DIR/logs"
setsid nsenter --net="/run/netns/$CLUSTER_NETNS" unshare --mount --propagation private \
  bash scripts/cluster/node.sh "$bin" "$coredns" > "$CLUSTER_DIR/logs/node.log" 2>&1 < /dev/null &
for _ in $(seq 1 600); do
  grep -q 'all components started' "$CLUSTER_DIR/logs/node.log" && break
  if ! kill -0 $! 2>/dev/null; then echo "cluster-up: the node stopped while starting:" >&2; tail -n 20 "$CLUSTER_DIR/logs/node.log" >&2; exit 1; fi
  sleep 0.2
done
run() { scripts/cluster-run "$@"; }
# kubectl wait needs the node object: the kubelet registers it a moment after it starts.
for _ in $(seq 1 120); do run kubectl get "node/$NODE_NAME" >/dev/null 2>&1 && break; sleep 1; done
run kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=120s >/dev/null
run kubectl apply -f scripts/cluster/addons.yaml >/dev/null
# hostPath volumes for PersistentVolumeClaims (the chart's Redis). Mode 0777: the kubelet applies
# no fsGroup to hostPath, and Redis runs as uid 999.
for i in $(seq 1 "${BULLPEN_CLUSTER_VOLUMES:-8}"); do
  dir="$CLUSTER_DIR/volumes/pv-$i"
  mkdir -p "$dir" && chmod 0777 "$dir"
  cat <<PV
apiVersion: v1
kind: PersistentVolume
metadata: { name: local-pv-$i }
spec:
  capacity: { storage: 20Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: local
  hostPath: { path: "$dir", type: Directory }
---
PV
done | run kubectl apply -f - >/dev/null
echo "cluster: node Ready in $(( $(date +%s) - started )) s"
autoscalers
echo "cluster: metrics-server and KEDA serving in $(( $(date +%s) - started )) s"
usage

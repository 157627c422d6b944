# Shared settings of the local cluster, sourced by the scripts beside it.
# Every address here lives only inside the cluster's own network namespace: the node, its pods and
# the tools that talk to it (scripts/cluster-run) see them; the host's namespace never routes them.
BULLPEN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BULLPEN_CACHE="${BULLPEN_CACHE:-$HOME/.cache/bullpen}"
CLUSTER_NETNS="${BULLPEN_CLUSTER_NETNS:-bullpen-cluster}"
CLUSTER_DIR="${BULLPEN_CLUSTER_DIR:-$BULLPEN_CACHE/cluster}"
KUBE_VERSION="${KUBE_VERSION:-1.35.4}"
NODE_NAME=bullpen-node
BRIDGE=bullpen0
POD_CIDR=10.244.0.0/24
NODE_IP=10.244.0.1          # the bridge's address: apiserver, kubelet and DNS listen on it
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
CONTAINERD_SOCK="$CLUSTER_DIR/run/containerd.sock"
KUBECONFIG_ADMIN="$CLUSTER_DIR/pki/admin.kubeconfig"
NODE_PID_FILE="$CLUSTER_DIR/node.pid"

# The node's processes all share one mount namespace, held by the supervisor (node.sh).
node_pid() {
  local pid
  pid="$(cat "$NODE_PID_FILE" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(readlink /proc/$pid/ns/net)" = "$(cat "$CLUSTER_DIR/netns.id" 2>/dev/null)" ] || return 1
  echo "$pid"
}

#!/usr/bin/env bash
# The local cluster's node: etcd, control plane, containerd, kubelet, kube-proxy and CoreDNS.
# up.sh starts this inside the cluster's network namespace and a private mount namespace of its
# own, so that every mount the node makes (pod volumes, the /proc/sys shields below) stays there.
# It stays in the foreground as the namespaces' holder; down.sh stops it and everything in them.
set -euo pipefail
source "$(dirname "$0")/env.sh"
bin="$1"; coredns="$2"
pki="$CLUSTER_DIR/pki"; logs="$CLUSTER_DIR/logs"; conf="$CLUSTER_DIR/conf"
mkdir -p "$logs" "$conf" "$CLUSTER_DIR/sysctl"

# kubelet writes host-wide sysctls (not per network namespace). Plain files bound over them here
# take those writes, and the host keeps its values.
for key in vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops \
           kernel/keys/root_maxkeys kernel/keys/root_maxbytes; do
  shield="$CLUSTER_DIR/sysctl/${key//\//.}"
  cat "/proc/sys/$key" > "$shield"
  mount --bind "$shield" "/proc/sys/$key"
done
# Paths containerd, runc, libcni and kubelet use without a setting: private to the node.
mount -t tmpfs -o mode=755 bullpen-run /run
mount -t tmpfs -o mode=755 bullpen-log /var/log
mount -t tmpfs -o mode=755 bullpen-cni /var/lib/cni   # up.sh makes the directory if the host has none
mkdir -p "$(dirname "$CONTAINERD_SOCK")"

ip link set lo up
# Per network namespace: pods' traffic to Services is routed through the node.
sysctl -qw net.ipv4.ip_forward=1

echo $$ > "$NODE_PID_FILE"
start() { # start NAME CMD...: in the background, logged to logs/NAME.log
  local name="$1"; shift
  "$@" >> "$logs/$name.log" 2>&1 &
  echo "node: started $name (pid $!)"
}
wait_for() { # wait_for WHAT SECONDS CMD...: poll a readiness check (a process coming up has no event to wait on)
  local what="$1" limit="$2" i; shift 2
  for ((i = 0; i < limit * 5; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "node: $what not ready after ${limit}s; see $logs" >&2; exit 1
}

start etcd etcd --name bullpen --data-dir "$CLUSTER_DIR/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster bullpen=http://127.0.0.1:2380
wait_for etcd 30 curl -fsS http://127.0.0.1:2379/health

# The requestheader and proxy-client flags serve the aggregated APIs (metrics.k8s.io from
# metrics-server, external.metrics.k8s.io from KEDA; autoscalers.sh runs both as node processes
# behind selector-less Services, so the apiserver dials their endpoints directly).
start kube-apiserver "$bin/kube-apiserver" --etcd-servers http://127.0.0.1:2379 \
  --advertise-address "$NODE_IP" --bind-address 0.0.0.0 --secure-port 6443 \
  --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC \
  --enable-admission-plugins NodeRestriction \
  --client-ca-file "$pki/ca.crt" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types InternalIP \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --allow-privileged=false --profiling=false \
  --requestheader-client-ca-file "$pki/ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
  --enable-aggregator-routing=true
wait_for kube-apiserver 60 curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://$NODE_IP:6443/readyz"

start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$pki/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$pki/controller-manager.kubeconfig" --authorization-kubeconfig "$pki/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --profiling=false
start kube-scheduler "$bin/kube-scheduler" --kubeconfig "$pki/scheduler.kubeconfig" \
  --authentication-kubeconfig "$pki/scheduler.kubeconfig" --authorization-kubeconfig "$pki/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --profiling=false

cat > "$conf/containerd.toml" <<TOML
version = 2
root = "$CLUSTER_DIR/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CLUSTER_DIR/containerd-opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/library/bullpen-pause:1"
  # Root here lacks CAP_SYS_RESOURCE: a negative oom_score_adj would fail every pod sandbox.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$conf/cni"
TOML
mkdir -p "$conf/cni"
cat > "$conf/cni/10-bullpen.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "bullpen",
  "plugins": [
    { "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$NODE_IP" }]],
                "routes": [{ "dst": "0.0.0.0/0" }], "dataDir": "$CLUSTER_DIR/ipam" } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
start containerd containerd --config "$conf/containerd.toml"
wait_for containerd 30 ctr --address "$CONTAINERD_SOCK" version

# Images come from local archives (make images); nothing is pulled.
for archive in "$BULLPEN_CACHE"/images/*.tar; do
  ctr --address "$CONTAINERD_SOCK" -n k8s.io images import --no-unpack "$archive" >> "$logs/images.log"
  echo "node: imported $(basename "$archive")"
done

cat > "$conf/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This host runs cgroup v1 (hybrid); kubelet 1.35 refuses it unless told.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /bullpen
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: $NODE_IP
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $pki/ca.crt }
authorization: { mode: Webhook }
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
resolvConf: ""
failSwapOn: false
protectKernelDefaults: false
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
# A shared development machine: evict on real exhaustion only.
evictionHard: { memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2% }
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
YAML
# kubelet wants its cgroup root to exist; cpuset needs its CPUs and memory nodes filled in first.
for controller in /sys/fs/cgroup/*/; do
  [ -e "$controller/cgroup.procs" ] && [ ! -e "$controller/cgroup.controllers" ] || continue
  mkdir -p "$controller/bullpen"
  if [ -e "$controller/cpuset.cpus" ]; then
    cat "$controller/cpuset.cpus" > "$controller/bullpen/cpuset.cpus"
    cat "$controller/cpuset.mems" > "$controller/bullpen/cpuset.mems"
  fi
done
start kubelet "$bin/kubelet" --config "$conf/kubelet.yaml" --kubeconfig "$pki/kubelet.kubeconfig" \
  --root-dir "$CLUSTER_DIR/kubelet" --node-ip "$NODE_IP" --hostname-override "$NODE_NAME"

cat > "$conf/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $pki/kube-proxy.kubeconfig }
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# nf_conntrack_max is read-only outside the host's own network namespace.
conntrack: { maxPerCore: 0 }
# Every Service connection leaves through the node's stack, so a pod reaching a Service backed
# by a pod on the same bridge gets its replies translated back.
iptables: { masqueradeAll: true }
YAML
start kube-proxy "$bin/kube-proxy" --config "$conf/kube-proxy.yaml"

cat > "$conf/Corefile" <<COREFILE
.:53 {
    bind $NODE_IP
    errors
    ready 127.0.0.1:8181
    health 127.0.0.1:8080
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $pki/coredns.kubeconfig
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
}
COREFILE
start coredns "$coredns" -conf "$conf/Corefile"
echo "node: all components started"
# Hold the namespaces until down.sh stops the components and then this shell.
wait

#!/usr/bin/env bash
# Runs the local cluster's autoscaling pieces as node processes with a kubeconfig (no images to
# build): metrics-server (metrics.k8s.io, the CPU the HPA reads) and KEDA's operator and metrics
# apiserver (external.metrics.k8s.io, the backlog ScaledObjects scale on). Each aggregated API is a
# selector-less Service whose Endpoints is the node's address, registered as an APIService.
# Idempotent: a component whose recorded PID runs is left alone. down.sh stops them by those PIDs.
# Usage: autoscalers.sh BIN_DIR (from build-autoscalers.sh)
set -euo pipefail
source "$(dirname "$0")/env.sh"
bin="$1"
pki="$CLUSTER_DIR/pki"; logs="$CLUSTER_DIR/logs"; pids="$CLUSTER_DIR/autoscalers"
run() { "$BULLPEN_ROOT/scripts/cluster-run" "$@"; }
mkdir -p "$logs" "$pids"

# KEDA reads ca.crt, tls.crt and tls.key from one directory, for its gRPC link and its serving.
certs="$CLUSTER_DIR/keda-certs"
mkdir -p "$certs"
cp "$pki/ca.crt" "$certs/ca.crt"; cp "$pki/autoscalers.crt" "$certs/tls.crt"; cp "$pki/autoscalers.key" "$certs/tls.key"
kubeconfig="$pki/autoscalers.kubeconfig"

run kubectl apply --server-side -f "$bin/keda-crds" >/dev/null
ca_bundle="$(base64 -w0 "$pki/ca.crt")"
# aggregated NAMESPACE SERVICE PORT GROUP: the Service, its Endpoints and the APIService.
aggregated() {
  cat <<YAML
---
apiVersion: v1
kind: Service
metadata: { name: $2, namespace: $1 }
spec:
  ports: [{ name: https, port: 443, targetPort: $3 }]
---
apiVersion: v1
kind: Endpoints
metadata: { name: $2, namespace: $1 }
subsets: [{ addresses: [{ ip: "$NODE_IP" }], ports: [{ name: https, port: $3 }] }]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: { name: v1beta1.$4 }
spec:
  group: $4
  version: v1beta1
  service: { name: $2, namespace: $1, port: 443 }
  caBundle: $ca_bundle
  groupPriorityMinimum: 100
  versionPriority: 100
YAML
}
{
  printf 'apiVersion: v1\nkind: Namespace\nmetadata: { name: keda }\n'
  aggregated kube-system metrics-server 4443 metrics.k8s.io
  aggregated keda keda-metrics-apiserver 4444 external.metrics.k8s.io
} | run kubectl apply -f - > /dev/null 2> >(grep -v 'Endpoints is deprecated' >&2)

# launch NAME CMD...: in the cluster's network namespace, detached, its PID recorded.
launch() {
  local name="$1"; shift
  local pid
  pid="$(cat "$pids/$name.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then return 0; fi
  setsid nsenter --net="/run/netns/$CLUSTER_NETNS" env KUBECONFIG="$kubeconfig" "$@" >> "$logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$pids/$name.pid"
}
# What both aggregated API servers take: who may call them (asked of the apiserver) and how they serve.
delegation=(--authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig"
  --tls-cert-file "$certs/tls.crt" --tls-private-key-file "$certs/tls.key" --bind-address "$NODE_IP")
# 15 s is the shortest resolution metrics-server allows; the kubelet's serving certificate is
# signed by the cluster's CA.
launch metrics-server "$bin/metrics-server" --kubeconfig "$kubeconfig" "${delegation[@]}" --secure-port 4443 \
  --kubelet-preferred-address-types InternalIP --kubelet-certificate-authority "$pki/ca.crt" --metric-resolution 15s
# The operator reads the backlog at Service names (http://bullpen-api.NS.svc:8080/...): it gets
# the cluster's DNS in a resolv.conf of its own, bound over /etc/resolv.conf in a private mount
# namespace. Ports off their defaults, which CoreDNS (8080) and the apiserver (6443) hold on this
# node. KEDA finds the apiserver through KUBECONFIG.
mkdir -p "$CLUSTER_DIR/conf"
printf 'nameserver %s\nsearch svc.cluster.local cluster.local\noptions ndots:5\n' "$NODE_IP" > "$CLUSTER_DIR/conf/keda-resolv.conf"
launch keda-operator unshare --mount --propagation private \
  sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$CLUSTER_DIR/conf/keda-resolv.conf" \
  env WATCH_NAMESPACE= POD_NAMESPACE=keda KEDA_CLUSTER_OBJECT_NAMESPACE=keda \
  "$bin/keda-operator" --cert-dir "$certs" --enable-cert-rotation=false \
  --metrics-bind-address 127.0.0.1:8090 --health-probe-bind-address 127.0.0.1:8091 \
  --metrics-service-bind-address "$NODE_IP:9666"
launch keda-metrics-apiserver env WATCH_NAMESPACE= POD_NAMESPACE=keda KEDA_CLUSTER_OBJECT_NAMESPACE=keda \
  "$bin/keda-adapter" "${delegation[@]}" --lister-kubeconfig "$kubeconfig" --secure-port 4444 --cert-dir "$certs" \
  --port 8092 --metrics-service-address "$NODE_IP:9666"

# Ready when the apiserver serves both aggregated APIs through them.
for _ in $(seq 1 150); do
  run kubectl get --raw /apis/metrics.k8s.io/v1beta1 >/dev/null 2>&1 &&
    run kubectl get --raw /apis/external.metrics.k8s.io/v1beta1 >/dev/null 2>&1 && exit 0
  for name in metrics-server keda-operator keda-metrics-apiserver; do
    kill -0 "$(cat "$pids/$name.pid")" 2>/dev/null && continue
    echo "autoscalers: $name stopped while starting:" >&2; tail -n 20 "$logs/$name.log" >&2; exit 1
  done
  sleep 1
done
echo "autoscalers: metrics.k8s.io or external.metrics.k8s.io not served after 150 s; see $logs" >&2
exit 1

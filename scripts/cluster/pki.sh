#!/usr/bin/env bash
# Makes the local cluster's CA, serving certificates, service-account key and one client
# certificate + kubeconfig per component (openssl only). Idempotent: keeps what exists.
set -euo pipefail
source "$(dirname "$0")/env.sh"
pki="$CLUSTER_DIR/pki"
mkdir -p "$pki"; cd "$pki"

[ -f ca.key ] || {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj /CN=bullpen-local-ca 2>/dev/null
}
[ -f sa.key ] || { openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null; }

# cert NAME SUBJECT [SAN]
cert() {
  local name="$1" subject="$2" san="${3:-}"
  [ -f "$name.crt" ] && return 0
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subject" 2>/dev/null
  local ext="$name.ext"
  if [ -n "$san" ]; then
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" > "$ext"
  else
    printf 'extendedKeyUsage=clientAuth\n' > "$ext"
  fi
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days 3650 -extfile "$ext" 2>/dev/null
  rm -f "$name.csr" "$ext"
}
cert apiserver /CN=kube-apiserver \
  "IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "IP:$NODE_IP,DNS:$NODE_NAME"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
cert admin "/O=system:masters/CN=bullpen-admin"
cert controller-manager /CN=system:kube-controller-manager
cert scheduler /CN=system:kube-scheduler
cert kube-proxy /CN=system:kube-proxy
# CoreDNS reads Services, EndpointSlices, Namespaces and Pods; the built-in roles have no such
# set, so it gets a role of its own (coredns-rbac.yaml) bound to this user.
cert coredns /CN=bullpen:coredns
# The apiserver's client certificate towards aggregated API servers (metrics-server, KEDA's
# metrics apiserver), which trust the X-Remote-* headers only from this name.
cert front-proxy-client /CN=front-proxy-client
# metrics-server and KEDA (node processes): serving certificate for their APIServices and KEDA's
# gRPC link, and client certificate towards the apiserver and the kubelet. system:masters: this
# one-node cluster runs no other tenant, and KEDA reads and scales any workload.
cert autoscalers /O=system:masters/CN=bullpen:autoscalers \
  "IP:$NODE_IP,DNS:metrics-server.kube-system.svc,DNS:keda-metrics-apiserver.keda.svc,DNS:keda-operator.keda.svc.cluster.local"

for name in admin kubelet controller-manager scheduler kube-proxy coredns autoscalers; do
  [ -f "$name.kubeconfig" ] && continue
  cat > "$name.kubeconfig.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
  - name: bullpen-local
    cluster: { server: "https://$NODE_IP:6443", certificate-authority: "$pki/ca.crt" }
users:
  - name: $name
    user: { client-certificate: "$pki/$name.crt", client-key: "$pki/$name.key" }
contexts:
  - name: bullpen-local
    context: { cluster: bullpen-local, user: $name }
current-context: bullpen-local
KC
  mv "$name.kubeconfig.tmp" "$name.kubeconfig"
done

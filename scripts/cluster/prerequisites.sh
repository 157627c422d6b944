#!/usr/bin/env bash
# Prints the Debian packages the local cluster needs and this machine lacks (nothing when all are
# there): up.sh refuses to start without them, .ci/run installs them.
for tool in containerd:containerd runc:runc etcd:etcd-server iptables:iptables buildah:buildah \
            debootstrap:debootstrap openssl:openssl curl:curl /usr/lib/cni/bridge:containernetworking-plugins; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || echo "${tool#*:}"
done

#!/usr/bin/env bash
# `make cluster-down`: stops every process of the local cluster and removes what up.sh made (its
# network namespace, cgroups, state directory), leaving the host's routes, iptables, sysctls and
# mounts as they were (all of those lived inside the cluster's namespaces). Built binaries and
# images stay cached. Safe to run on a half-set-up or already stopped cluster.
set -euo pipefail
source "$(dirname "$0")/env.sh"
quiet=false; [ "${1:-}" = --quiet ] && quiet=true
say() { $quiet || echo "cluster-down: $*"; }

netns_id="$(cat "$CLUSTER_DIR/netns.id" 2>/dev/null || true)"
# The cluster's processes: those in its network namespace (node components, containerd shims),
# those in its cgroups (containers), and the descendants of both.
members() {
  local pid ppid
  declare -A seen=()
  if [ -n "$netns_id" ]; then
    for pid in /proc/[0-9]*; do
      pid="${pid#/proc/}"
      [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$netns_id" ] && seen[$pid]=1
    done
  fi
  for procs in /sys/fs/cgroup/*/bullpen; do
    [ -d "$procs" ] && while read -r pid; do seen[$pid]=1; done < <(find "$procs" -name cgroup.procs -exec cat {} + 2>/dev/null)
  done
  # Descendants, by walking the parent links until nothing new joins.
  local grew=true
  while $grew; do
    grew=false
    for pid in /proc/[0-9]*; do
      pid="${pid#/proc/}"
      [ -n "${seen[$pid]:-}" ] && continue
      ppid="$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null || true)"
      if [ -n "$ppid" ] && [ -n "${seen[$ppid]:-}" ]; then seen[$pid]=1; grew=true; fi
    done
  done
  [ ${#seen[@]} -gt 0 ] && printf '%s\n' "${!seen[@]}" | grep -vx "$$" || true
}
named() { # named NAME...: the members whose command is one of NAME
  local pid comm
  for pid in $(members); do
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    for name in "$@"; do [ "$comm" = "$name" ] && echo "$pid"; done
  done
}
stop() { # stop SIGNAL PID...: signal, then wait up to 15 s for them to exit
  local signal="$1" pid i; shift
  [ $# -gt 0 ] || return 0
  kill "-$signal" "$@" 2>/dev/null || true
  for ((i = 0; i < 75; i++)); do
    local alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.2
  done
  kill -KILL "$@" 2>/dev/null || true
}

# The autoscalers (autoscalers.sh) by their recorded PIDs first: they talk to the apiserver.
pids=()
for file in "$CLUSTER_DIR"/autoscalers/*.pid; do
  [ -f "$file" ] || continue
  pid="$(cat "$file")"
  [ -n "$netns_id" ] && [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$netns_id" ] && pids+=("$pid")
done
if [ ${#pids[@]} -gt 0 ]; then say "stopping metrics-server and KEDA"; stop TERM "${pids[@]}"; fi
if [ -n "$(members)" ]; then
  say "stopping the node's processes"
  # The node agents first, so nothing restarts containers; then the containers and their shims;
  # then the runtime and control plane; the namespace holder (node.sh) last.
  stop TERM $(named kubelet kube-proxy coredns kube-controller kube-scheduler)
  stop KILL $(members | grep -vxF -f <(named containerd etcd kube-apiserver bash) || true)
  stop TERM $(named containerd kube-apiserver)
  stop TERM $(named etcd)
  stop TERM $(members)
fi
for controller in /sys/fs/cgroup/*/bullpen; do
  [ -d "$controller" ] && find "$controller" -depth -type d -exec rmdir {} + 2>/dev/null || true
done
if ip netns list | grep -qw "^$CLUSTER_NETNS"; then ip netns delete "$CLUSTER_NETNS"; say "removed network namespace $CLUSTER_NETNS"; fi
if [ -f "$CLUSTER_DIR/created-mounts" ]; then
  # Only when no other network namespace is left in it (another tool's would keep it).
  while read -r path; do [ -z "$(ls -A "$path")" ] && umount "$path"; done < "$CLUSTER_DIR/created-mounts"
fi
if [ -f "$CLUSTER_DIR/created-paths" ]; then
  while read -r path; do rmdir "$path" 2>/dev/null || true; done < "$CLUSTER_DIR/created-paths"
fi
if [ -d "$CLUSTER_DIR" ]; then rm -rf "$CLUSTER_DIR"; say "removed the cluster's state"; fi
say "done"

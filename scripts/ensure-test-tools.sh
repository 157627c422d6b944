#!/usr/bin/env bash
# Makes sure the programs the tests run are installed, the way ensure-redis.sh does for Redis:
# as root, the missing Debian packages in one apt-get call, then the pinned helm and kubectl
# (scripts/install-helm.sh, no root needed). Not root: one line with the command that installs
# them, and exit 1. Silent when everything is there.
#
#   ensure-test-tools.sh          what `make test` needs
#   ensure-test-tools.sh k8s      also what `make test-k8s` needs (etcd)
#   ensure-test-tools.sh --check  only report, never install (the jest global setup)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
check_only=false k8s=false
for arg in "$@"; do
  case "$arg" in
    --check) check_only=true ;;
    k8s) k8s=true ;;
    *) echo "ensure-test-tools: unknown argument '$arg' (expected --check or k8s)" >&2; exit 2 ;;
  esac
done

# program (a name on PATH or an absolute path) : the Debian package that installs it.
# unzip is install-helm.sh's; promtool and prometheus are both in Debian's prometheus.
tools=(redis-server:redis-server redis-cli:redis-tools "${CHROMIUM_PATH:-/usr/bin/chromium}":chromium
       promtool:prometheus prometheus:prometheus openssl:openssl unzip:unzip)
$k8s && tools+=(etcd:etcd-server)

missing=() packages=()
for tool in "${tools[@]}"; do
  program="${tool%:*}" package="${tool##*:}"
  if [[ "$program" == /* ]]; then [ -x "$program" ] && continue; else command -v "$program" >/dev/null 2>&1 && continue; fi
  missing+=("$(basename "$program")")
  [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
done
if [ -n "${HELM:-}" ] && [ ! -x "$HELM" ]; then
  echo "test tools: HELM=$HELM is not an executable; point it at helm or unset it to use the pinned one" >&2
  exit 1
fi
helm="${HELM:-${BULLPEN_CACHE:-$HOME/.cache/bullpen}/bin/helm}"
helm_missing=false
[ -x "$helm" ] || { helm_missing=true; missing+=(helm); }

if [ ${#packages[@]} -gt 0 ] && ! $check_only && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test tools: installing Debian's ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  packages=()
fi
if [ ${#packages[@]} -gt 0 ] || { $check_only && $helm_missing; }; then
  fix=""
  [ ${#packages[@]} -eq 0 ] || fix="sudo apt-get install -y --no-install-recommends ${packages[*]}"
  ! $helm_missing || fix="${fix:+$fix && }bash scripts/install-helm.sh"
  echo "test tools: ${missing[*]} not installed; install them with: $fix" >&2
  exit 1
fi
# install-helm.sh is idempotent and quiet when its pinned version is there; without HELM it also
# replaces a cached helm of another version (not under --check, which never installs).
$check_only || [ -n "${HELM:-}" ] || bash "$root/scripts/install-helm.sh" >/dev/null

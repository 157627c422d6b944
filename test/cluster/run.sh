#!/usr/bin/env bash
# `make test-cluster`: the images, a fresh local cluster, the e2e suite on its running pods, and
# the cluster torn down again whatever the outcome (KEEP_CLUSTER=1 keeps it to look around).
set -euo pipefail
cd "$(dirname "$0")/../.."
tag="$(sed -n 's/^appVersion: *"*\([^"]*\)"*/\1/p' charts/bullpen/Chart.yaml)"
[ "${KEEP_CLUSTER:-}" = 1 ] || trap 'bash scripts/cluster/down.sh' EXIT
make --no-print-directory images
bash test/cluster/e2e-images.sh "$tag"
# Always a fresh cluster: whatever an earlier run or a person left behind goes first.
bash scripts/cluster/down.sh --quiet
bash scripts/cluster/up.sh
scripts/cluster-run npx jest --runInBand --testPathIgnorePatterns '/node_modules/' -- test/cluster

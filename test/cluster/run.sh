#!/usr/bin/env bash
# `make test-cluster`: a fresh local cluster (it builds and loads the images), the suite's images,
# the e2e suite on its running pods, and the cluster torn down again whatever the outcome
# (KEEP_CLUSTER=1 keeps it to look around). Usage: run.sh IMAGE_TAG
set -euo pipefail
cd "$(dirname "$0")/../.."
tag="$1"
[ "${KEEP_CLUSTER:-}" = 1 ] || trap 'bash scripts/cluster/down.sh' EXIT
# Always a fresh cluster: whatever an earlier run or a person left behind goes first.
bash scripts/cluster/down.sh --quiet
bash scripts/cluster/up.sh
bash test/cluster/e2e-images.sh "$tag"
scripts/cluster-run npx jest --runInBand --testPathIgnorePatterns '/node_modules/' -- test/cluster

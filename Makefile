.DEFAULT_GOAL := help
SHELL := /bin/bash
REDIS_URL ?= redis://127.0.0.1:6379
export REDIS_URL
# Tests, dev and benches run on Node 24 (engines.node): the node on PATH if it is 24+, else the
# pinned one scripts/install-node.sh caches. npm and npx run on it too (their shebang is env node).
NODE24 = nodebin="$$(bash scripts/install-node.sh)" || exit 1; export PATH="$$nodebin:$$PATH";

.PHONY: help install redis dev test soak test-tools typecheck build lint bench

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## Install npm dependencies from package-lock.json (skipped when up to date)
	@$(NODE24) if [ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ node_modules/.package-lock.json -nt package.json ]; then \
	  echo "dependencies up to date"; else npm install --no-audit --no-fund; fi

redis: ## Start a local Redis on REDIS_URL unless one answers there (it keeps running)
	@bash scripts/ensure-redis.sh

# `npm run serve` without npm: npm's shell would turn serve.js's clean stop at a Ctrl-C into exit 130.
dev: install ## Install, start Redis if none answers (stopped again on exit), run api + worker + beat
	@$(NODE24) bash scripts/ensure-redis.sh node scripts/serve.js

# test-tools before redis: as root one apt-get call brings redis-server too; not root, one line names it all.
test: install test-tools redis ## Run every test (real Redis, real helm, real Chromium)
	@$(NODE24) echo "node $$(node --version)"; npm run typecheck && npm test

soak: install test-tools redis ## The soak test: SOAK_JOBS (200000) jobs through the API and a worker, apart from make test
	@$(NODE24) npx jest --testPathIgnorePatterns '/node_modules/' -- test/soak

test-tools: ## Install what the tests run: as root Debian's packages and the pinned helm; else print the command
	@$(NODE24) bash scripts/ensure-test-tools.sh

typecheck: ## Type-check every service
	npm run typecheck

build: install ## Compile every service to dist/ (what the images run)
	npm run build

lint: install ## Type-check, then ESLint: typescript-eslint's type-checked rules and no import cycles
	@$(NODE24) npm run typecheck && npx eslint .

BENCHES := worker-throughput start-latency http-enqueue memory metrics-scrape celery

bench: install redis ## Run the benchmarks (ratios against raw BullMQ / minimal Express) into bench/results.json
	@rm -f bench/results.json
	@$(NODE24) for b in $(BENCHES); do echo "== bench/$$b.ts"; node --conditions=development --import tsx bench/$$b.ts || exit 1; done

# --- kubernetes (chart, manifests, images, deploy) ---
ENV ?= preview
GROUP ?= all
# Empty: local image names (a kind/k3d/minikube cluster loads them); e.g. ghcr.io/acme to push.
IMAGE_REGISTRY ?=
IMAGE_TAG ?= $(shell sed -n 's/^appVersion: *"*\([^"]*\)"*/\1/p' charts/bullpen/Chart.yaml)
IMAGE_PREFIX = $(if $(IMAGE_REGISTRY),$(IMAGE_REGISTRY:%/=%)/)
# helm and kubectl: $HELM / $KUBECTL if set, else the pinned ones scripts/install-helm.sh caches.
HELM_BIN = $${HELM:-$$(bash scripts/install-helm.sh)}
KUBECTL_BIN = $${KUBECTL:-$$(dirname "$$(bash scripts/install-helm.sh)")/kubectl}

.PHONY: helm-lint manifests images deploy scale check-env test-k8s cluster-up cluster-down test-cluster

helm-lint: ## helm lint --strict the chart with its defaults and each profile
	@helm="$(HELM_BIN)"; for profile in "" values-preview.yaml values-production.yaml; do \
	  "$$helm" lint --strict charts/bullpen $${profile:+--values charts/bullpen/$$profile} || exit 1; done

manifests: ## Regenerate k8s/preview and k8s/production from the chart
	bash scripts/render-manifests.sh

images: ## Build bullpen-api and bullpen-worker (Docker if an engine answers, else buildah with local base images)
	@bash scripts/images/build.sh $(IMAGE_TAG) $(IMAGE_PREFIX)

# --force-conflicts: helm applies server-side; where the values changed a group's replicas they win
# over a `kubectl scale` (unchanged values render the live count, so a manual scale survives).
deploy: check-env ## helm upgrade --install into bullpen-ENV with its profile (ENV=preview|production)
	"$(KUBECTL_BIN)" apply -f k8s/namespaces.yaml -l bullpen.dev/environment=$(ENV)
	"$(HELM_BIN)" upgrade --install bullpen charts/bullpen --namespace bullpen-$(ENV) --create-namespace \
	  --values charts/bullpen/values-$(ENV).yaml --set image.tag=$(IMAGE_TAG) \
	  $(if $(IMAGE_REGISTRY),--set image.registry=$(IMAGE_REGISTRY)) --force-conflicts --wait

scale: check-env ## Set a worker group's pods by hand: ENV=... REPLICAS=N [GROUP=all]
	@test -n "$(REPLICAS)" || { echo "usage: make scale ENV=preview|production REPLICAS=N [GROUP=all]"; exit 1; }
	@kubectl="$(KUBECTL_BIN)"; deploy=deployment/bullpen-worker-$(GROUP); \
	owner=$$("$$kubectl" -n bullpen-$(ENV) get $$deploy -o jsonpath='{.metadata.annotations.bullpen\.dev/autoscaler}') || exit 1; \
	if [ -n "$$owner" ] && [ "$$owner" != none ]; then \
	  echo "make scale: $$owner owns the replicas of $$deploy and would undo this; change its min/max in the values instead"; exit 1; fi; \
	"$$kubectl" -n bullpen-$(ENV) scale $$deploy --replicas=$(REPLICAS)

test-k8s: install ## E2E: chart + bullpen CLI on a real kube-apiserver and etcd on loopback (no pods run)
	@$(NODE24) bash scripts/ensure-test-tools.sh k8s && bash scripts/ensure-redis.sh || exit 1; \
	vars="$$(bash scripts/kube-test-env.sh)" || exit 1; eval "$$vars"; \
	npx jest --runInBand --testPathIgnorePatterns '/node_modules/' -- services/cli/test/e2e

cluster-up: install ## Boot a local single-node Kubernetes whose pods run (root; its own network namespace)
	@bash scripts/cluster/up.sh

cluster-down: ## Stop the local cluster and remove everything it made
	@bash scripts/cluster/down.sh

test-cluster: install ## E2E on a local cluster's running pods: cluster-up, test/cluster, cluster-down (root)
	@$(NODE24) bash test/cluster/run.sh $(IMAGE_TAG)

check-env:
	@case "$(ENV)" in preview|production) ;; *) echo "ENV must be preview or production, got '$(ENV)'"; exit 1;; esac
# --- end kubernetes ---

.DEFAULT_GOAL := help
SHELL := /bin/bash
REDIS_URL ?= redis://127.0.0.1:6379
export REDIS_URL

.PHONY: help install redis dev test typecheck build lint bench

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## Install npm dependencies (npm ci when the lockfile is present)
	@if [ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then echo "dependencies up to date"; else npm ci --no-audit --no-fund; fi

redis: ## Start a local Redis on REDIS_URL unless one answers there
	@bash scripts/ensure-redis.sh

dev: install redis ## Install, start Redis if needed, run api + worker + beat
	npm run serve

test: install redis ## Run every test (real Redis, real helm, real Chromium)
	npm run typecheck
	npm test

typecheck: ## Type-check every service
	npm run typecheck

build: install ## Compile every service to dist/ (what the images run)
	npm run build

lint: typecheck ## Type-check and lint
	@echo "lint: typecheck passed"

bench: install redis ## Run the benchmarks and write bench/results.json
	@echo "benchmarks are not written yet"; exit 1

# --- kubernetes (chart, manifests, images, deploy) ---
# --- end kubernetes ---

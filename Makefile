# The two commands a newcomer needs:  make up  (run it on the local cloud)  and  make test.
# Everything they need is installed on the way: the virtualenv, the packages, the Pulumi engine.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
STACK ?= local
LOCALCLOUD_PORT ?= 8790
export PULUMI_BACKEND_URL ?= file://$(CURDIR)/.pulumi-state
export PULUMI_CONFIG_PASSPHRASE ?= local-dev-passphrase
export PULUMI_SKIP_UPDATE_CHECK := 1
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := 1
# The local cloud's well-known credentials, for the local stack only (see README).
LOCAL_CREDENTIALS := TENCENTCLOUD_SECRET_ID=localcloud-access-key TENCENTCLOUD_SECRET_KEY=localcloud-secret-key \
	ALIBABA_CLOUD_ACCESS_KEY_ID=localcloud-access-key ALIBABA_CLOUD_ACCESS_KEY_SECRET=localcloud-secret-key
PULUMI_BIN = $(shell scripts/ensure-pulumi.sh)
WITH_ENGINE = PATH="$(PULUMI_BIN):$$PATH"

.PHONY: up test typecheck lint test-sdk-range bench bench-variants venv lock engine localcloud down preview refresh recover chaos clean

# The repository's own environment: pyproject.toml's ranges, pinned by constraints.txt.
$(VENV)/.installed: pyproject.toml setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	@# The distribution was called `provisioner` before 0.2.0: drop that install from old venvs.
	@$(VENV)/bin/pip uninstall --quiet --yes provisioner 2>/dev/null || true
	$(VENV)/bin/pip install --quiet -c constraints.txt -e '.[test,localcloud]'
	touch $@

venv: $(VENV)/.installed

# Regenerate constraints.txt after changing a dependency in pyproject.toml: every extra, Python
# 3.11, plus the pins in constraints.in. Existing pins are kept; `make lock LOCK_FLAGS=--upgrade`
# moves everything to the newest versions the ranges allow.
LOCK_FLAGS ?=
lock: venv
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --constraint constraints.in \
		--python-version 3.11 --quiet --custom-compile-command "make lock" $(LOCK_FLAGS) -o constraints.txt

engine: venv
	@scripts/ensure-pulumi.sh >/dev/null
	@$(WITH_ENGINE) pulumi version

localcloud: venv
	@scripts/localcloud-up.sh $(LOCALCLOUD_PORT)

# Local cloud up, the `local` stack up, the accounts shown. Running it again changes nothing.
up: venv engine localcloud
	@mkdir -p .pulumi-state
	@$(WITH_ENGINE) pulumi stack select $(STACK) --create --non-interactive >/dev/null
	@$(WITH_ENGINE) $(LOCAL_CREDENTIALS) pulumi up --stack $(STACK) --yes --non-interactive --diff
	@echo; echo "Stack outputs (passwords stay secret; add --show-secrets to see them):"
	@$(WITH_ENGINE) pulumi stack output --stack $(STACK)
	@echo; echo "Accounts in the local cloud:"
	@$(VENV)/bin/provisioner localcloud-admin --url http://127.0.0.1:$(LOCALCLOUD_PORT) accounts

preview: venv engine localcloud
	@$(WITH_ENGINE) $(LOCAL_CREDENTIALS) pulumi preview --stack $(STACK) --diff --non-interactive

# Read the live accounts into the state. --skip-preview: a plain `pulumi refresh` previews first
# and so makes every cloud read twice (README, "refresh").
refresh: venv engine localcloud
	@$(WITH_ENGINE) $(LOCAL_CREDENTIALS) pulumi refresh --stack $(STACK) --yes --skip-preview --non-interactive

# After an interrupted `pulumi up` (killed, cancelled): put the state right, then `make up`.
recover: venv engine localcloud
	@$(WITH_ENGINE) $(LOCAL_CREDENTIALS) $(VENV)/bin/provisioner recover --stack $(STACK)

# The public API and the stack programs through a type checker (settings: pyproject.toml).
typecheck: venv
	$(VENV)/bin/pyright -p pyproject.toml   # this project's settings, whatever config a parent folder holds

# ruff over the package, the tests and the bench (rules: pyproject.toml, [tool.ruff]).
lint: venv
	$(VENV)/bin/ruff check provisioner tests bench stacks apps scripts

# Every test: the type check, the lint, unit, local cloud (through the official SDKs), provider level and end to end.
test: venv engine typecheck lint
	PULUMI_BIN_DIR="$(PULUMI_BIN)" $(VENV)/bin/python -m pytest -q -p no:cacheprovider

# The supported range of the Pulumi Python SDK: the wheel in a new user project (tests/e2e/test_wheel.py)
# with every dependency at its floor and with the newest releases (make test runs the first only).
test-sdk-range: venv engine
	PROVISIONER_SDK_LEGS=lowest,newest PULUMI_BIN_DIR="$(PULUMI_BIN)" $(VENV)/bin/python -m pytest -q -rP \
		-p no:cacheprovider tests/e2e/test_wheel.py

# The chaos test at full size: 300 accounts under throttling, 5xx, dropped connections, jitter.
chaos: venv engine
	CHAOS_PER_TYPE=100 PULUMI_BIN_DIR="$(PULUMI_BIN)" $(VENV)/bin/python -m pytest -q -rP -p no:cacheprovider tests/e2e/test_chaos.py

# Growth: the same workload at BENCH_SIZES accounts (longer runs: BENCH_SIZES=300,1200 or 300,1200,3000),
# the ratio of each phase's wall time and engine CPU, the targets (docs/benchmarks.md, "Growth").
BENCH_SIZES ?= 150,600
bench: venv engine
	PULUMI_BIN_DIR="$(PULUMI_BIN)" $(VENV)/bin/python -m bench.growth --sizes $(BENCH_SIZES)

# The variants side by side at one size: naive baseline, provider workers, cache, order, reference.
bench-variants: venv engine
	PULUMI_BIN_DIR="$(PULUMI_BIN)" $(VENV)/bin/python -m bench.run

# Destroys against this checkout's local cloud only (localcloud refuses another checkout's on the
# port), then stops the local cloud this checkout started, and nothing else.
down: venv localcloud
	-@$(WITH_ENGINE) $(LOCAL_CREDENTIALS) pulumi destroy --stack $(STACK) --yes --non-interactive
	@scripts/localcloud-down.sh

clean: down
	rm -rf .pulumi-state .localcloud

.PHONY: preview-summary preview-policy

# The pull-request comment for the local stack: `pulumi preview --json` through provisioner preview-summary.
preview-summary: venv engine localcloud
	@$(WITH_ENGINE) $(LOCAL_CREDENTIALS) pulumi preview --stack $(STACK) --json --non-interactive \
		| $(VENV)/bin/provisioner preview-summary --stack $(STACK)

# `pulumi preview` of the local stack with the policy pack and the stack's policy config.
preview-policy: venv engine localcloud
	@$(WITH_ENGINE) $(LOCAL_CREDENTIALS) pulumi preview --stack $(STACK) --non-interactive \
		--policy-pack "$(CURDIR)/$(VENV)/bin/provisioner-policy-pack" --policy-pack-config policy/$(STACK).json

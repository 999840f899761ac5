# gateway — build, run and test entry points.
# `make run`  : set up the virtualenv, apply migrations, start the gateway (virtual rig if no hardware).
# `make test` : set up the same way, install the system tools the tests drive, run the whole suite.

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
STATE    ?= $(CURDIR)/.run/state
PYTEST_ARGS ?=

# Debian packages the test suite drives as real peers:
#   knxd/knxd-tools: a third-party KNXnet/IP server and its bus monitor (knxtool)
#   umockdev: fake udev devices for the udev rule tests
#   postgresql: a real server for the store tests (the tests start their own cluster)
#   systemd: systemd-analyze for the unit file checks
#   udev: udevadm for the rule tests
APT_PACKAGES := knxd knxd-tools umockdev postgresql systemd udev

.PHONY: all venv system-deps run test test-fast lint format bench db-upgrade constraints clean

all: venv

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $(STAMP)

# Installs the Debian packages the tests need when they are missing and we may (root or sudo).
# Without permission it says what is missing and goes on; the tests that need the tool say so.
system-deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "system-deps: missing$$missing and no permission to install them; tests needing them will say so"; exit 0; fi; \
	echo "system-deps: installing$$missing"; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null && \
	echo "system-deps: done"

run: $(STAMP)
	mkdir -p $(STATE)
	GATEWAY_STATE_DIR=$(STATE) GATEWAY_HTTP_PORT=$${GATEWAY_HTTP_PORT:-8080} \
	  $(BIN)/gateway db upgrade
	GATEWAY_STATE_DIR=$(STATE) GATEWAY_HTTP_PORT=$${GATEWAY_HTTP_PORT:-8080} \
	  exec $(BIN)/gateway run

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy gateway hil
	$(BIN)/pytest -q $(PYTEST_ARGS)

# The suite without the lint step, for quick iteration.
test-fast: $(STAMP)
	$(BIN)/pytest -q -x $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check gateway hil tests bench migrations
	$(BIN)/mypy gateway hil

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format gateway hil tests bench migrations

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

db-upgrade: $(STAMP)
	$(BIN)/gateway db upgrade

# Regenerates the constraints file from a fresh resolve (run after changing dependencies).
constraints:
	rm -rf /tmp/gateway-constraints-venv
	$(PYTHON) -m venv /tmp/gateway-constraints-venv
	/tmp/gateway-constraints-venv/bin/pip install --quiet --upgrade pip
	/tmp/gateway-constraints-venv/bin/pip install --quiet '.[test]'
	/tmp/gateway-constraints-venv/bin/pip freeze --exclude-editable | grep -v '^gateway' > constraints.txt

clean:
	rm -rf $(VENV) .run .pytest_cache .mypy_cache .ruff_cache .hypothesis

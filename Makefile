# gateway — build, run and test entry points.
# `make run`  : set up the virtualenv, apply migrations, start the gateway (virtual rig if no hardware).
# `make test` : set up the same way, install the system tools the tests drive, run the whole suite.
# `make install [DESTDIR=/image/root]` : install as a systemd service on a Pi (docs/deploy.md).

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
#   python3-seccomp: the unit's system call filter applied to the gateway in tests/lifecycle
#   chromium/chromium-driver: the headless browser the page tests drive (tests/web)
#   iproute2/util-linux: ip and unshare, for discovery tests in a private network namespace
#   binutils: readelf, for the packaging test of the .deb's library dependencies
APT_PACKAGES := knxd knxd-tools umockdev postgresql systemd udev python3-seccomp chromium chromium-driver iproute2 util-linux binutils

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

# Two pytest-xdist workers, one per core: a work group is a test file, or the whole HIL suite,
# or the page's browser story (conftest.py). `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2

# The HIL scenarios run on the virtual ZNP stick here (CI's time budget); `make hil` runs
# them on both virtual sticks. The deCONZ path stays in this suite through
# tests/zigbee/test_deconz_*.py, tests/emulators/deconz and tests/zigbee/test_faults_deconz.py.
test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy gateway hil
	GATEWAY_HIL_VIRTUAL_STICKS=$${GATEWAY_HIL_VIRTUAL_STICKS:-znp} \
	  $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The suite without the lint step, for quick iteration.
test-fast: $(STAMP)
	$(BIN)/pytest -q -x $(PYTEST_ARGS)

# Only the HIL suite (hil/README.md): the virtual rig by default, real dongles when
# GATEWAY_HIL_* variables name them (the environment is passed through).
.PHONY: hil
hil: $(STAMP)
	$(BIN)/pytest -q -m hil hil $(PYTEST_ARGS)

# The radio fault soak (hil/test_soak_radio.py, hil/README.md): 100 unplug/replug cycles
# with flaps, malformed-frame bursts and KNX cuts; prints its figures. Not part of `make test`
# (which runs the same scenario with 3 cycles). On the virtual rig it soaks each stick of
# SOAK_STICKS in turn (ZNP, then ConBee), into .run/soak/<stick>/; every stick runs even
# when one fails, and the target fails if any did. With a real stick (GATEWAY_HIL_ZIGBEE)
# the soak runs once, on that stick, into .run/soak/<its kind>/.
SOAK_STICKS ?= znp deconz
.PHONY: soak
soak: $(STAMP)
	@sticks="$(SOAK_STICKS)"; \
	if [ -n "$$GATEWAY_HIL_ZIGBEE" ]; then sticks="$${GATEWAY_HIL_ZIGBEE_KIND:-znp}"; fi; \
	status=0; \
	for stick in $$sticks; do \
	  echo "soak: $$stick -> $(CURDIR)/.run/soak/$$stick"; \
	  GATEWAY_HIL_VIRTUAL_STICKS=$$stick GATEWAY_SOAK_CYCLES=$${GATEWAY_SOAK_CYCLES:-100} \
	  GATEWAY_SOAK_OUT=$(CURDIR)/.run/soak/$$stick \
	    $(BIN)/pytest -q -s -m hil --timeout 3600 hil/test_soak_radio.py $(PYTEST_ARGS) || status=1; \
	done; \
	exit $$status

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

# Installs the gateway as a systemd service (docs/deploy.md): the package in its own
# virtualenv, the unit, sysusers/tmpfiles, the udev rules, docs and an example settings file
# (the settings file itself only if there is none). The package is built from a copy of the
# tree so that no build/ or *.egg-info is left in it. With DESTDIR the tree is staged for an
# image: paths inside the virtualenv are rewritten to the final location, and the user and
# directories are created at the image's first boot by systemd-sysusers/-tmpfiles.
# The interpreter must be the system one: a base Python under /root or /home would be
# hidden from the service by ProtectHome=.
INSTALL_PYTHON ?= /usr/bin/python3
INSTALL_VENV   ?= /opt/gateway/venv
INSTALL_LIB    ?= /usr/local/lib
INSTALL_BIN    ?= /usr/local/bin
INSTALL_DOC    ?= /usr/local/share/doc/gateway
INSTALL_ETC    ?= /etc/gateway

.PHONY: install
install:
	@test -x $(INSTALL_PYTHON) || { echo "install: no $(INSTALL_PYTHON) (apt-get install python3 python3-venv)"; exit 1; }
	$(INSTALL_PYTHON) -m venv $(DESTDIR)$(INSTALL_VENV)
	$(DESTDIR)$(INSTALL_VENV)/bin/python -m pip install --quiet --upgrade pip
	src=$$(mktemp -d) && \
	  tar -c --exclude=./.venv --exclude=./.git --exclude=./.run --exclude=./build --exclude='*.egg-info' . \
	    | tar -x -C $$src && \
	  $(DESTDIR)$(INSTALL_VENV)/bin/python -m pip install --quiet --no-compile --constraint constraints.txt $$src; \
	  status=$$?; rm -rf $$src; exit $$status
	$(DESTDIR)$(INSTALL_VENV)/bin/python -m compileall -q -f $(if $(DESTDIR),-s $(DESTDIR) -p /) \
	  $(DESTDIR)$(INSTALL_VENV)/lib >/dev/null || echo "install: some third-party files did not byte-compile (harmless)"
	if [ -n "$(DESTDIR)" ]; then \
	  grep -rlI -- '$(DESTDIR)$(INSTALL_VENV)' $(DESTDIR)$(INSTALL_VENV)/bin $(DESTDIR)$(INSTALL_VENV)/pyvenv.cfg \
	    | xargs -r sed -i 's|$(DESTDIR)$(INSTALL_VENV)|$(INSTALL_VENV)|g'; \
	fi
	# The command on every root's PATH (log hints name `gateway thinknx user add`, ...).
	install -d $(DESTDIR)$(INSTALL_BIN)
	ln -sfn $(INSTALL_VENV)/bin/gateway $(DESTDIR)$(INSTALL_BIN)/gateway
	install -D -m 0644 systemd/gateway.service $(DESTDIR)$(INSTALL_LIB)/systemd/system/gateway.service
	install -D -m 0644 systemd/gateway.sysusers $(DESTDIR)$(INSTALL_LIB)/sysusers.d/gateway.conf
	install -D -m 0644 systemd/gateway.tmpfiles $(DESTDIR)$(INSTALL_LIB)/tmpfiles.d/gateway.conf
	install -D -m 0644 udev/70-gateway-zigbee.rules $(DESTDIR)$(INSTALL_LIB)/udev/rules.d/70-gateway-zigbee.rules
	install -D -m 0644 docs/deploy.md $(DESTDIR)$(INSTALL_DOC)/deploy.md
	install -D -m 0644 udev/README.md $(DESTDIR)$(INSTALL_DOC)/udev.md
	install -D -m 0644 systemd/gateway.toml.example $(DESTDIR)$(INSTALL_ETC)/gateway.toml.example
	test -e $(DESTDIR)$(INSTALL_ETC)/gateway.toml || \
	  install -m 0640 systemd/gateway.toml.example $(DESTDIR)$(INSTALL_ETC)/gateway.toml
	if [ -z "$(DESTDIR)" ]; then \
	  systemd-sysusers gateway.conf && systemd-tmpfiles --create gateway.conf && \
	  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi && \
	  if udevadm control --ping 2>/dev/null; then \
	    udevadm control --reload && udevadm trigger --subsystem-match=tty --action=add; \
	  fi; \
	fi
	@echo "install: done. Edit $(INSTALL_ETC)/gateway.toml, then: systemctl enable --now gateway"

# ---------------------------------------------------------------------------------------
# Debian packages, their tests on Debian 12 and the Raspberry Pi image (docs/packaging.md).
# Heavy and root-only: never part of `make test`. Each target installs the Debian tools it
# needs itself (debian/ci/apt-need.sh). Products go to build/ (ignored by git).
#   make deb                    gateway_<version>_{amd64,arm64,armhf}.deb in build/deb
#   make deb DEB_ARCHES=amd64   one architecture only
#   make package-test           amd64 .deb booted in systemd-nspawn, arm64 .deb in a qemu chroot
#   make image                  build/image/gateway-pi-arm64-<version>.img (Pi 3/4, Debian 12 arm64)
DEB_ARCHES      ?= amd64 arm64 armhf
DEB_OUT         ?= $(CURDIR)/build/deb
DEB_BUILD_TOOLS := debhelper dpkg-dev fakeroot lintian python3 python3-venv python3-pip \
                   python3-installer binutils
PACKAGE_TEST_DIR     ?= $(CURDIR)/build/package-test
PACKAGE_TEST_FOREIGN ?= arm64
PACKAGE_TEST_TOOLS   := debootstrap systemd-container qemu-user-static binfmt-support \
                        python3 dpkg-dev
IMAGE_OUT       ?= $(CURDIR)/build/image
IMAGE_TOOLS     := debos debootstrap qemu-user-static binfmt-support systemd-container \
                   dosfstools mtools parted e2fsprogs device-tree-compiler

.PHONY: deb deb-tools package-test image
deb-tools:
	debian/ci/apt-need.sh $(DEB_BUILD_TOOLS)

deb: deb-tools
	for arch in $(DEB_ARCHES); do debian/ci/build-deb.sh $$arch $(DEB_OUT) || exit 1; done

package-test:
	debian/ci/apt-need.sh $(DEB_BUILD_TOOLS) $(PACKAGE_TEST_TOOLS)
	debian/ci/package-test.sh $(DEB_OUT) $(PACKAGE_TEST_DIR) $(PACKAGE_TEST_FOREIGN)

image:
	debian/ci/apt-need.sh $(DEB_BUILD_TOOLS) $(IMAGE_TOOLS)
	test -e $(DEB_OUT)/gateway_$$(dpkg-parsechangelog -S Version)_arm64.deb || \
	  debian/ci/build-deb.sh arm64 $(DEB_OUT)
	image/build.sh $(DEB_OUT) $(IMAGE_OUT)

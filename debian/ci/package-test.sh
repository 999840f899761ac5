#!/bin/sh
# package-test.sh DEB_OUT WORKDIR "FOREIGN_ARCHES": the packages on a clean Debian 12.
#
#  amd64: build the .deb; install it with apt in a fresh debootstrap root (systemd-nspawn,
#         no boot yet: postinst must create the user and directories and enable the unit);
#         boot that root with systemd as PID 1 (systemd-nspawn --boot, private network) and
#         require `systemctl is-active gateway` and an answer to GET /api/config with the
#         packaged settings (radio.kind = "znp" with no stick, knx.mode = "none");
#         upgrade to a copy of the package with a higher version while it runs and require
#         the changed settings file, the database (an API key and the name set through the
#         API) and every state file to survive, and the service to be restarted;
#         `apt-get purge` keeps /var/lib/gateway and the user (debconf default), a purge
#         preseeded with gateway/purge-state=true removes both.
#  FOREIGN_ARCHES (arm64): build the .deb; install it in a root of that architecture run
#         through qemu-user-static; run `gateway --help`, `gateway check-config` as the
#         gateway user, import every compiled module and migrate a database. The hardened
#         unit itself cannot start under qemu-user (systemd is not PID 1 there, and qemu's
#         own syscalls and W^X code would trip the unit's filters), so that is not tried.
#
# Every step prints its duration; the list is in WORKDIR/timings.txt at the end.
set -eu

out=$1
work=$2
foreign=${3:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
ci="$here/debian/ci"
version=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)
mkdir -p "$work"
timings="$work/timings.txt"
: >"$timings"
nspawn_pid=""
mounted=""

cleanup() {
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        kill -TERM "$nspawn_pid" 2>/dev/null || true
        sleep 5
        kill -KILL "$nspawn_pid" 2>/dev/null || true
    fi
    for m in $mounted; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT

t0=0
begin() { t0=$(date +%s); echo "package-test: $1 ..."; }
done_() {
    line="$1: $(( $(date +%s) - t0 )) s"
    echo "package-test: $line"
    echo "$line" >>"$timings"
}
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

# An overlay on the cached root: every run starts from the same clean system. Sets $root.
fresh_root() {
    arch=$1
    base="$work/rootfs-$arch"
    run="$work/run-$arch"
    if mountpoint -q "$run/root" 2>/dev/null; then umount "$run/root"; fi
    rm -rf "$run"
    mkdir -p "$run/upper" "$run/work" "$run/root"
    mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$run/root"
    mounted="$run/root $mounted"
    root="$run/root"
}

in_root() { # in_root ROOT COMMAND...: run in the (not booted) root
    dir=$1
    shift
    rc=0
    # --keep-unit makes nspawn say it will not remove /run/systemd/nspawn/propagate/root on
    # exit, once per run: harmless, filtered out.
    systemd-nspawn -q -D "$dir" --register=no --keep-unit --pipe -- "$@" 2>"$work/nspawn.err" || rc=$?
    grep -v 'propagate/root' "$work/nspawn.err" >&2 || true
    return "$rc"
}

leader() { ps -o pid= --ppid "$nspawn_pid" | head -n 1 | tr -d ' '; }
in_booted() { nsenter -t "$(leader)" -a -- "$@"; }

wait_active() { # wait_active SECONDS: gateway.service active in the booted container
    deadline=$(( $(date +%s) + $1 ))
    while :; do
        state=$(in_booted systemctl is-active gateway 2>/dev/null || true)
        [ "$state" = active ] && return 0
        [ "$(date +%s)" -gt "$deadline" ] && {
            in_booted systemctl status gateway --no-pager -l >&2 || true
            in_booted journalctl -u gateway --no-pager -n 30 >&2 || true
            fail "gateway.service is '$state' after $1 s"
        }
        sleep 1
    done
}

# --- amd64 -------------------------------------------------------------------------
begin "build amd64 .deb"
"$ci/build-deb.sh" amd64 "$out"
deb="$out/gateway_${version}_amd64.deb"
done_ "build amd64 .deb (incl. lintian)"

begin "debootstrap amd64 root (cached after the first run)"
"$ci/rootfs.sh" amd64 "$work/rootfs-amd64"
done_ "debootstrap amd64 root"

begin "install in a clean Debian 12 (amd64)"
fresh_root amd64
cp "$deb" "$ci/api_probe.py" "$root/root/"
in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "/root/$(basename "$deb")" >"$work/install-amd64.log" 2>&1 || {
    tail -n 30 "$work/install-amd64.log" >&2; fail "apt-get install"; }
[ "$(in_root "$root" systemctl is-enabled gateway)" = enabled ] || fail "unit not enabled by postinst"
in_root "$root" id -nG gateway | grep -qw dialout || fail "user gateway missing or not in dialout"
[ "$(in_root "$root" stat -c '%U:%G %a' /var/lib/gateway)" = "gateway:gateway 750" ] || fail "state dir"
[ "$(in_root "$root" stat -c '%U:%G %a' /etc/gateway/gateway.toml)" = "root:gateway 640" ] || fail "settings mode"
[ "$(in_root "$root" readlink -f /usr/bin/gateway)" = /opt/gateway/venv/bin/gateway ] || fail "/usr/bin/gateway"
done_ "install in a clean Debian 12 (amd64)"

begin "boot with systemd, wait for READY and GET /api/config"
systemd-nspawn -q -D "$root" --register=no --keep-unit --private-network --boot \
    >"$work/boot-amd64.log" 2>&1 &
nspawn_pid=$!
sleep 2
wait_active 120
in_booted python3 /root/api_probe.py wait 30
config=$(in_booted python3 /root/api_probe.py config)
echo "package-test: GET /api/config -> $config"
echo "$config" | python3 -c "import json,sys; c=json.load(sys.stdin); assert c['swversion']=='$version' and c['modelid']=='deCONZ', c"
done_ "boot, READY (is-active) and GET /api/config"

begin "upgrade while running: settings, database and state kept, service restarted"
in_booted sed -i '/^\[http\]/a allow_local_apikey = true' /etc/gateway/gateway.toml
in_booted systemctl restart gateway
wait_active 120
in_booted python3 /root/api_probe.py wait 30
key=$(in_booted python3 /root/api_probe.py new-key)
in_booted python3 /root/api_probe.py set-name "$key" "package-test"
files_before=$(in_booted find /var/lib/gateway -type f | sort)
pid_before=$(in_booted systemctl show -p MainPID --value gateway)
repack="$work/repack"
rm -rf "$repack"
dpkg-deb -R "$deb" "$repack"
sed -i "s/^Version: .*/Version: ${version}+upgradetest/" "$repack/DEBIAN/control"
dpkg-deb -Zxz -b "$repack" "$root/root/gateway_upgrade.deb" >/dev/null
rm -rf "$repack"
in_booted env DEBIAN_FRONTEND=noninteractive dpkg -i /root/gateway_upgrade.deb >"$work/upgrade-amd64.log" 2>&1 || {
    tail -n 30 "$work/upgrade-amd64.log" >&2; fail "dpkg -i (upgrade)"; }
wait_active 120
in_booted python3 /root/api_probe.py wait 30
pid_after=$(in_booted systemctl show -p MainPID --value gateway)
[ "$pid_after" != "$pid_before" ] || fail "service not restarted by the upgrade"
in_booted grep -q '^allow_local_apikey = true' /etc/gateway/gateway.toml || fail "changed settings file replaced"
[ "$(in_booted python3 /root/api_probe.py name "$key")" = package-test ] || fail "database not kept"
files_after=$(in_booted find /var/lib/gateway -type f | sort)
for f in $files_before; do echo "$files_after" | grep -qx "$f" || fail "state file $f lost"; done
[ "$(in_booted dpkg-query -W -f='${Version}' gateway)" = "${version}+upgradetest" ] || fail "version"
done_ "upgrade while running"

begin "purge: state kept by default, removed when preseeded"
in_booted env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q gateway >"$work/purge-amd64.log" 2>&1 || {
    tail -n 30 "$work/purge-amd64.log" >&2; fail "purge"; }
in_booted test -d /var/lib/gateway || fail "default purge removed /var/lib/gateway"
in_booted id gateway >/dev/null || fail "default purge removed the user"
in_booted test ! -e /etc/gateway/gateway.toml || fail "purge left the settings file"
in_booted test ! -e /opt/gateway || fail "purge left /opt/gateway"
in_booted env DEBIAN_FRONTEND=noninteractive dpkg -i /root/gateway_upgrade.deb >>"$work/purge-amd64.log" 2>&1
wait_active 120
[ "$(in_booted python3 /root/api_probe.py name "$key" 2>/dev/null || true)" = package-test ] || \
    fail "a reinstall after a default purge did not find the kept database"
echo "gateway gateway/purge-state boolean true" | in_booted debconf-set-selections
in_booted env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q gateway >>"$work/purge-amd64.log" 2>&1
in_booted test ! -e /var/lib/gateway || fail "preseeded purge kept /var/lib/gateway"
if in_booted id gateway >/dev/null 2>&1; then fail "preseeded purge kept the user"; fi
done_ "purge (default keeps state, preseeded removes it)"

in_booted systemctl poweroff >/dev/null 2>&1 || true
for _ in $(seq 1 30); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 1; done
kill -0 "$nspawn_pid" 2>/dev/null && kill -TERM "$nspawn_pid"
wait "$nspawn_pid" 2>/dev/null || true
nspawn_pid=""

# --- foreign architectures under qemu-user -----------------------------------------
for arch in $foreign; do
    begin "build $arch .deb"
    "$ci/build-deb.sh" "$arch" "$out"
    deb="$out/gateway_${version}_${arch}.deb"
    done_ "build $arch .deb (incl. lintian)"

    begin "debootstrap $arch root under qemu-user-static (cached after the first run)"
    "$ci/rootfs.sh" "$arch" "$work/rootfs-$arch"
    done_ "debootstrap $arch root"

    begin "install and run the $arch package under qemu-user-static"
    fresh_root "$arch"
    cp "$deb" "$root/root/"
    in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "/root/$(basename "$deb")" >"$work/install-$arch.log" 2>&1 || {
        tail -n 30 "$work/install-$arch.log" >&2; fail "apt-get install ($arch)"; }
    [ "$(in_root "$root" dpkg --print-architecture)" = "$arch" ] || fail "root is not $arch"
    [ "$(in_root "$root" systemctl is-enabled gateway)" = enabled ] || fail "unit not enabled ($arch)"
    in_root "$root" gateway --help >/dev/null || fail "gateway --help ($arch)"
    in_root "$root" runuser -u gateway -- gateway --config /etc/gateway/gateway.toml check-config \
        || fail "check-config ($arch)"
    in_root "$root" /opt/gateway/venv/bin/python3 -c '
import importlib, pathlib, sys
site = pathlib.Path(sys.prefix, "lib", "python3.11", "site-packages")
names = set()
for so in site.rglob("*.so"):
    rel = so.relative_to(site)
    if ".libs" in rel.parts[0] or "tests" in rel.parts:
        continue
    names.add(".".join([*rel.parts[:-1], rel.name.split(".")[0]]))
for name in sorted(names):
    importlib.import_module(name)
import asyncio
from sqlalchemy import text
from cryptography.hazmat.primitives.ciphers.aead import AESCCM
from gateway.store.db import make_async_engine
AESCCM(bytes(16)).encrypt(bytes(13), b"data", None)  # cffi backend + OpenSSL bindings
async def select() -> int:  # SQLAlchemy asyncio runs on greenlet
    engine = make_async_engine("sqlite:////tmp/package-test.db")
    async with engine.connect() as connection:
        value = (await connection.execute(text("select 1 + 1"))).scalar()
    await engine.dispose()
    return value
assert asyncio.run(select()) == 2
print(f"imported {len(names)} compiled modules; AES-CCM and async SQLite work")
' || fail "compiled modules do not load ($arch)"
    in_root "$root" runuser -u gateway -- env GATEWAY_STATE_DIR=/var/lib/gateway \
        gateway --config /etc/gateway/gateway.toml db upgrade || fail "db upgrade ($arch)"
    done_ "install, --help, check-config, imports, db upgrade ($arch, qemu-user)"
    umount "$root"
done

echo "package-test: all steps passed; timings:"
cat "$timings"

"""Running our udev rules with the real udev rule engine against fake devices, sandboxed.

How: ``umockdev-run`` (Debian package umockdev) preloads a library that shows the program a
fake ``/sys`` built from a device description we generate from the fixture data below
(sysfs attributes idVendor/idProduct/manufacturer/product/serial, the interface and the tty
child). Under it, ``udevadm test --action=add /sys/devices/...`` runs the full rule engine
of the installed udev (252 on Debian 12) on the fake device.

``udevadm test`` is not a dry run: it really creates the symlinks in ``/dev``, sets the
node's owner and mode and writes ``/run/udev``. So every run happens in a private mount
namespace (``unshare --mount``, root only) where a temporary directory is bind-mounted over
``/dev`` (holding just the tty node we create with mknod), ``/run``, ``/etc/udev/rules.d``
(holding only our rules files) and ``/usr/lib/udev/rules.d`` (empty, so the host's rules
cannot mask or fake a result). After the run the temporary ``dev`` directory shows exactly
what udev did: which symlinks point where, and the node's group and mode.
"""

from __future__ import annotations

import grp
import os
import shutil
import stat
import subprocess
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.lifecycle.udev.fake_ttys import FakeTty

RULES_DIR = Path(__file__).resolve().parents[3] / "udev"
RULES_FILES = sorted(RULES_DIR.glob("*.rules"))

NAMESPACE_SCRIPT = textwrap.dedent(
    """\
    set -eu
    T=$1; shift
    for n in null zero full random urandom; do mount --bind /dev/$n "$T/dev/$n"; done
    mount --bind "$T/dev" /dev
    mount --bind "$T/run" /run
    mount --bind "$T/rules" /etc/udev/rules.d
    for d in /usr/lib/udev/rules.d /usr/local/lib/udev/rules.d; do
        if [ -d "$d" ]; then mount --bind "$T/empty" "$d"; fi
    done
    exec "$@"
    """
)


@dataclass
class UdevResult:
    """What one ``udevadm test`` did to one device."""

    device: FakeTty
    log: list[str]
    properties: dict[str, str]
    dev_dir: Path

    @property
    def devlinks(self) -> set[str]:
        return set(self.properties.get("DEVLINKS", "").split())

    def node(self) -> os.stat_result:
        return os.lstat(self.dev_dir / self.device.tty)


@dataclass
class UdevRun:
    output: str
    dev_dir: Path
    results: list[UdevResult] = field(default_factory=list)

    def link_target(self, name: str) -> str | None:
        path = self.dev_dir / name
        return os.readlink(path) if path.is_symlink() else None


def _skip_reason() -> str | None:
    for tool, package in (
        ("umockdev-run", "umockdev"),
        ("udevadm", "udev"),
        ("unshare", "util-linux"),
    ):
        if shutil.which(tool) is None:
            return f"{tool} not installed (Debian package {package}; `make system-deps`)"
    if os.geteuid() != 0:
        return "needs root: mount namespaces with bind mounts over /dev and mknod"
    try:
        grp.getgrnam("dialout")
    except KeyError:
        return "no dialout group on this machine; the rules hand the node to it"
    if not Path("/etc/udev/rules.d").is_dir():
        return "/etc/udev/rules.d does not exist, nothing to bind-mount our rules over"
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        return f"unshare --mount is not permitted here: {probe.stderr.strip()}"
    return None


SKIP_REASON = _skip_reason()
#: Marks a module whose tests run udev: skipped, saying which tool or right is missing.
needs_udev = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")


def run_udev(
    workdir: Path, devices: Sequence[FakeTty], rules: Iterable[Path] = RULES_FILES
) -> UdevRun:
    """Run ``udevadm test --action=add`` for each device, in order, in one namespace."""
    root = workdir / "ns"
    for sub in ("dev", "run", "rules", "empty"):
        (root / sub).mkdir(parents=True)
    for name in ("null", "zero", "full", "random", "urandom"):
        (root / "dev" / name).touch()  # mount points for the host's nodes
    for rule in rules:
        shutil.copy(rule, root / "rules" / rule.name)
    for device in devices:
        node = root / "dev" / device.tty
        os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(device.major, device.minor))
    description = workdir / "devices.umockdev"
    description.write_text("\n".join(d.umockdev() for d in devices))
    script = workdir / "ns.sh"
    script.write_text(NAMESPACE_SCRIPT)
    commands = " ; ".join(
        f"echo '@@@ {d.syspath}' ; udevadm test --action=add {d.syspath} 2>&1" for d in devices
    )
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", str(script), str(root),
         "umockdev-run", "--device", str(description), "--", "sh", "-c", commands],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    run = UdevRun(output, root / "dev")
    segments = proc.stdout.split("@@@ ")[1:]
    assert len(segments) == len(devices), output
    for device, segment in zip(devices, segments, strict=True):
        lines = segment.splitlines()[1:]
        marker = "This program is for debugging only"
        cut = next(i for i, line in enumerate(lines) if line.startswith(marker))
        properties = dict(
            line.split("=", 1) for line in lines[cut:] if "=" in line and line[:1].isupper()
        )
        run.results.append(UdevResult(device, lines[:cut], properties, root / "dev"))
    return run

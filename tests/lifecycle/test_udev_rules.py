"""Our udev rules, executed by the real udev rule engine against fake USB and UART devices.

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

RULES_DIR = Path(__file__).resolve().parents[2] / "udev"
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


# -- fake devices -------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeTty:
    """A tty device and its sysfs parents, rendered as an umockdev device description."""

    name: str  # fixture id
    tty: str  # kernel name: ttyACM0, ttyUSB0, ttyAMA0
    major: int
    minor: int
    records: tuple[tuple[str, dict[str, str], dict[str, str]], ...]  # (path, env, attrs)

    @property
    def syspath(self) -> str:
        return "/sys" + self.records[-1][0]

    def umockdev(self) -> str:
        blocks = []
        for path, env, attrs in self.records:
            lines = [f"P: {path}"]
            lines += [f"E: {k}={v}" for k, v in env.items()]
            lines += [f"A: {k}={v}" for k, v in attrs.items()]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"


def usb_serial(
    name: str,
    *,
    vid: str,
    pid: str,
    manufacturer: str,
    product: str,
    serial: str | None,
    driver: str,
    port: str = "1-1",
    index: int = 0,
) -> FakeTty:
    """A USB serial adapter laid out as the kernel does for its driver.

    cdc_acm puts the tty directly under the interface (``.../1-1:1.0/tty/ttyACM0``); the
    usb-serial drivers (cp210x, ftdi_sio, ch341) add a port device in between
    (``.../1-1:1.0/ttyUSB0/tty/ttyUSB0``).
    """
    usb_dev = f"/devices/pci0000:00/0000:00:14.0/usb1/{port}"
    interface = f"{usb_dev}/{port}:1.0"
    acm = driver == "cdc_acm"
    tty = f"ttyACM{index}" if acm else f"ttyUSB{index}"
    major, minor = (166, index) if acm else (188, index)
    attrs = {"idVendor": vid, "idProduct": pid, "bcdDevice": "0100", "product": product}
    if manufacturer:
        attrs["manufacturer"] = manufacturer
    if serial:
        attrs["serial"] = serial
    records: list[tuple[str, dict[str, str], dict[str, str]]] = [
        (
            usb_dev,
            {
                "SUBSYSTEM": "usb",
                "DEVTYPE": "usb_device",
                "DRIVER": "usb",
                "PRODUCT": f"{int(vid, 16):x}/{int(pid, 16):x}/100",
            },
            attrs,
        ),
        (
            interface,
            {"SUBSYSTEM": "usb", "DEVTYPE": "usb_interface", "DRIVER": driver},
            {"bInterfaceNumber": "00", "bInterfaceClass": "02" if acm else "ff"},
        ),
    ]
    if acm:
        tty_path = f"{interface}/tty/{tty}"
    else:
        records.append((f"{interface}/{tty}", {"SUBSYSTEM": "usb-serial", "DRIVER": driver}, {}))
        tty_path = f"{interface}/{tty}/tty/{tty}"
    records.append(
        (
            tty_path,
            {
                "SUBSYSTEM": "tty",
                "DEVNAME": f"/dev/{tty}",
                "MAJOR": str(major),
                "MINOR": str(minor),
            },
            {"dev": f"{major}:{minor}"},
        )
    )
    return FakeTty(name, tty, major, minor, tuple(records))


def pi_uart(name: str, tty: str, minor: int) -> FakeTty:
    """A Raspberry Pi 4 PL011 UART (the one a RaspBee sits on) or another on-board tty."""
    parent = "/devices/platform/soc/fe201000.serial"
    records = (
        (parent, {"SUBSYSTEM": "amba", "DRIVER": "uart-pl011"}, {}),
        (
            f"{parent}/tty/{tty}",
            {"SUBSYSTEM": "tty", "DEVNAME": f"/dev/{tty}", "MAJOR": "204", "MINOR": str(minor)},
            {"dev": f"204:{minor}"},
        ),
    )
    return FakeTty(name, tty, 204, minor, records)


# Descriptor strings as the sticks report them (what /dev/serial/by-id shows on real ones).
CONBEE2 = usb_serial(
    "conbee2", vid="1cf1", pid="0030", manufacturer="dresden elektronik ingenieurtechnik GmbH",
    product="ConBee II", serial="DE2132653", driver="cdc_acm",
)  # fmt: skip
CONBEE3 = usb_serial(
    "conbee3", vid="0403", pid="6015", manufacturer="dresden elektronik",
    product="ConBee III", serial="DE03188934", driver="ftdi_sio",
)  # fmt: skip
ZBDONGLE_P = usb_serial(
    "zbdongle-p", vid="10c4", pid="ea60", manufacturer="ITead",
    product="Sonoff Zigbee 3.0 USB Dongle Plus", serial="a0b1c2d3e4f5", driver="cp210x",
)  # fmt: skip
ZBDONGLE_E = usb_serial(
    "zbdongle-e", vid="1a86", pid="55d4", manufacturer="ITEAD",
    product="SONOFF Zigbee 3.0 USB Dongle Plus V2", serial="20220712144640", driver="cdc_acm",
)  # fmt: skip
ZBDONGLE_E_CP2102N = usb_serial(
    "zbdongle-e-cp2102n", vid="10c4", pid="ea60", manufacturer="Itead",
    product="Sonoff Zigbee 3.0 USB Dongle Plus V2", serial="a6d48ae8", driver="cp210x",
)  # fmt: skip
ZZH = usb_serial(
    "zzh", vid="1a86", pid="7523", manufacturer="", product="USB Serial", serial=None,
    driver="ch341",
)  # fmt: skip
RASPBEE = pi_uart("raspbee", "ttyAMA0", 64)

# Look-alikes: the same USB ids as a coordinator, but not one.
GENERIC_CP2102 = usb_serial(
    "generic-cp2102", vid="10c4", pid="ea60", manufacturer="Silicon Labs",
    product="CP2102 USB to UART Bridge Controller", serial="0001", driver="cp210x",
)  # fmt: skip
GENERIC_FTDI = usb_serial(
    "generic-ft230x", vid="0403", pid="6015", manufacturer="FTDI",
    product="FT230X Basic UART", serial="DK0AB1CD", driver="ftdi_sio",
)  # fmt: skip
GENERIC_CH9102 = usb_serial(
    "generic-ch9102", vid="1a86", pid="55d4", manufacturer="", product="USB Single Serial",
    serial="5434012345", driver="cdc_acm",
)  # fmt: skip
OTHER_PI_UART = pi_uart("pi-ttyAMA1", "ttyAMA1", 65)

COORDINATORS = [  # (device, its kind link, GATEWAY_RADIO_KIND)
    pytest.param(CONBEE2, "zigbee-conbee2", "deconz", id=CONBEE2.name),
    pytest.param(CONBEE3, "zigbee-conbee3", "deconz", id=CONBEE3.name),
    pytest.param(RASPBEE, "zigbee-raspbee", "deconz", id=RASPBEE.name),
    pytest.param(ZBDONGLE_P, "zigbee-znp", "znp", id=ZBDONGLE_P.name),
    pytest.param(ZZH, "zigbee-znp", "znp", id=ZZH.name),
    pytest.param(ZBDONGLE_E, "zigbee-ezsp", "ezsp", id=ZBDONGLE_E.name),
    pytest.param(ZBDONGLE_E_CP2102N, "zigbee-ezsp", "ezsp", id=ZBDONGLE_E_CP2102N.name),
]
LOOKALIKES = [GENERIC_CP2102, GENERIC_FTDI, GENERIC_CH9102, OTHER_PI_UART]


# -- running udev -------------------------------------------------------------------------


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
pytestmark = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")


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


@pytest.fixture
def udev(tmp_path: Path):
    """``udev(device, ...)``: the result for the last device after running udev on all."""

    def _run(*devices: FakeTty) -> UdevResult:
        return run_udev(tmp_path, devices).results[-1]

    return _run


# -- the devices we want --------------------------------------------------------------------


def test_conbee2_gets_zigbee_and_zigbee_conbee2_links(udev) -> None:
    result = udev(CONBEE2)
    assert result.devlinks == {"/dev/zigbee", "/dev/zigbee-conbee2"}
    assert os.readlink(result.dev_dir / "zigbee") == "ttyACM0"
    assert os.readlink(result.dev_dir / "zigbee-conbee2") == "ttyACM0"


def test_zbdongle_p_gets_zigbee_and_zigbee_znp_links(udev) -> None:
    result = udev(ZBDONGLE_P)
    assert result.devlinks == {"/dev/zigbee", "/dev/zigbee-znp"}
    assert os.readlink(result.dev_dir / "zigbee") == "ttyUSB0"
    assert os.readlink(result.dev_dir / "zigbee-znp") == "ttyUSB0"


@pytest.mark.parametrize(("device", "kind_link", "radio_kind"), COORDINATORS)
def test_each_coordinator_gets_zigbee_and_its_kind_link(
    udev, device: FakeTty, kind_link: str, radio_kind: str
) -> None:
    result = udev(device)
    assert result.devlinks == {"/dev/zigbee", f"/dev/{kind_link}"}
    assert os.readlink(result.dev_dir / kind_link) == device.tty


@pytest.mark.parametrize(("device", "kind_link", "radio_kind"), COORDINATORS)
def test_each_coordinator_reports_its_radio_kind(
    udev, device: FakeTty, kind_link: str, radio_kind: str
) -> None:
    assert udev(device).properties["GATEWAY_RADIO_KIND"] == radio_kind


@pytest.mark.parametrize("device", [CONBEE2, ZBDONGLE_P, RASPBEE], ids=lambda d: d.name)
def test_coordinator_node_is_group_dialout_mode_0660(udev, device: FakeTty) -> None:
    node = udev(device).node()
    assert stat.S_ISCHR(node.st_mode)
    assert node.st_gid == grp.getgrnam("dialout").gr_gid  # the rules name the group
    assert stat.S_IMODE(node.st_mode) == 0o660


@pytest.mark.parametrize("device", [CONBEE2, ZBDONGLE_P, RASPBEE], ids=lambda d: d.name)
def test_coordinator_is_hidden_from_modemmanager(udev, device: FakeTty) -> None:
    assert udev(device).properties.get("ID_MM_DEVICE_IGNORE") == "1"


# -- the devices we must leave alone --------------------------------------------------------


def test_generic_cp2102_with_the_zbdongle_p_ids_gets_no_links(udev) -> None:
    result = udev(GENERIC_CP2102)
    assert result.devlinks == set()
    assert not (result.dev_dir / "zigbee").exists()
    assert "ID_MM_DEVICE_IGNORE" not in result.properties


@pytest.mark.parametrize("device", LOOKALIKES, ids=lambda d: d.name)
def test_lookalike_serial_devices_are_left_alone(udev, device: FakeTty) -> None:
    result = udev(device)
    assert result.devlinks == set()
    assert "ID_MM_DEVICE_IGNORE" not in result.properties
    assert "GATEWAY_RADIO_KIND" not in result.properties
    node = result.node()
    assert (node.st_gid, stat.S_IMODE(node.st_mode)) == (0, 0o600)  # as we created it


# -- several radios at once -------------------------------------------------------------------


@pytest.mark.parametrize("order", ["conbee-first", "zzh-first"])
def test_identified_stick_keeps_zigbee_link_when_a_ch340_is_also_plugged(
    tmp_path: Path, order: str
) -> None:
    zzh = usb_serial(
        "zzh", vid="1a86", pid="7523", manufacturer="", product="USB Serial", serial=None,
        driver="ch341", port="1-2",
    )  # fmt: skip
    devices = [CONBEE2, zzh] if order == "conbee-first" else [zzh, CONBEE2]
    run = run_udev(tmp_path, devices)
    assert run.link_target("zigbee") == "ttyACM0"
    assert run.link_target("zigbee-conbee2") == "ttyACM0"
    assert run.link_target("zigbee-znp") == "ttyUSB0"


def test_raspbee_keeps_zigbee_link_over_a_ch340(tmp_path: Path) -> None:
    run = run_udev(tmp_path, [RASPBEE, ZZH])
    assert run.link_target("zigbee") == "ttyAMA0"


def test_zbdongle_p_keeps_zigbee_link_over_a_zbdongle_e(tmp_path: Path) -> None:
    dongle_e = usb_serial(
        "zbdongle-e", vid="1a86", pid="55d4", manufacturer="ITEAD",
        product="SONOFF Zigbee 3.0 USB Dongle Plus V2", serial="1", driver="cdc_acm",
        port="1-2",
    )  # fmt: skip
    run = run_udev(tmp_path, [ZBDONGLE_P, dongle_e])
    assert run.link_target("zigbee") == "ttyUSB0"
    assert run.link_target("zigbee-ezsp") == "ttyACM0"


# -- the rules file itself and the harness ----------------------------------------------------


def test_rules_files_load_without_warnings(tmp_path: Path) -> None:
    run = run_udev(tmp_path, [CONBEE2])
    complaints = [
        line
        for line in run.output.splitlines()
        for rule in RULES_FILES
        if line.startswith(f"/etc/udev/rules.d/{rule.name}:")
    ]
    assert complaints == []
    assert all(f"Reading rules file: /etc/udev/rules.d/{r.name}" in run.output for r in RULES_FILES)


def test_harness_sees_a_broken_rules_file(tmp_path: Path) -> None:
    """Guards the test above: a parse error in a rules file does show up in the output."""
    broken = tmp_path / "50-broken.rules"
    broken.write_text('SUBSYSTEM=="tty", ATTRS{idVendor}="1cf1", SYMLINK+="x"\n')
    run = run_udev(tmp_path, [CONBEE2], rules=[*RULES_FILES, broken])
    assert "/etc/udev/rules.d/50-broken.rules:1 Invalid operator for ATTRS." in run.output


def test_udev_runs_leave_the_host_dev_and_run_untouched(tmp_path: Path) -> None:
    watched = [Path("/dev/zigbee"), Path("/dev/zigbee-conbee2"), Path("/run/udev/data/c166:0")]
    before = {p: p.exists() or p.is_symlink() for p in watched}
    run_udev(tmp_path, [CONBEE2])
    assert {p: p.exists() or p.is_symlink() for p in watched} == before
    assert (tmp_path / "ns" / "dev" / "zigbee").is_symlink()

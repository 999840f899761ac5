"""Fake USB and UART tty devices, rendered as umockdev device descriptions.

Why fakes this detailed: udev matches on the sysfs parents (idVendor/idProduct, the
descriptor strings, the driver), so each fake has the parent chain the kernel builds for
its driver, and the rules see what they would see on a Pi with the real stick plugged in.
"""

from __future__ import annotations

from dataclasses import dataclass


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

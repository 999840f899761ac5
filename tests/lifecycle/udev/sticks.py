"""The coordinators our rules must name, and the look-alikes they must leave alone.

Descriptor strings as the sticks report them (what /dev/serial/by-id shows on real ones).
"""

from __future__ import annotations

import pytest

from tests.lifecycle.udev.fake_ttys import pi_uart, usb_serial

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

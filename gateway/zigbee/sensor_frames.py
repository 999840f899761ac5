"""Raw ZCL frames from sensors and remotes, turned into sensor readings.

Why we decode the bytes ourselves instead of waiting for zigpy's parsed events: zigpy
knows no manufacturer-specific clusters (the Hue dimmer's 0xFC00) and drops frames it
cannot parse without telling anyone; reading the frame once here gives every sensor the
same path, the same latency (the reading is published from the receive callback), and
one place that logs a malformed frame and keeps it from changing anything.

What is understood (learnt from the devices' public decoders; deCONZ's numbers):
- Report Attributes / Read Attributes Response: battery (0x0001/0x0021, 0.5 % units),
  occupancy (0x0406/0x0000, and 0x0010 the occupied-to-unoccupied delay), illuminance
  (0x0400), temperature (0x0402, 0.01 °C), humidity (0x0405, 0.01 %), IAS zone status
  (0x0500/0x0002, Alarm1 = open).
- IAS Zone Status Change Notification; Zone Enroll Request (answered by the listener).
- Hue dimmer: 0xFC00 manufacturer command 0x00: ``button | 3 bytes | press type | ...``.
- IKEA remote: On/Off toggle, Level move/step/stop (with and without on/off), IKEA's
  manufacturer-specific Scenes 0x07/0x08/0x09 for the arrows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import zigpy.types as zt
from zigpy.zcl import foundation

from gateway.domain.sensors.buttons import (
    HUE_DIMMER_BUTTONS,
    IKEA_REMOTE_BUTTONS,
    ButtonAction,
    button_event,
)

POWER, ON_OFF, LEVEL, SCENES = 0x0001, 0x0006, 0x0008, 0x0005
ILLUMINANCE, TEMPERATURE, HUMIDITY, OCCUPANCY = 0x0400, 0x0402, 0x0405, 0x0406
IAS_ZONE, LIGHTLINK, HUE_BUTTONS = 0x0500, 0x1000, 0xFC00
PHILIPS, IKEA = 0x100B, 0x117C

# (cluster, attribute) -> (sensor cluster, state key); config keys apart.
STATE_ATTRIBUTES = {
    (OCCUPANCY, 0x0000): "presence",
    (ILLUMINANCE, 0x0000): "lightlevel",
    (TEMPERATURE, 0x0000): "temperature",
    (HUMIDITY, 0x0000): "humidity",
    (IAS_ZONE, 0x0002): "open",
}
BATTERY_PERCENT, OCCUPANCY_DELAY = (POWER, 0x0021), (OCCUPANCY, 0x0010)
INVALID = {"temperature": 0x8000, "humidity": 0xFFFF, "lightlevel": 0xFFFF}

HUE_PRESS_TYPES = {
    0: ButtonAction.INITIAL_PRESS,
    1: ButtonAction.HOLD,
    2: ButtonAction.SHORT_RELEASE,
    3: ButtonAction.LONG_RELEASE,
}
IKEA_LEFT, IKEA_RIGHT = 257, 256


class MalformedFrame(ValueError):
    """The bytes are not a ZCL frame we can read (too short, bad values)."""


@dataclass
class Decoded:
    """What one frame means: readings by sensor key ``(endpoint, cluster)``, device-wide
    config (battery), an IAS enrolment to answer, or nothing understood."""

    state: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    config: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    device_config: dict[str, Any] = field(default_factory=dict)
    events: set[tuple[int, int]] = field(default_factory=set)
    enroll_tsn: int | None = None
    understood: bool = True


@dataclass
class RemoteMemory:
    """IKEA's arrow release names no side: remember which arrow is held, per device."""

    held_arrow: dict[str, int] = field(default_factory=dict)


def decode(ieee: str, cluster: int, endpoint: int, data: bytes, memory: RemoteMemory) -> Decoded:
    """Decode one frame; raises MalformedFrame for bytes that are not a valid frame."""
    try:
        header, rest = foundation.ZCLHeader.deserialize(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise MalformedFrame(f"bad ZCL header: {exc}") from None
    try:
        if header.frame_control.frame_type == foundation.FrameType.GLOBAL_COMMAND:
            return _global(header, cluster, endpoint, rest)
        return _cluster_command(ieee, header, cluster, endpoint, rest, memory)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise MalformedFrame(f"bad payload: {exc}") from None


def _global(header: foundation.ZCLHeader, cluster: int, endpoint: int, rest: bytes) -> Decoded:
    command = int(header.command_id)
    values: list[tuple[int, Any]] = []
    parsed: Any
    if command == foundation.GeneralCommand.Report_Attributes:
        schema = foundation.GENERAL_COMMANDS[foundation.GeneralCommand.Report_Attributes].schema
        parsed, _ = schema.deserialize(rest)
        values = [(int(a.attrid), a.value.value) for a in parsed.attribute_reports]
    elif command == foundation.GeneralCommand.Read_Attributes_rsp:
        schema = foundation.GENERAL_COMMANDS[foundation.GeneralCommand.Read_Attributes_rsp].schema
        parsed, _ = schema.deserialize(rest)
        values = [
            (int(r.attrid), r.value.value)
            for r in parsed.status_records
            if r.status == foundation.Status.SUCCESS
        ]
    else:
        # Answers to our own requests (Configure Reporting, Write Attributes, Default
        # Response ...): zigpy matches them to the request; nothing to read here.
        return Decoded()
    decoded = Decoded(understood=False)
    for attrid, value in values:
        attribute_reading(decoded, cluster, endpoint, attrid, value)
    return decoded


def attribute_reading(
    decoded: Decoded, cluster: int, endpoint: int, attrid: int, value: Any
) -> None:
    if (cluster, attrid) == BATTERY_PERCENT:
        if int(value) != 0xFF:
            decoded.device_config["battery"] = min(100, round(int(value) / 2))
            decoded.understood = True
        return
    if (cluster, attrid) == OCCUPANCY_DELAY:
        decoded.config.setdefault((endpoint, OCCUPANCY), {})["duration"] = int(value)
        decoded.understood = True
        return
    key = STATE_ATTRIBUTES.get((cluster, attrid))
    if key is None:
        return
    decoded.understood = True
    number = int(value)
    if key in ("presence", "open"):
        decoded.state.setdefault((endpoint, cluster), {})[key] = bool(number & 0x01)
    elif INVALID.get(key) not in (number, number & 0xFFFF):
        decoded.state.setdefault((endpoint, cluster), {})[key] = number


def _cluster_command(
    ieee: str,
    header: foundation.ZCLHeader,
    cluster: int,
    endpoint: int,
    rest: bytes,
    memory: RemoteMemory,
) -> Decoded:
    command = header.command_id
    to_client = header.frame_control.direction == foundation.Direction.Server_to_Client
    if cluster == IAS_ZONE and to_client:
        if command == 0x00:  # Zone Status Change Notification
            status = zt.uint16_t.deserialize(rest)[0]
            return Decoded(state={(endpoint, IAS_ZONE): {"open": bool(status & 0x01)}})
        if command == 0x01:  # Zone Enroll Request
            zt.uint16_t.deserialize(rest)  # zone type: must be there
            return Decoded(enroll_tsn=int(header.tsn))
    if cluster == HUE_BUTTONS and header.manufacturer == PHILIPS and command == 0x00:
        if len(rest) < 5:
            raise MalformedFrame(f"Hue button frame of {len(rest)} bytes")
        button, press_type = rest[0], rest[4]
        if button not in HUE_DIMMER_BUTTONS.values() or press_type not in HUE_PRESS_TYPES:
            raise MalformedFrame(f"Hue button {button} press type {press_type}")
        value = button_event(button, HUE_PRESS_TYPES[press_type])
        return _button(endpoint, HUE_BUTTONS, value)
    if not to_client and cluster in (ON_OFF, LEVEL, SCENES):
        ikea = _ikea_event(ieee, header, cluster, rest, memory)
        if ikea is not None:
            return _button(endpoint, LIGHTLINK, ikea)
    return Decoded(understood=False)


def _button(endpoint: int, cluster: int, value: int) -> Decoded:
    key = (endpoint, cluster)
    return Decoded(state={key: {"buttonevent": value}}, events={key})


def _ikea_event(
    ieee: str, header: foundation.ZCLHeader, cluster: int, rest: bytes, memory: RemoteMemory
) -> int | None:
    """The TRADFRI remote's commands as deCONZ numbers them (1 toggle .. 5 right)."""
    command = header.command_id
    buttons = IKEA_REMOTE_BUTTONS
    if cluster == ON_OFF and command == 0x02:
        return button_event(buttons["toggle"], ButtonAction.SHORT_RELEASE)
    if cluster == LEVEL and command in (0x01, 0x02, 0x03, 0x05, 0x06, 0x07):
        base = command & 0x03  # 1 move, 2 step, 3 stop
        # stop with on/off (0x07) ends the "up" commands, plain stop the "down" ones
        up = command == 0x07 if base == 3 else rest[0] == 0
        button = buttons["up" if up else "down"]
        action = {1: ButtonAction.HOLD, 2: ButtonAction.SHORT_RELEASE}.get(
            base, ButtonAction.LONG_RELEASE
        )
        return button_event(button, action)
    if cluster == SCENES and header.manufacturer == IKEA and command in (0x07, 0x08, 0x09):
        if command == 0x09:
            side = memory.held_arrow.pop(ieee, None)
            if side is None:
                return None
            return button_event(side, ButtonAction.LONG_RELEASE)
        param = int(zt.int16s.deserialize(rest)[0]) & 0x03FF
        if param not in (IKEA_LEFT & 0x03FF, IKEA_RIGHT & 0x03FF):
            raise MalformedFrame(f"IKEA arrow parameter {param}")
        side = buttons["left" if param == IKEA_LEFT else "right"]
        if command == 0x07:
            return button_event(side, ButtonAction.SHORT_RELEASE)
        memory.held_arrow[ieee] = side
        return button_event(side, ButtonAction.HOLD)
    return None

"""What a remote puts on the air for a button event, per model.

Why per model: gateways recognise buttons by the exact commands real remotes send, and
the two popular remotes differ completely. The formats are the ones public decoders
(zha-quirks, deconz-rest-plugin, zigbee2mqtt) read:

* **Hue dimmer switch (RWL021)**: every event is a manufacturer-specific command 0x00
  (manufacturer 0x100B) of cluster 0xFC00 on endpoint 2, server to client:
  ``button u8 | 0x000030 u24 | press type u8 | 0x21 u8 | duration u16``. Buttons 1 on,
  2 up, 3 down, 4 off; press types 0 press, 1 hold, 2 short release, 3 long release.
  The duration (our choice where decoders leave the unit open) is the hold time in
  1/8 s, 0 for a press. Endpoint 1 also sends the ZCL commands to its bindings: on →
  On, off → Off, up/down → Level step (with on/off going up) on press and hold.
* **IKEA TRADFRI remote (E1524/E1810)**: plain ZCL client commands on endpoint 1, with
  IKEA's manufacturer-specific (0x117C) Scenes commands for the arrows: toggle → On/Off
  Toggle; up → Step with on/off (0, 43, 5) / Move with on/off (0, 83) / Stop with on/off;
  down → Step (1, 43, 5) / Move (1, 83) / Stop; right/left press → Scenes 0x07
  (256|257 int16, 13, 0); hold → 0x08 (3328|3329, 0); release → 0x09 (duration int16,
  in 1/10 s).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import zigpy.types as zt
from zigpy.zcl import foundation as f

from .spec import DeviceKind

ON_OFF, LEVEL, SCENES, HUE_BUTTONS = 0x0006, 0x0008, 0x0005, 0xFC00
PHILIPS, IKEA = 0x100B, 0x117C

HUE_BUTTON_IDS = {"on": 1, "up": 2, "down": 3, "off": 4}
HUE_PRESS_TYPES = {"press": 0, "hold": 1, "short_release": 2, "long_release": 3}
IKEA_BUTTONS = ("toggle", "up", "down", "left", "right")
IKEA_EVENTS = ("press", "hold", "release")


@dataclass(frozen=True)
class ButtonFrame:
    """One ZCL command (without its header's TSN) and where it leaves the remote."""

    endpoint: int
    cluster: int
    command_id: int
    payload: bytes
    manufacturer: int | None = None
    direction: f.Direction = f.Direction.Client_to_Server

    def serialize(self, tsn: int) -> bytes:
        control = f.FrameControl(
            frame_type=f.FrameType.CLUSTER_COMMAND,
            is_manufacturer_specific=int(self.manufacturer is not None),
            direction=self.direction,
            disable_default_response=1,  # remotes do not want the gateway's answer
            reserved=0,
        )
        header = f.ZCLHeader(
            frame_control=control,
            manufacturer=None if self.manufacturer is None else zt.uint16_t(self.manufacturer),
            tsn=tsn,
            command_id=self.command_id,
        )
        return bytes(header.serialize()) + self.payload


def button_frames(
    kind: DeviceKind, button: str | int, event: str, duration: float
) -> list[ButtonFrame]:
    """The frames for one event; raises ValueError naming the accepted values."""
    if kind is DeviceKind.HUE_DIMMER:
        return _hue(button, event, duration)
    if kind is DeviceKind.IKEA_REMOTE:
        return _ikea(str(button), event, duration)
    raise ValueError(f"{kind} has no buttons")


def _hue(button: str | int, event: str, duration: float) -> list[ButtonFrame]:
    names = {v: k for k, v in HUE_BUTTON_IDS.items()}
    number = HUE_BUTTON_IDS.get(str(button)) if not isinstance(button, int) else button
    if number not in names:
        raise ValueError(f"button must be one of {sorted(HUE_BUTTON_IDS)} or 1..4")
    if event not in HUE_PRESS_TYPES:
        raise ValueError(f"event must be one of {list(HUE_PRESS_TYPES)}")
    eighths = 0 if event == "press" else min(round(duration * 8), 0xFFFF)
    payload = struct.pack("<B", number) + b"\x30\x00\x00"
    payload += struct.pack("<BBH", HUE_PRESS_TYPES[event], 0x21, eighths)
    frames = [ButtonFrame(2, HUE_BUTTONS, 0x00, payload, PHILIPS, f.Direction.Server_to_Client)]
    name = names[number]
    if name == "on" and event == "short_release":
        frames.append(ButtonFrame(1, ON_OFF, 0x01, b""))
    elif name == "off" and event == "short_release":
        frames.append(ButtonFrame(1, ON_OFF, 0x00, b""))
    elif name in ("up", "down") and event in ("press", "hold"):
        size = 30 if event == "press" else 56
        if name == "up":
            frames.append(ButtonFrame(1, LEVEL, 0x06, struct.pack("<BBH", 0, size, 9)))
        else:
            frames.append(ButtonFrame(1, LEVEL, 0x02, struct.pack("<BBH", 1, size, 9)))
    return frames


def _ikea(button: str, event: str, duration: float) -> list[ButtonFrame]:
    if button not in IKEA_BUTTONS:
        raise ValueError(f"button must be one of {list(IKEA_BUTTONS)}")
    if event not in IKEA_EVENTS:
        raise ValueError(f"event must be one of {list(IKEA_EVENTS)}")
    if button == "toggle":
        return [ButtonFrame(1, ON_OFF, 0x02, b"")] if event == "press" else []
    if button in ("up", "down"):
        down = int(button == "down")
        with_on_off = 0 if down else 4  # up uses the *_with_on_off variants
        if event == "press":
            return [ButtonFrame(1, LEVEL, 0x02 + with_on_off, struct.pack("<BBH", down, 43, 5))]
        if event == "hold":
            return [ButtonFrame(1, LEVEL, 0x01 + with_on_off, struct.pack("<BB", down, 83))]
        return [ButtonFrame(1, LEVEL, 0x03 + with_on_off, b"")]
    side = 256 if button == "right" else 257
    if event == "press":
        return [ButtonFrame(1, SCENES, 0x07, struct.pack("<hbb", side, 13, 0), IKEA)]
    if event == "hold":
        return [ButtonFrame(1, SCENES, 0x08, struct.pack("<hb", side + 3072, 0), IKEA)]
    tenths = min(round(duration * 10), 0x7FFF)
    return [ButtonFrame(1, SCENES, 0x09, struct.pack("<h", tenths), IKEA)]

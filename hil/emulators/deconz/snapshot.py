"""The emulator's ``state`` answer: stick, network, devices and recent frames as JSON.

Why apart from the emulator: it only reads, and it is the longest single method; the
emulator module keeps the life cycle, the faults and the wiring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .emulator import DeconzEmulator


def describe(emu: DeconzEmulator, frames: int = 20) -> dict[str, Any]:
    """A JSON-able picture of stick, network and devices (the ``state`` command)."""
    fw = emu._firmware  # None before start()
    stick: dict[str, Any] = {
        "plugged": emu.port.is_open,
        "path": emu.path,
        "pty": emu.port.slave_path,
        "host_connected": emu.port.host_connected,
    }
    net = None
    if fw is not None:
        runtime = fw.runtime
        stick.update(
            ieee=str(fw.ieee),
            powered=fw.powered,
            firmware_version=f"0x{int(fw.version):08x}",
            protocol_version=f"0x{fw.protocol_version:04x}",
            network_state=runtime.network_state.name,
            permit_join_remaining=fw.permit_remaining(),
            watchdog_remaining=fw.watchdog_remaining(),
            pending_indications=len(runtime.indications),
            pending_confirms=len(runtime.confirms),
            aps_slots_in_use=runtime.slots_in_use,
            endpoints=[d.endpoint for d in fw.config.endpoints],
            stats=vars(fw.stats),
        )
        formed = fw.config.network
        if formed is not None:
            net = {
                **formed.as_dict(),
                "pan_id": f"0x{formed.pan_id:04x}",
                "network_key": fw.config.network_key.serialize().hex(),
                "frame_counter": fw.config.frame_counter,
                "trust_center_devices": {str(k): v for k, v in fw.config.devices.items()},
            }
    recent = emu.frame_log.records(max(0, emu.frame_log.last_seq - frames))
    return {
        "stick": stick,
        "network": net,
        "devices": [d.snapshot() for d in emu.devices.values()],
        "frames": {
            "received": emu.frame_log.received,
            "sent": emu.frame_log.sent,
            "dropped": emu.frame_log.dropped,
            "last_seq": emu.frame_log.last_seq,
            "recent": [r.describe() for r in recent],
        },
        "events": list(fw.events[-30:]) if fw else [],
    }

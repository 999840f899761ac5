"""What a failed delivery to a light means, and which commands overwrite each other.

Why its own module: one exception from zigpy can mean three different answers to the
client — the radio went away or is busy (503, error 950/951), the radio refused to send
(error 901: full queue, bad request), or the light did not acknowledge (error 202, and
the light is marked unreachable); the lights bridge tells them apart with these rules.
And a newer command of the same kind (on/off, level, colour)
makes an older one still waiting for the radio pointless (``coalescing``).
"""

from __future__ import annotations

from gateway.domain.lights.model import (
    SetColorTemp,
    SetHueSat,
    SetLevel,
    SetXY,
    TurnOff,
    TurnOn,
    TurnOnAtLevel,
)
from gateway.domain.radio import RadioBusy, RadioUnavailable
from gateway.zigbee.supervisor import RadioSupervisor

# Delivery statuses that mean "the light did not answer" (Z-Stack and deCONZ names);
# any other failure status is the radio refusing to send (full queue, bad request, ...).
NOT_ACKNOWLEDGED = ("NO_ACK", "NO_ROUTE", "TRANSACTION_EXPIRED", "ROUTE_ERROR", "NO_RESPONSE")

# Settings a newer command of the same kind overwrites (gateway.zigbee.coalescing).
SETTING_KINDS: dict[type, str] = {
    TurnOn: "on",
    TurnOff: "on",
    TurnOnAtLevel: "level",
    SetLevel: "level",
    SetHueSat: "colour",
    SetColorTemp: "colour",
    SetXY: "colour",
}


def radio_refusal(exc: BaseException) -> str | None:
    """The status name if the radio refused to send, None if the light did not answer."""
    status = getattr(exc, "status", None)
    if status is None:
        return None
    name = getattr(status, "name", None) or f"0x{int(status):02X}"
    if any(part in name for part in NOT_ACKNOWLEDGED):
        return None
    return str(name)


def raise_radio_problem(supervisor: RadioSupervisor, exc: BaseException | None = None) -> None:
    """A failure caused by the radio going away (or busy) is not the light's fault.

    ``exc`` goes to the supervisor first: "Coordinator is disconnected" while it runs
    makes it reconnect at once (``RadioSupervisor.delivery_failed``).
    """
    if exc is not None:
        supervisor.delivery_failed(exc)
    if not supervisor.reachable:
        raise RadioUnavailable("Not connected")
    if supervisor.busy is not None:
        raise RadioBusy(supervisor.busy)

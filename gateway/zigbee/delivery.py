"""What a failed delivery to a light means, and which commands overwrite each other.

Why its own module: one exception from zigpy can mean three different answers to the
client — the radio went away or is busy (503, error 950/951), the radio refused to send
(error 901: full queue, bad request), or the light did not acknowledge (error 202, and
the light is marked unreachable); the lights bridge tells them apart with these rules.
And a newer command of the same kind (on/off, level, colour)
makes an older one still waiting for the radio pointless (``coalescing``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import zigpy.exceptions

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
from gateway.zigbee.cancellation import radio_request
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


@contextlib.contextmanager
def radio_call(supervisor: RadioSupervisor, what: str) -> Iterator[None]:
    """One request over the radio connection that is up now; its failures mean the radio
    went away whenever that connection is gone by then.

    Why per connection: zigpy sends (and retries) a request through the application it
    started on. A request that spans a reconnect fails inside the dead application —
    zigpy-deconz's ``AttributeError`` on its dropped API object, zigpy-znp's "Coordinator
    is disconnected", a time-out — while the radio is up again: asking "is the radio up?"
    would blame the lamp, log a traceback, or restart the healthy new connection. A
    request cancelled under us is the radio going away too (``radio_request``). A
    "Coordinator is disconnected" on the connection still current goes to the
    supervisor, which reconnects at once (``RadioSupervisor.delivery_failed``).
    """
    connection = supervisor.connection

    def gone() -> bool:
        return supervisor.went_away(connection)

    try:
        with radio_request(what, gone):
            yield
    except (TimeoutError, zigpy.exceptions.ZigbeeException) as exc:
        supervisor.delivery_failed(exc)
        if gone():
            raise RadioUnavailable(f"{what}: the radio went away during the request") from exc
        raise


def raise_radio_problem(supervisor: RadioSupervisor) -> None:
    """A failure while the radio is down (or busy) is not the light's fault."""
    if not supervisor.reachable:
        raise RadioUnavailable("Not connected")
    if supervisor.busy is not None:
        raise RadioBusy(supervisor.busy)

"""Carrying out a validated ``PUT .../state`` on one light, step by step.

Why its own module: the order of the commands (``planning``), what happens to the
parameters after a failure and which error each failure becomes are the rules a client
sees in the answer (docs/zigbee.md); keeping them apart from the service's bookkeeping
(memory, store, events) lets them be read as the rules they are:

- parameters the light cannot take while off are refused (201) unless ``on: true`` comes
  with them;
- a parameter is a success only after the light acknowledged its command; when a command
  fails, the parameters already carried out stay successes, the failing one and all after
  it get an error item (202 the light stopped answering, 901 the radio refused to send,
  950/951 the radio went away or became busy), and nothing after the failure is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from gateway.domain.lights.model import LightRefused, LightUnreachable
from gateway.domain.lights.planning import plan_steps
from gateway.domain.lights.records import (
    REFUSED_WHEN_OFF,
    Light,
    LightTransport,
    Outcome,
    ParamResult,
    StateRequest,
)
from gateway.domain.radio import RadioBusy, RadioUnavailable

log = logging.getLogger(__name__)

Commanded = Callable[[int, dict[str, Any], int | None], None]
"""Told of the values a light acknowledged (light id, values, transition): ``pending``."""


async def carry_out(
    light: Light, request: StateRequest, transport: LightTransport, commanded: Commanded
) -> list[ParamResult]:
    """Send ``request`` to ``light``; one result per parameter, in the request's order.

    The light's state takes each acknowledged step's values (and ``reachable`` follows the
    light's answers); storing and publishing them is the caller's.
    """
    results: dict[str, ParamResult] = {}
    params = dict(request.params)
    if not light.state.get("on") and params.get("on") is not True:
        for name in REFUSED_WHEN_OFF:
            if name in params:
                results[name] = ParamResult(name, params[name], Outcome.DEVICE_OFF)
    steps = plan_steps(light, {k: v for k, v in params.items() if k not in results}, request)
    failure: tuple[Outcome, str] | None = None
    for step in steps:
        if failure is None:
            failure = await _send(light, transport, step.command)
            if failure is not None:
                log.info("light %s: %s failed: %s", light.rid, step.command, failure[1])
        if failure is not None:
            for name in step.names:
                results[name] = ParamResult(name, params[name], failure[0], failure[1])
            continue
        light.state.update(step.applied)
        light.state["reachable"] = True
        commanded(light.id, step.applied, request.transition)
        for name in step.names:
            results[name] = ParamResult(name, step.applied.get(name, params[name]))
    return [results[name] for name, _ in request.params if name in results]


async def _send(
    light: Light, transport: LightTransport, command: Any
) -> tuple[Outcome, str] | None:
    """One step to the light; the failure as (outcome, detail), or None when acknowledged."""
    try:
        await transport.send(light.address, light.caps, command)
    except LightUnreachable as exc:
        light.state["reachable"] = False
        return Outcome.NOT_REACHABLE, str(exc)
    except LightRefused as exc:
        return Outcome.REFUSED, exc.status
    except RadioBusy as exc:
        return Outcome.RADIO_BUSY, exc.operation
    except RadioUnavailable as exc:
        return Outcome.RADIO_DOWN, str(exc) or "Not connected"
    return None

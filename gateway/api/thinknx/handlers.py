"""The handlers: read the parameters, call a domain service, shape the spec's answer.

Each factory returns a small typed handler for one controller, so the routes table reads
as a list of (URL, handler). Response keys follow the spec's order: ``namespace``,
``guid``, ``status`` (when there is one), ``comm_obj``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gateway.api.thinknx.context import ThinknxCall
from gateway.domain.knx_controllers import CONTROLLERS

Body = dict[str, Any]
Handler = Callable[[ThinknxCall], Awaitable[Body]]


def command(controller: str, param: str = "cmd") -> Handler:
    """A set controller: ``guid``, the value in ``param``, optional ``fb``."""
    spec = CONTROLLERS[controller]

    async def handle(call: ThinknxCall) -> Body:
        guid = call.params.text("guid")
        if spec.value_optional:
            value = call.params.optional_number(param)
        else:
            value = call.params.number(param)
        feedback = spec.feedback and call.params.has("fb")
        outcome = await call.services.devices.command(guid, controller, value, feedback=feedback)
        body: Body = {"namespace": call.namespace, "guid": guid}
        if feedback:
            body["status"] = outcome.status
        body["comm_obj"] = outcome.comm_obj
        return body

    return handle


def status(controller: str) -> Handler:
    """A status controller: ``guid`` only."""

    async def handle(call: ThinknxCall) -> Body:
        guid = call.params.text("guid")
        outcome = await call.services.devices.status(guid, controller)
        return {
            "namespace": call.namespace,
            "guid": guid,
            "status": outcome.status,
            "comm_obj": outcome.comm_obj,
        }

    return handle


def send_knx(command_name: str) -> Handler:
    """``system/sendKNX*``: ``group`` and ``value``."""

    async def handle(call: ThinknxCall) -> Body:
        group = call.params.text("group")
        value = call.params.number("value")
        sent = await call.services.system.send(command_name, group, value)
        return {"namespace": call.namespace, "group": sent.group, "value": sent.value}

    return handle


async def server_status(call: ThinknxCall) -> Body:
    """``system/serverStatus``: no parameters."""
    info = await call.services.server.status(call.services.clients.count())
    return {
        "namespace": call.namespace,
        "version": info.version,
        "process_uptime": info.process_uptime,
        "server_uptime": info.server_uptime,
        "config_time": info.config_time,
        "connected_clients": info.connected_clients,
        "pbx_users": info.pbx_users,
    }

"""The Thinknx routes table: find the handler for any URL of the spec here.

Every path is served under ``/api/V1/`` and ``/api/v1/`` (the spec uses both), for GET and
for POST with an ``application/x-www-form-urlencoded`` body. The same table feeds the
OpenAPI description (``openapi.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.api.thinknx import handlers
from gateway.api.thinknx.handlers import Handler
from gateway.domain.knx_controllers import CONTROLLERS


@dataclass(frozen=True)
class ParamDoc:
    """One request parameter, for the OpenAPI description."""

    name: str
    required: bool
    description: str
    kind: str = "string"  # "string", "number" or "flag"


@dataclass(frozen=True)
class ThinknxRoute:
    """One controller URL: path below ``/api/V1/`` (also its ``namespace``) and handler."""

    path: str
    handler: Handler
    summary: str
    params: tuple[ParamDoc, ...]
    controller: str | None = None  # the catalogue controller, for the OpenAPI value ranges


_GUID = ParamDoc("guid", True, "device identifier from the catalogue")
_FB = ParamDoc("fb", False, "present: wait for the device's status feedback", "flag")


def command(path: str, controller: str, param: str = "cmd") -> ThinknxRoute:
    spec = CONTROLLERS[controller]
    params = [_GUID, ParamDoc(param, not spec.value_optional, spec.summary, "number")]
    if spec.feedback:
        params.append(_FB)
    handler = handlers.command(controller, param)
    return ThinknxRoute(path, handler, spec.summary, tuple(params), controller)


def status(path: str, controller: str) -> ThinknxRoute:
    spec = CONTROLLERS[controller]
    return ThinknxRoute(path, handlers.status(controller), f"Status: {spec.summary}", (_GUID,))


def send_knx(command_name: str, what: str, values: str) -> ThinknxRoute:
    return ThinknxRoute(
        f"system/{command_name}",
        handlers.send_knx(command_name),
        f"Send a KNX telegram: {what}",
        (
            ParamDoc("group", True, "KNX group address, e.g. 1/0/1"),
            ParamDoc("value", True, values, "number"),
        ),
    )


ROUTES: list[ThinknxRoute] = [
    # Lights, switches and bulbs
    command("power", "power"),
    status("powerstatus", "power"),
    command("powerlevel", "powerlevel"),
    status("powerlevelstatus", "powerlevel"),
    # Blinds, curtains and lamellas
    command("updown", "updown"),
    command("stop", "stop"),
    command("heightlevel", "heightlevel", param="val"),
    status("heightlevelstatus", "heightlevel"),
    command("blindstep", "blindstep"),
    command("blindangle", "blindangle"),
    status("blindanglestatus", "blindangle"),
    # Analog values
    command("setvalue", "value"),
    status("getvalue", "value"),
    # Thermostats
    status("actualtemp", "actualtemp"),
    command("setpoint", "setpoint"),
    status("setpointstatus", "setpoint"),
    command("tempmode", "tempmode"),
    status("tempmodestatus", "tempmode"),
    command("chronoen", "chronoen"),
    status("chronoenstatus", "chronoen"),
    # HVAC units and fans
    command("hvacpower", "hvacpower"),
    status("hvacpowerstatus", "hvacpower"),
    command("hvacsetpoint", "hvacsetpoint"),
    status("hvacsetpointstatus", "hvacsetpoint"),
    command("hvacmode", "hvacmode"),
    status("hvacmodestatus", "hvacmode"),
    command("hvacfan", "hvacfan"),
    status("hvacfanstatus", "hvacfan"),
    # Scenes and generic buttons
    command("scenelaunch", "scenelaunch"),
    command("trigger", "trigger"),
    # System commands
    send_knx("sendKNXbit", "DPT 1 (1 bit)", "0 or 1"),
    send_knx("sendKNX4bits", "DPT 3 / DPT 2 (4 bits)", "0 to 15 (DPT 2: 0 to 3)"),
    send_knx("sendKNXbyte", "DPT 5 (1 byte unsigned)", "0 to 255"),
    send_knx("sendKNXbyteun", "DPT 6 (1 byte signed)", "-128 to 127"),
    send_knx("sendKNXfloat2bytes", "DPT 9 (2 byte float)", "-671088.64 to 670433.28"),
    send_knx("sendKNXfloat4bytes", "DPT 14 (4 byte float)", "any finite single float"),
    ThinknxRoute(
        "system/serverStatus", handlers.server_status, "The most important server facts", ()
    ),
]

VERSION_PREFIXES = ("V1", "v1")

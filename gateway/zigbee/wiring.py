"""Builds and starts the Zigbee side from the settings: radio, lights, websocket.

What it hands to the composition root (``gateway.wiring.Contribution``):
- ``network``: the :class:`RadioSupervisor` (the configuration service's radio port);
- ``attach_deconz``: registers the lights service and the ``lights`` full-state section,
  and the touchlink service (inter-PAN scan, identify, reset);
- ``servers``: the deCONZ websocket on ``http.websocket_port``;
- health (the supervisor task is alive — a lost radio is reported, not fatal), status,
  and an orderly stop: radio first, then lights (final state flush), then the emulator.

With ``radio.kind = "none"`` there is no radio and no websocket server; the lights
collection is served from the store (every light unreachable).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gateway.api.deconz.context import DeconzServices
from gateway.api.deconz.lights import SERVICE_KEY
from gateway.api.deconz.websocket import build_websocket_app
from gateway.lights import LightsService
from gateway.wiring import Contribution
from gateway.zigbee.stack import ZigbeeSide

if TYPE_CHECKING:
    from gateway.service import Gateway

log = logging.getLogger(__name__)

VIRTUAL_DIR = "virtual-radio"


async def start_zigbee(gateway: Gateway) -> Contribution:
    settings = gateway.settings
    store, config = gateway.store, gateway.config
    if store is None or config is None:
        raise RuntimeError("the store and the configuration service start before Zigbee")
    kind = settings.radio.kind
    if kind == "none":
        log.info("no Zigbee radio configured (radio.kind = none)")
        lights = LightsService(store, gateway.events)
        await lights.load()

        def attach_lights(services: DeconzServices) -> None:
            services.extra[SERVICE_KEY] = lights
            services.sections["lights"] = lights.section

        return Contribution(
            attach_deconz=attach_lights, status=lambda: "zigbee: no radio", stop=lights.stop
        )

    state_dir = settings.gateway.state_dir
    path = settings.radio.path
    virtual = None
    if kind == "virtual":
        from hil.virtual_radio import VirtualRadio  # test rig code, loaded only when asked for

        virtual = VirtualRadio(state_dir / VIRTUAL_DIR, lights=settings.radio.virtual_lights)
        path = await virtual.start()
    side = ZigbeeSide(
        store=store,
        events=gateway.events,
        config=config,
        kind=kind,
        path=path,
        state_dir=state_dir,
        baudrate=settings.radio.baudrate,
        flow_control=settings.radio.flow_control,
    )
    await side.start()

    async def stop() -> None:
        await side.stop()
        if virtual is not None:
            await virtual.stop()

    websocket = build_websocket_app(gateway.events)
    host, port = settings.http.host, settings.http.websocket_port
    return Contribution(
        network=side.supervisor,
        attach_deconz=side.attach,
        servers=[("websocket", websocket, host, port, "http.websocket_port")],
        healthy=lambda: side.supervisor.alive,
        status=side.status,
        stop=stop,
    )

"""The radio kinds: which zigpy library drives the stick and with which configuration.

Why here: ``znp`` (TI Z-Stack sticks, zigpy-znp), ``deconz`` (RaspBee/ConBee,
zigpy-deconz) and ``virtual`` (our Z-Stack emulator on a pty, driven exactly like a ZNP
stick) differ only in the controller class and a few serial details. Everything the
supervisor needs to start an application is one :class:`RadioConfig`; the zigpy
configuration dict is built from it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import zigpy.application
import zigpy.config as zconf

from gateway.domain.radio import RadioUnsupported

ZNP_KINDS = ("znp", "virtual")
KINDS = ("znp", "deconz", "virtual")


@dataclass(frozen=True)
class RadioConfig:
    """How to reach the coordinator and where zigpy keeps its files."""

    kind: str
    path: str
    database_path: Path
    backup_dir: Path
    baudrate: int = 115200
    flow_control: str = "none"  # none | hardware | software
    channel: int = 15  # used when a network is formed
    # Passed to zigpy-znp's ``znp_config`` (timeouts); tests shorten them.
    znp_options: dict[str, Any] = field(default_factory=dict)


def controller_class(kind: str) -> type[zigpy.application.ControllerApplication]:
    """The zigpy ControllerApplication for a radio kind (imported only when used)."""
    if kind in ZNP_KINDS:
        from zigpy_znp.zigbee.application import ControllerApplication as Znp

        from gateway.zigbee import framing

        framing.install()  # resynchronise after a bad frame (see framing.py)

        return cast(type[zigpy.application.ControllerApplication], Znp)
    if kind == "deconz":
        from gateway.zigbee import framing_deconz
        from gateway.zigbee.deconz_app import DeconzApplication

        framing_deconz.install()  # a frame ending inside an escape costs only itself

        # Closes its serial port when a connection attempt is cancelled (see deconz_app.py).
        return cast(type[zigpy.application.ControllerApplication], DeconzApplication)
    raise RadioUnsupported(f"radio kind {kind!r} has no zigpy driver")


def zigpy_config(cfg: RadioConfig, channel: int | None = None) -> dict[str, Any]:
    """The configuration dict for ``ControllerApplication.new``.

    OTA and topology scans are off: the gateway serves lights, not firmware, and a scan
    every few hours only adds traffic. Periodic backups stay on (zigpy's default).
    """
    flow = None if cfg.flow_control == "none" else cfg.flow_control
    config: dict[str, Any] = {
        zconf.CONF_DEVICE: {
            zconf.CONF_DEVICE_PATH: cfg.path,
            zconf.CONF_DEVICE_BAUDRATE: cfg.baudrate,
            zconf.CONF_DEVICE_FLOW_CONTROL: flow,
        },
        zconf.CONF_DATABASE: str(cfg.database_path),
        zconf.CONF_NWK: {zconf.CONF_NWK_CHANNEL: channel or cfg.channel},
        zconf.CONF_OTA: {zconf.CONF_OTA_ENABLED: False},
        zconf.CONF_TOPO_SCAN_ENABLED: False,
    }
    if cfg.kind in ZNP_KINDS and cfg.znp_options:
        config["znp_config"] = dict(cfg.znp_options)
    return config

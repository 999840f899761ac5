"""The composition root: the only package that imports every part of the gateway.

It reads the settings, picks the radio and KNX back-ends (real, virtual rig, none), builds
the domain services, the HTTP apps and their servers, starts and stops them in order and
talks to systemd. Nothing below it knows it exists.

- ``gateway``: :class:`Gateway`, the whole service (``gateway run``);
- ``contribution``: what each field bus hands back (:class:`Contribution`);
- ``zigbee_side`` / ``knx_side``: each bus with the services and APIs that ride on it;
- ``virtual``: the only door to the virtual rig in ``hil/``;
- ``hostinfo``, ``systemd``: what the gateway reads from and tells the operating system.
"""

from __future__ import annotations

from gateway.app.contribution import StartupError
from gateway.app.gateway import Gateway, event_loop_factory

__all__ = ["Gateway", "StartupError", "event_loop_factory"]

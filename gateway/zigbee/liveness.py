"""Is a zigpy application still connected to its stick? (the supervisor's safety net)

Why its own module: zigpy tells its listeners about a port that fails, but an application
can also end up disconnected without a word — its radio library object dropped by a
``disconnect`` that nobody announced (the 100-cycle soak's wedge: every light command
then failed with DeliveryError("Coordinator is disconnected") for as long as one cared to
wait). The radio libraries say so only through a private attribute; reading it in one
place keeps that knowledge out of the supervisor and easy to adjust when they change.
"""

from __future__ import annotations

from typing import Any

# The attribute a zigpy radio library empties when its application disconnects:
# zigpy-znp's ``ControllerApplication._znp``, zigpy-deconz's ``_api``.
RADIO_LINK_ATTRIBUTE = {"znp": "_znp", "virtual": "_znp", "deconz": "_api"}


def disconnected(app: Any, kind: str) -> bool:
    """True when ``app`` (of radio ``kind``) has dropped its link to the stick.

    An application without the attribute (another radio library, a test double) counts
    as connected: this check only ever adds a reconnect, never hides a radio.
    """
    attribute = RADIO_LINK_ATTRIBUTE.get(kind)
    return attribute is not None and hasattr(app, attribute) and getattr(app, attribute) is None


def clues(app: Any) -> str:
    """What the log should say about a silently disconnected application, to tell next
    time who disconnected it: a stopped watchdog means zigpy's ``shutdown`` ran on it."""
    watchdog = getattr(app, "_watchdog_task", None)
    state = "none" if watchdog is None else ("stopped" if watchdog.done() else "running")
    return f"application 0x{id(app):x}, zigpy watchdog {state}"

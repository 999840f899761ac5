"""Who wants to know that a serial port closed under a connection attempt.

Why: zigpy-znp passes a lost port on to the application only once it is connected; while
it is still probing the stick, the loss stops at its ``ZNP`` object and the attempt goes on
pinging a closed port until its 10 s probe time-out. Watching the device node is not
enough: a stick unplugged and plugged in again within a poll interval comes back at the
same path (the kernel even reuses the pty number), so nothing looks different. Our own
serial protocol (``framing.ResyncingMtProtocol``) sees every loss first-hand and reports
it here, by port path; the supervisor listens while it connects.
"""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[BaseException], None]

_listeners: dict[str, list[Listener]] = {}


def subscribe(path: str, listener: Listener) -> Callable[[], None]:
    """Call ``listener(exc)`` when a port opened at ``path`` fails; returns the unsubscribe."""
    _listeners.setdefault(path, []).append(listener)

    def unsubscribe() -> None:
        listeners = _listeners.get(path, [])
        if listener in listeners:
            listeners.remove(listener)
        if not listeners:
            _listeners.pop(path, None)

    return unsubscribe


def report(path: str | None, exc: BaseException) -> None:
    """A port at ``path`` failed (not a close we asked for)."""
    if path is None:
        return
    for listener in list(_listeners.get(path, ())):
        listener(exc)

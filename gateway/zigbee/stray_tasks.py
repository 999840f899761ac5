"""zigpy-znp's unawaited tasks that fail once their stick is gone: a DEBUG line, not an ERROR.

Why: zigpy-znp starts tasks it never awaits: the pings that skip a stick's bootloader
while it probes (``_skip_bootloader.<locals>.ping_task``) and the requests that answer a
callback (``request_callback_rsp``). When the stick is pulled, or an attempt we gave up
is cancelled, they fail on the closed port (``'NoneType' object has no attribute
'send'``, "Coordinator is disconnected") and asyncio reports each as "Task exception was
never retrieved" with a traceback at ERROR: 20 to 25 per 100 unplug cycles in the soak,
each about a stick the supervisor has already reported lost. An ERROR an operator can
do nothing about hides the ones that matter, so these few, and only with an error that
says the port is gone, are logged at DEBUG. Everything else reaches the handler that was
there before, unchanged.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from types import CodeType
from typing import Any

log = logging.getLogger(__name__)

#: zigpy-znp's coroutines that run as tasks nobody awaits: (function, nested name or None).
UNAWAITED_ZNP_COROUTINES = (("request_callback_rsp", None), ("_skip_bootloader", "ping_task"))

Handler = Any  # asyncio's exception handler: (loop, context) -> None


def port_gone(exc: BaseException) -> bool:
    """Whether ``exc`` is how zigpy-znp fails on a port that has been closed under it."""
    if isinstance(exc, (OSError, TimeoutError)):
        return True
    text = str(exc)
    if isinstance(exc, AttributeError):
        return "'NoneType' object has no attribute" in text
    return "disconnected" in text.lower()


@functools.cache
def unawaited_znp_code() -> frozenset[CodeType]:
    """The code objects of those coroutines: a task is theirs when its coroutine runs one
    (identity, not a name that another library could share)."""
    from zigpy_znp.api import ZNP

    codes: set[CodeType] = set()
    for function, nested in UNAWAITED_ZNP_COROUTINES:
        code = getattr(ZNP, function).__code__
        if nested is None:
            codes.add(code)
        else:
            codes.update(
                c for c in code.co_consts if isinstance(c, CodeType) and c.co_name == nested
            )
    return frozenset(codes)


def is_stray_znp_failure(context: dict[str, Any]) -> bool:
    """A "never retrieved" failure of one of zigpy-znp's own tasks, on a port that is gone."""
    task = context.get("future")
    exc = context.get("exception")
    if not isinstance(task, asyncio.Task) or not isinstance(exc, BaseException):
        return False
    code = getattr(task.get_coro(), "cr_code", None)
    return code in unawaited_znp_code() and port_gone(exc)


class StrayTaskFilter:
    """Installs itself as the loop's exception handler, in front of the one it replaces."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: Handler | None = None
        self.quieted = 0

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not None:
            return
        self._loop = loop
        self._previous = loop.get_exception_handler()
        loop.set_exception_handler(self._handle)

    def uninstall(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None and loop.get_exception_handler() == self._handle:
            loop.set_exception_handler(self._previous)

    def _handle(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if is_stray_znp_failure(context):
            self.quieted += 1
            log.debug(
                "a zigpy-znp task failed after its stick went away: %r",
                context.get("exception"),
            )
            return
        if self._previous is not None:
            self._previous(loop, context)
        else:
            loop.default_exception_handler(context)

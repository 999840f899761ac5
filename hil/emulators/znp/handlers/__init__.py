"""MT handler tables, one module per subsystem (like zigpy-znp's ``commands/``).

Each module exports ``HANDLERS: dict[request class, handler]``. A handler receives the
stack and the decoded request and returns the frames to send now: the SRSP first, then
any callbacks that follow immediately. Later callbacks are scheduled on the stack.
"""

from __future__ import annotations

from typing import Any

from . import af, app_config, sys, util, zdo
from .types import Handler

HANDLERS: dict[type[Any], Handler] = {
    **sys.HANDLERS,
    **util.HANDLERS,
    **app_config.HANDLERS,
    **af.HANDLERS,
    **zdo.HANDLERS,
}

__all__ = ["HANDLERS", "Handler"]

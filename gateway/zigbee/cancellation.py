"""A radio request cancelled under us is the radio going away, not our cancellation.

Why: when the serial port closes (stick unplugged, emulator killed), zigpy-znp and
zigpy-deconz cancel the futures of every request still waiting for an answer. The
coroutine awaiting such a request then gets ``asyncio.CancelledError`` although nobody
cancelled *its* task. Left alone, that error passes every ``except Exception`` and ends
the HTTP request as a bare 500 — or, worse, looks like the server cancelling the
handler. What it really means is "the radio is gone": 503 with deCONZ error 950.

The task's own cancellation (the server shutting down, a client that went away, a
timeout around the call) must still propagate: ``Task.cancelling()`` tells the two apart.

The same race shows differently in zigpy-deconz: a request that reaches the radio library
after the port closed fails inside it (``AttributeError`` on its dropped API object).
With ``gone`` (is the radio down now?) any error of a request during which the radio went
away is RadioUnavailable too; while the radio stays up, errors pass unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

from gateway.domain.radio import RadioUnavailable


def cancelled_by_us() -> bool:
    """True when the running task itself is being cancelled (by ``Task.cancel``)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


@contextlib.contextmanager
def radio_request(what: str, gone: Callable[[], bool] | None = None) -> Iterator[None]:
    """Turn a CancelledError that did not come from our own task into RadioUnavailable,
    and (with ``gone``) any failure of a request the radio did not live through."""
    try:
        yield
    except asyncio.CancelledError:
        if cancelled_by_us():
            raise
        raise RadioUnavailable(f"{what}: the radio went away during the request") from None
    except RadioUnavailable:
        raise
    except Exception as exc:
        if gone is not None and gone():
            raise RadioUnavailable(f"{what}: the radio went away during the request") from exc
        raise

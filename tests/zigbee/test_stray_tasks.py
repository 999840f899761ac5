"""zigpy-znp's unawaited tasks failing on a closed port are DEBUG lines; every other
unretrieved task failure still reaches asyncio's handler at ERROR.

The tasks are zigpy-znp's own coroutines run on a ``ZNP`` object whose port is closed
(``_uart`` None, as after an unplug): what the soak logged 20 to 25 times per 100 cycles.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import pytest
import zigpy.config as zconf
import zigpy_znp.commands as c
import zigpy_znp.config as znp_conf
from zigpy_znp.api import ZNP

from gateway.zigbee.stray_tasks import StrayTaskFilter, is_stray_znp_failure

NEVER_RETRIEVED = "Task exception was never retrieved"


def closed_znp() -> ZNP:
    """A zigpy-znp API object as it is once its stick is gone: no serial port."""
    config = znp_conf.CONFIG_SCHEMA({zconf.CONF_DEVICE: {zconf.CONF_DEVICE_PATH: "/dev/null"}})
    return ZNP(config)


def failing_callback_reply(znp: ZNP) -> Any:
    """zigpy-znp's own coroutine (run as a task, as zigpy-znp does), not one wrapping it."""
    return znp.request_callback_rsp(
        request=c.SYS.Ping.Req(), callback=c.SYS.Ping.Rsp(partial=True), timeout=1
    )


async def drop_unretrieved(coro: Any) -> StrayTaskFilter:
    """Run ``coro`` as a task nobody awaits, behind the filter, until it is collected with
    its failure unretrieved (what makes asyncio report it); the filter, to ask what it did."""
    quiet = StrayTaskFilter()
    quiet.install()
    try:
        task = asyncio.ensure_future(coro)
        await asyncio.wait({task})
        del task
        gc.collect()
        await asyncio.sleep(0)
    finally:
        quiet.uninstall()
    return quiet


def never_retrieved(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "asyncio" and r.levelno >= logging.ERROR and NEVER_RETRIEVED in r.message
    ]


async def test_a_znp_task_failing_on_a_closed_port_is_quiet(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    retrieved = asyncio.ensure_future(failing_callback_reply(closed_znp()))
    await asyncio.wait({retrieved})
    assert isinstance(retrieved.exception(), RuntimeError)  # "Coordinator is disconnected"
    quiet = await drop_unretrieved(failing_callback_reply(closed_znp()))
    assert quiet.quieted == 1
    assert never_retrieved(caplog) == []
    assert any(
        r.name == "gateway.zigbee.stray_tasks" and r.levelno == logging.DEBUG
        for r in caplog.records
    )


async def test_any_other_unretrieved_failure_is_still_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def our_own_bug() -> None:
        raise RuntimeError("Coordinator is disconnected")  # same words, not zigpy-znp's task

    quiet = await drop_unretrieved(our_own_bug())
    assert quiet.quieted == 0
    assert len(never_retrieved(caplog)) == 1


async def test_a_znp_task_failing_for_another_reason_is_still_an_error() -> None:
    loop = asyncio.get_running_loop()

    async def broken_reply() -> None:
        raise ValueError("a bug in the reply")

    task = loop.create_task(failing_callback_reply(closed_znp()))
    await asyncio.wait({task})
    exc = task.exception()
    assert exc is not None
    assert is_stray_znp_failure({"future": task, "exception": exc})
    assert not is_stray_znp_failure({"future": task, "exception": ValueError("a bug")})
    other = loop.create_task(broken_reply())
    await asyncio.wait({other})
    assert not is_stray_znp_failure({"future": other, "exception": other.exception()})


async def test_uninstall_gives_the_loop_its_handler_back() -> None:
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []

    def previous(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        seen.append(context)

    loop.set_exception_handler(previous)
    try:
        quiet = StrayTaskFilter()
        quiet.install()
        loop.call_exception_handler({"message": "something else"})
        quiet.uninstall()
        assert loop.get_exception_handler() is previous
        assert [ctx["message"] for ctx in seen] == ["something else"]
    finally:
        loop.set_exception_handler(None)

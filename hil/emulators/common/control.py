"""The control channel of every emulator: JSON lines on a Unix socket, so tests and the
HIL suite can drive an emulator running in another process.

One request per line, one answer per line::

    -> {"cmd": "device_off", "ieee": "00:17:88:01:0e:00:00:01", "id": 7}
    <- {"ok": true, "id": 7, "result": {"ieee": "00:17:88:01:0e:00:00:01", "online": false}}
    <- {"ok": false, "id": 8, "error": "no simulated device 00:00:00:00:00:00:00:09"}

Each emulator brings its own command table (name -> handler); the dispatch, the server
and the client here know nothing of the stick behind them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

LOGGER = logging.getLogger(__name__)

MAX_LINE = 64 * 1024
E = TypeVar("E")
Command = Callable[[E, dict[str, Any]], Awaitable[Any]]


class ControlError(Exception):
    """A request the emulator refuses (bad arguments, unknown device ...)."""


def ieee_arg(args: dict[str, Any]) -> str:
    """The request's ``ieee`` (the device most commands act on)."""
    ieee = args.get("ieee")
    if not isinstance(ieee, str):
        raise ControlError("missing 'ieee'")
    return ieee


def hex_arg(args: dict[str, Any], key: str) -> bytes:
    """A request's hexadecimal bytes (empty when absent)."""
    try:
        return bytes.fromhex(str(args.get(key, "")))
    except ValueError:
        raise ControlError(f"'{key}' must be hexadecimal digits") from None


async def execute(emu: E, line: bytes | str, commands: Mapping[str, Command[E]]) -> dict[str, Any]:
    """Runs one request line against ``commands`` and returns the answer (never raises)."""
    request_id = None
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ControlError("request must be a JSON object")
        request_id = request.get("id")
        name = request.get("cmd")
        handler = commands.get(name) if isinstance(name, str) else None
        if handler is None:
            raise ControlError(f"unknown cmd {name!r}; known: {sorted(commands)}")
        result = await handler(emu, request)
    except (ControlError, KeyError, ValueError, TypeError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        return {"ok": False, "id": request_id, "error": str(message)}
    return {"ok": True, "id": request_id, "result": result}


class ControlServer(Generic[E]):
    """Serves one emulator's command table on a Unix socket (mode 0600)."""

    def __init__(self, emulator: E, path: Path, commands: Mapping[str, Command[E]]) -> None:
        self.emulator = emulator
        self.path = path
        self.commands = commands
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        os.chmod(self.path, 0o600)
        LOGGER.info("control socket at %s", self.path)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._clients):
            task.cancel()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._clients.add(task)
        try:
            while line := await reader.readline():
                if len(line) > MAX_LINE:
                    answer: dict[str, Any] = {"ok": False, "id": None, "error": "line too long"}
                elif not line.strip():
                    continue
                else:
                    answer = await execute(self.emulator, line, self.commands)
                writer.write(json.dumps(answer, default=str).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            if task is not None:
                self._clients.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


class ControlClient:
    """A small async client for the control socket (tests, HIL suite)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._next_id = 0
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> ControlClient:
        self._reader, self._writer = await asyncio.open_unix_connection(
            self.path, limit=MAX_LINE * 16
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()

    async def request(self, cmd: str, **args: Any) -> Any:
        """Sends one command; returns its result or raises :class:`ControlError`."""
        assert self._reader is not None and self._writer is not None, "use 'async with'"
        async with self._lock:
            self._next_id += 1
            payload = {"cmd": cmd, "id": self._next_id, **args}
            self._writer.write(json.dumps(payload).encode() + b"\n")
            await self._writer.drain()
            answer = json.loads(await self._reader.readline())
        if not answer.get("ok"):
            raise ControlError(answer.get("error", "unknown error"))
        return answer.get("result")

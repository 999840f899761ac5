"""How the scenarios talk to the gateway: its deCONZ REST API, websocket and Thinknx API.

Why a thin client and not the gateway's classes: the suite is a black box. Everything here
is what a deCONZ app (Phoscon, Home Assistant) or a Thinknx supervisor does over the wire,
plus bounded waiting — a scenario never sleeps for a fixed time and hopes, it polls the
observable state until it holds or the bound it tests runs out.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

import httpx
from websockets.asyncio.client import ClientConnection, connect

from hil.watched_log import WatchedLog

T = TypeVar("T")


async def until(
    check: Callable[[], Awaitable[T | None]],
    *,
    timeout: float,
    step: float = 0.1,
    what: str = "condition",
) -> T:
    """Poll ``check`` until it returns something other than None/False; AssertionError with
    ``what`` and the last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        value = await check()
        if value is not None and value is not False:
            return value
        last = value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout:g} s (last: {last!r})")
        await asyncio.sleep(step)


def success_items(body: Any) -> dict[str, Any]:
    """``[{"success": {address: value}}, ...]`` as one dict (errors are left out)."""
    found: dict[str, Any] = {}
    for item in body if isinstance(body, list) else []:
        success = item.get("success") if isinstance(item, dict) else None
        if isinstance(success, dict):
            found.update(success)
    return found


def error_types(body: Any) -> list[int]:
    """The deCONZ error numbers in a response list, in order."""
    return [
        int(item["error"]["type"])
        for item in (body if isinstance(body, list) else [])
        if isinstance(item, dict) and "error" in item
    ]


class Deconz:
    """The deCONZ REST API with one API key."""

    def __init__(self, base_url: str, key: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url
        self.key = key
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def __aenter__(self) -> Deconz:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.http.aclose()

    def path(self, resource: str) -> str:
        return f"/api/{self.key}/{resource.lstrip('/')}"

    async def get(self, resource: str) -> Any:
        response = await self.http.get(self.path(resource))
        assert response.status_code == 200, (
            f"GET {resource}: {response.status_code} {response.text}"
        )
        return response.json()

    async def put(
        self, resource: str, body: Any, *, timeout: float | None = None
    ) -> httpx.Response:
        if timeout is None:
            return await self.http.put(self.path(resource), json=body)
        return await self.http.put(self.path(resource), json=body, timeout=timeout)

    async def post(self, resource: str, body: Any = None) -> httpx.Response:
        return await self.http.post(self.path(resource), json=body)

    async def delete(self, resource: str, body: Any = None) -> httpx.Response:
        return await self.http.request("DELETE", self.path(resource), json=body)

    async def config(self) -> dict[str, Any]:
        config: dict[str, Any] = await self.get("config")
        return config

    async def lights(self) -> dict[str, Any]:
        lights: dict[str, Any] = await self.get("lights")
        return lights

    async def find_light(self, ieee: str) -> tuple[str, dict[str, Any]] | None:
        """(id, light) of the light whose ``uniqueid`` belongs to ``ieee``, if known."""
        prefix = ieee.upper() + "-"
        for light_id, light in (await self.lights()).items():
            if str(light.get("uniqueid", "")).upper().startswith(prefix):
                return light_id, light
        return None

    async def light_id(self, ieee: str) -> str:
        found = await self.find_light(ieee)
        assert found is not None, f"no light with uniqueid {ieee.upper()}-.. in GET /lights"
        return found[0]

    async def radio_up(self) -> dict[str, Any] | None:
        """The configuration once ``rfconnected`` says the radio is running."""
        config = await self.config()
        return config if config.get("rfconnected") is True else None


async def new_key(base_url: str, devicetype: str, *, admin: tuple[str, str] | None) -> str:
    """``POST /api``: a key for a new app (admin credentials, or none while unlocked)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        if admin is not None:
            response = await http.post("/api", json={"devicetype": devicetype}, auth=admin)
        else:
            response = await http.post("/api", json={"devicetype": devicetype})
    body = response.json()
    assert response.status_code == 200, f"POST /api: {response.status_code} {body}"
    return str(body[0]["success"]["username"])


@dataclass
class EventStream:
    """The deCONZ websocket: every event received, in order, with arrival times."""

    url: str
    _log: WatchedLog[dict[str, Any]] = field(default_factory=WatchedLog)
    _ws: ClientConnection | None = None
    _reader: asyncio.Task[None] | None = None

    @property
    def events(self) -> list[dict[str, Any]]:
        return self._log.items

    async def __aenter__(self) -> EventStream:
        self._ws = await connect(self.url)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            self._log.append(json.loads(message))

    def mark(self) -> int:
        return self._log.mark()

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], *, timeout: float, since: int = 0
    ) -> dict[str, Any]:
        try:
            return await self._log.wait_for(predicate, timeout=timeout, since=since)
        except TimeoutError as exc:
            raise AssertionError(f"websocket event: {exc}") from None


class Thinknx:
    """The Thinknx Integration Kit API with the rig's user (HTTP Basic)."""

    def __init__(self, base_url: str, auth: tuple[str, str], *, timeout: float = 30.0) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, auth=auth, timeout=timeout)

    async def __aenter__(self) -> Thinknx:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def call(self, controller: str, **params: str | int | float) -> Reply:
        """One request; the reply with its status, body and how long it took."""
        started = time.monotonic()
        response = await self.http.get(
            f"/{controller}", params={k: str(v) for k, v in params.items()}
        )
        elapsed = time.monotonic() - started
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return Reply(response.status_code, body, elapsed)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    elapsed: float

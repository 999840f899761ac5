"""A small keep-alive HTTP/1.1 load generator on raw asyncio streams (wrk is not needed).

Why our own: the figures must come from outside the gateway, through its real sockets,
with connections kept alive as wrk does; httpx per request costs more CPU than the
server under test. Each client is one connection sending its next request as soon as the
previous answer is read in full.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
        return ordered[index]


def get_request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()


def put_request(path: str, body: bytes) -> bytes:
    return (
        f"PUT {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    body = await reader.readexactly(length) if length else b""
    return status, body


async def run_load(
    port: int,
    make_request: Callable[[int, int], bytes],
    *,
    clients: int,
    seconds: float,
    warmup: float = 0.5,
    on_answer: Callable[[int, bytes, float], None] | None = None,
) -> LoadResult:
    """``make_request(client, n)`` gives each request; runs ``seconds`` after a warm-up."""
    result = LoadResult()
    loop = asyncio.get_running_loop()
    start_at = loop.time() + warmup
    end_at = start_at + seconds

    async def client(index: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        n = 0
        try:
            while True:
                now = loop.time()
                if now >= end_at:
                    return
                sent = time.perf_counter()
                writer.write(make_request(index, n))
                status, body = await read_response(reader)
                done = time.perf_counter()
                n += 1
                if on_answer is not None:
                    on_answer(status, body, done)
                if now >= start_at:
                    result.requests += 1
                    result.latencies_ms.append((done - sent) * 1000)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status >= 300:
                        result.errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    result.seconds = seconds
    return result

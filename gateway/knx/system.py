"""The Thinknx system controller: raw group telegrams (``sendKNX*``) and ``serverStatus``.

``sendKNX*`` write a value of one DPT to any group address, without the catalogue. Each
command's range is its DPT's (``gateway.knx.dpt``), with one decision documented in
``docs/thinknx.md``: the spec offers ``sendKNX4bits`` "value=[0 to 31]" (its example sends
30), but a 4-bit object (DPT 3, and DPT 2 in its low two bits) holds 0..15; a receiver drops
bit 4 and would act on another value than the one asked for, so 16..31 are "params errors".

The answer's ``value`` is what the bus carries: the payload sent, decoded again. For the
float DPTs this shows the rounding the format imposes (DPT 9 sends 85.235 as 85.2).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Final

from gateway import __version__
from gateway.domain.knx_controllers import NotExecutable, ParamsError
from gateway.domain.thinknx import Sent, ServerStatus

from . import dpt as dpt_codec
from .addresses import normalize
from .errors import KnxAddressError, KnxTimeout, KnxUnavailable
from .link import KnxLink

Number = int | float

SEND_DPTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "sendKNXbit": "1",
        "sendKNX4bits": "3",
        "sendKNXbyte": "5",
        "sendKNXbyteun": "6",
        "sendKNXfloat2bytes": "9",
        "sendKNXfloat4bytes": "14",
    }
)
"""Each ``system/sendKNX*`` command and the DPT whose range and encoding it uses."""


class SystemCommands:
    """Writes one DPT value to one group address, checked before anything is sent."""

    def __init__(self, link: KnxLink) -> None:
        self._link = link

    async def send(self, command: str, group: str, value: Number) -> Sent:
        """Send ``value`` as the DPT of ``command`` to ``group``."""
        dpt = SEND_DPTS.get(command)
        if dpt is None:
            raise ParamsError(f"unknown system command {command!r}")
        try:
            address = normalize(group)
            payload = dpt_codec.encode(dpt, value)
            carried = dpt_codec.decode(dpt, payload)
        except (KnxAddressError, dpt_codec.DptError) as exc:
            raise ParamsError(str(exc)) from None
        try:
            await self._link.write_raw(address, payload)
        except (KnxUnavailable, KnxTimeout) as exc:
            raise NotExecutable(str(exc)) from None
        return Sent(address, carried)


# --- serverStatus ------------------------------------------------------------------------------


def thinknx_version(version: str = __version__) -> str:
    """Our version as Thinknx prints firmware versions: four two-digit numbers, "00.01.00.00".

    Missing parts are 0; anything after the numbers ("0.2.0.dev1" -> dev1) is dropped.
    """
    numbers: list[int] = []
    for part in version.split("."):
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        numbers.append(int(digits))
        if digits != part or len(numbers) == 4:
            break
    numbers += [0] * (4 - len(numbers))
    return ".".join(f"{n:02d}" for n in numbers)


def format_uptime(seconds: float) -> str:
    """ "X days X hours X min", as the spec writes it (always all three, always plural)."""
    minutes = max(0, int(seconds)) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days} days {hours} hours {minutes} min"


def format_config_time(when: datetime | None) -> str:
    """ "hh:mm:ss YYYY-MM-DD" in UTC; "" when no catalogue was ever loaded."""
    if when is None:
        return ""
    return when.strftime("%H:%M:%S %Y-%m-%d")


def _uptimes(proc: Path) -> tuple[float, float]:
    """(process seconds, system seconds) from /proc (blocking; tiny pseudo-files)."""
    system = float((proc / "uptime").read_text().split()[0])
    stat = (proc / "self" / "stat").read_text()
    # Field 22 (starttime, clock ticks since boot) counts from after the ")" of the name.
    fields = stat.rsplit(")", 1)[1].split()
    started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return max(0.0, system - started), system


class ServerInfo:
    """Builds :class:`ServerStatus` from /proc, the catalogue time and the client count."""

    def __init__(
        self,
        config_time: Callable[[], datetime | None],
        *,
        proc: Path = Path("/proc"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config_time = config_time
        self._proc = proc
        self._clock = clock
        self._started = clock()

    async def status(self, connected_clients: int) -> ServerStatus:
        try:
            process, system = await asyncio.to_thread(_uptimes, self._proc)
        except (OSError, ValueError, IndexError):
            # Not Linux, or /proc hidden: our own clock still knows the process uptime.
            process = system = self._clock() - self._started
        return ServerStatus(
            version=thinknx_version(),
            process_uptime=format_uptime(process),
            server_uptime=format_uptime(system),
            config_time=format_config_time(self._config_time()),
            connected_clients=connected_clients,
        )

"""A fast connection-state probe for an xknx tunnel.

Why our own: xknx checks a tunnel with a CONNECTIONSTATE_REQUEST every 70 s and gives up
after four unanswered 10 s attempts, so a tunnel that went silent (gateway rebooted, cable
pulled, NAT entry expired) is noticed after about 110 s, and every send in between waits.
We send the same request, built from xknx's own frame and request/response classes, more
often and with a shorter timeout. The request must go to the tunnel's control endpoint
with its communication channel, which xknx keeps on the interface object it does not
expose; :func:`tunnel_of` is the one place that reaches for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from xknx import XKNX
from xknx.exceptions import CommunicationError, RequestResponseError
from xknx.io.request_response.connectionstate import ConnectionState
from xknx.io.tunnel import TCPTunnel, UDPTunnel

log = logging.getLogger(__name__)

PROBE_ATTEMPTS = 3
"""Unanswered requests in a row before the tunnel counts as lost (KNX Core 5.4 repeats 3x)."""

MAX_PROBE_TIMEOUT = 2.0
"""A KNXnet/IP server answers on the LAN within milliseconds; 2 s is generous."""


def probe_timeout(probe_interval: float) -> float:
    """Wait per probe request: short, and never longer than the interval itself."""
    return min(MAX_PROBE_TIMEOUT, probe_interval)


def loss_detection_bound(probe_interval: float) -> float:
    """Longest time from a tunnel going silent to the link reporting it lost."""
    return probe_interval + PROBE_ATTEMPTS * probe_timeout(probe_interval)


def tunnel_of(xknx: XKNX) -> UDPTunnel | TCPTunnel | None:
    """The tunnel xknx is using right now, or None (routing, or not connected)."""
    interface = getattr(xknx.knxip_interface, "_interface", None)
    if isinstance(interface, UDPTunnel | TCPTunnel):
        return interface
    return None


@dataclass(frozen=True)
class ProbeResult:
    """Outcome of one probe round: alive, or why not."""

    alive: bool
    reason: str = ""


async def probe_tunnel(xknx: XKNX, wait: float, attempts: int = PROBE_ATTEMPTS) -> ProbeResult:
    """Ask the server whether our channel is alive, up to ``attempts`` times.

    An error status (E_CONNECTION_ID: the server forgot us) is final at once; silence is
    retried because a single UDP datagram may be lost.
    """
    reason = "no tunnel"
    for _attempt in range(attempts):
        tunnel = tunnel_of(xknx)
        if tunnel is None or tunnel.communication_channel is None:
            return ProbeResult(False, "tunnel closed")
        request = ConnectionState(
            transport=tunnel.transport,
            communication_channel_id=tunnel.communication_channel,
            local_hpai=tunnel.local_hpai,
        )
        request.timeout_in_seconds = wait
        try:
            await request.request()
        except RequestResponseError as exc:
            if exc.error_code is not None:
                return ProbeResult(False, f"server answered {exc.error_code.name}")
            reason = f"no connection-state response within {wait:g} s"
            log.debug("event=knx_probe_unanswered wait=%s", wait)
        except CommunicationError as exc:
            return ProbeResult(False, f"probe could not be sent: {exc}")
        else:
            return ProbeResult(True)
    return ProbeResult(False, f"{reason} ({attempts} attempts)")

"""Forged KNXnet/IP datagrams from another socket (issue 12, item 9).

A stranger on the LAN sends our tunnel's data endpoint a ``TUNNELLING_REQUEST`` with the
right channel and the next sequence number, carrying "lamp on". Before: xknx took it as a
bus telegram (the status said on) and acknowledged it, so the server's real telegram with
that number was dropped as a repeat (the tunnel was out of step). Now: dropped and counted;
the next real telegram arrives. Against our KNX emulator and against knxd.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import pytest
from xknx.cemi import CEMIFrame, CEMILData, CEMIMessageCode
from xknx.dpt.payload import DPTBinary
from xknx.knxip import HPAI, DisconnectRequest, KNXIPFrame, TunnellingRequest
from xknx.telegram import GroupAddress, IndividualAddress, Telegram
from xknx.telegram.apci import GroupValueWrite

from gateway.knx.link import KnxLink, LinkState
from gateway.knx.probe import tunnel_of
from gateway.knx.transport_guard import GuardedUDPTunnel
from gateway.settings import KnxSection
from hil.emulators.knx import KnxEmulator
from tests.knx.conftest import link_settings
from tests.knx.knxd_peer import Knxd
from tests.knx.test_knxd import knxd  # noqa: F401  (fixture)

LAMP_STATUS = "1/4/7"


def lamp_on_cemi(ga: str = LAMP_STATUS) -> bytes:
    telegram = Telegram(
        destination_address=GroupAddress(ga),
        source_address=IndividualAddress("1.1.66"),
        payload=GroupValueWrite(DPTBinary(1)),
    )
    data = CEMILData.init_from_telegram(telegram, src_addr=IndividualAddress("1.1.66"))
    return CEMIFrame(code=CEMIMessageCode.L_DATA_IND, data=data).to_knx()


def guarded_tunnel(link: KnxLink) -> GuardedUDPTunnel:
    tunnel = tunnel_of(link._xknx)  # type: ignore[arg-type]
    assert isinstance(tunnel, GuardedUDPTunnel)
    return tunnel


def forge(tunnel: GuardedUDPTunnel, body: object) -> None:
    """Send ``body`` to the tunnel's socket from a socket of our own."""
    frame = KNXIPFrame.init_from_body(body)  # type: ignore[arg-type]
    target = tunnel.transport.getsockname()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
        stranger.sendto(frame.to_knx(), ("127.0.0.1", target[1]))


def forged_lamp_on(tunnel: GuardedUDPTunnel) -> TunnellingRequest:
    assert tunnel.communication_channel is not None
    return TunnellingRequest(
        communication_channel_id=tunnel.communication_channel,
        sequence_counter=tunnel._sequence.expected,
        raw_cemi=lamp_on_cemi(),
    )


async def _forged_telegram_is_dropped_and_the_tunnel_stays_in_step(
    link: KnxLink, put_real_telegram: Callable[[], object]
) -> None:
    tunnel = guarded_tunnel(link)
    forge(tunnel, forged_lamp_on(tunnel))
    await asyncio.sleep(0.3)
    assert link.last_event(LAMP_STATUS) is None, "a forged telegram was taken for the bus"
    assert tunnel.dropped["foreign source"] == 1
    # The next real telegram (the server's next sequence number) still arrives.
    with link.subscribe("1/4/8") as seen:
        await put_real_telegram()
        event = await seen.get(within=3)
    assert event.payload == DPTBinary(0)
    assert link.state is LinkState.CONNECTED


async def test_a_forged_tunnelling_request_is_dropped_emulator(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    async def real() -> None:
        emulator.inject("1/4/8", DPTBinary(0))

    await _forged_telegram_is_dropped_and_the_tunnel_stays_in_step(link, real)


@pytest.mark.knxd
async def test_a_forged_tunnelling_request_is_dropped_knxd(
    knxd: Knxd,  # noqa: F811
    make_link: Callable[[KnxSection], KnxLink],
) -> None:
    link = make_link(link_settings(knxd.port, probe_interval=0.5))
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 5)

    async def real() -> None:
        await knxd.tool("groupswrite", "1/4/8", "0")

    await _forged_telegram_is_dropped_and_the_tunnel_stays_in_step(link, real)


async def test_a_forged_disconnect_does_not_drop_the_tunnel(
    link: KnxLink, emulator: KnxEmulator
) -> None:
    tunnel = guarded_tunnel(link)
    assert tunnel.communication_channel is not None
    forge(tunnel, DisconnectRequest(communication_channel_id=tunnel.communication_channel))
    await asyncio.sleep(0.5)
    assert tunnel.dropped["foreign source"] == 1
    assert link.state is LinkState.CONNECTED
    mark = len(emulator.bus_log)
    await link.write("1/4/9", "1", 1)
    assert [t for t in emulator.bus_log[mark:] if t.destination == "1/4/9"]


async def test_wrong_channel_or_sequence_from_the_server_address_is_dropped(
    link: KnxLink,
) -> None:
    """Seen from the server's own address (spoofed source): channel and sequence decide."""
    tunnel = guarded_tunnel(link)
    server = HPAI(ip_addr=tunnel.gateway_ip, port=tunnel.gateway_port)
    good = forged_lamp_on(tunnel)
    assert tunnel.communication_channel is not None
    wrong_channel = TunnellingRequest(
        communication_channel_id=(tunnel.communication_channel + 1) & 0xFF,
        sequence_counter=good.sequence_counter,
        raw_cemi=good.raw_cemi,
    )
    wrong_sequence = TunnellingRequest(
        communication_channel_id=tunnel.communication_channel,
        sequence_counter=(good.sequence_counter + 7) & 0xFF,
        raw_cemi=good.raw_cemi,
    )
    for body in (wrong_channel, wrong_sequence):
        tunnel._request_received(KNXIPFrame.init_from_body(body), server, tunnel.transport)
    await asyncio.sleep(0.1)
    assert tunnel.dropped == {"wrong channel": 1, "wrong sequence": 1}
    assert link.last_event(LAMP_STATUS) is None
    assert tunnel._sequence.expected == good.sequence_counter

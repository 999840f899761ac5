"""The emulator speaks KNXnet/IP tunnelling as a KNX IP interface does, frame by frame.

A raw UDP client built from xknx's frame classes plays the client here, so that sequence
counters, acknowledgements, error statuses and garbage can be controlled exactly.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from xknx.cemi.cemi_frame import CEMIFrame, CEMILData
from xknx.cemi.const import CEMIMessageCode
from xknx.dpt.payload import DPTBinary
from xknx.knxip import (
    HPAI,
    ConnectionStateRequest,
    ConnectionStateResponse,
    ConnectRequest,
    ConnectRequestInformation,
    ConnectResponse,
    DescriptionRequest,
    DescriptionResponse,
    DIBDeviceInformation,
    DisconnectRequest,
    DisconnectResponse,
    ErrorCode,
    KNXIPBody,
    KNXIPFrame,
    SearchRequest,
    SearchResponse,
    TunnellingAck,
    TunnellingRequest,
)
from xknx.telegram import GroupAddress, IndividualAddress, Telegram
from xknx.telegram.apci import GroupValueWrite

from hil.emulators.knx import KnxEmulator, ServerOptions, default_devices


class RawClient(asyncio.DatagramProtocol):
    """A bare KNXnet/IP client: sends bodies, collects every frame it receives."""

    def __init__(self) -> None:
        self.frames: asyncio.Queue[KNXIPBody] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None
        self.address: tuple[str, int] = ("127.0.0.1", 0)

    @classmethod
    async def open(cls, port: int) -> RawClient:
        loop = asyncio.get_running_loop()
        client = cls()
        await loop.create_datagram_endpoint(
            lambda: client, local_addr=("127.0.0.1", 0), remote_addr=("127.0.0.1", port)
        )
        return client

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.address = transport.get_extra_info("sockname")

    def datagram_received(self, data: bytes, addr: Any) -> None:
        frame, _ = KNXIPFrame.from_knx(data)
        self.frames.put_nowait(frame.body)

    def send(self, body: KNXIPBody) -> None:
        assert self.transport is not None
        self.transport.sendto(KNXIPFrame.init_from_body(body).to_knx())

    def send_raw(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.sendto(data)

    async def receive(self, kind: type[KNXIPBody], within: float = 1.0) -> Any:
        async with asyncio.timeout(within):
            while True:
                body = await self.frames.get()
                if isinstance(body, kind):
                    return body

    async def nothing(self, kind: type[KNXIPBody], within: float = 0.3) -> bool:
        try:
            await self.receive(kind, within)
        except TimeoutError:
            return True
        return False

    def hpai(self) -> HPAI:
        return HPAI(*self.address)

    async def connect(self, **cri: Any) -> ConnectResponse:
        self.send(
            ConnectRequest(
                control_endpoint=self.hpai(),
                data_endpoint=self.hpai(),
                cri=ConnectRequestInformation(**cri),
            )
        )
        response: ConnectResponse = await self.receive(ConnectResponse)
        return response

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def write_cemi(ga: str, value: int) -> bytes:
    telegram = Telegram(
        destination_address=GroupAddress(ga), payload=GroupValueWrite(DPTBinary(value))
    )
    return CEMIFrame(
        code=CEMIMessageCode.L_DATA_REQ, data=CEMILData.init_from_telegram(telegram)
    ).to_knx()


@pytest.fixture
async def client(emulator: KnxEmulator):
    raw = await RawClient.open(emulator.port)
    yield raw
    raw.close()


async def test_connect_assigns_a_channel_and_an_address_from_the_pool(client: RawClient) -> None:
    response = await client.connect()
    assert response.status_code is ErrorCode.E_NO_ERROR
    assert response.communication_channel == 1
    assert response.crd.individual_address == IndividualAddress("1.1.240")


async def test_connect_is_refused_with_no_more_connections_when_told_to(
    client: RawClient, emulator: KnxEmulator
) -> None:
    emulator.refuse_connections = True
    response = await client.connect()
    assert response.status_code is ErrorCode.E_NO_MORE_CONNECTIONS
    assert emulator.connections == []


async def test_connect_beyond_the_pool_is_refused() -> None:
    emulator = KnxEmulator(options=ServerOptions(max_connections=2))
    await emulator.start()
    clients = [await RawClient.open(emulator.port) for _ in range(3)]
    try:
        statuses = [(await c.connect()).status_code for c in clients]
        assert statuses == [
            ErrorCode.E_NO_ERROR,
            ErrorCode.E_NO_ERROR,
            ErrorCode.E_NO_MORE_CONNECTIONS,
        ]
    finally:
        for c in clients:
            c.close()
        await emulator.stop()


async def test_extended_connect_for_a_taken_address_is_refused(
    client: RawClient, emulator: KnxEmulator
) -> None:
    first = await client.connect(individual_address=IndividualAddress("1.1.241"))
    assert first.crd.individual_address == IndividualAddress("1.1.241")
    other = await RawClient.open(emulator.port)
    try:
        again = await other.connect(individual_address=IndividualAddress("1.1.241"))
        foreign = await other.connect(individual_address=IndividualAddress("2.2.2"))
    finally:
        other.close()
    assert again.status_code is ErrorCode.E_NO_MORE_UNIQUE_CONNECTIONS
    assert foreign.status_code is ErrorCode.E_NO_MORE_UNIQUE_CONNECTIONS


async def test_connectionstate_for_an_unknown_channel_answers_connection_id_error(
    client: RawClient,
) -> None:
    client.send(ConnectionStateRequest(communication_channel_id=9, control_endpoint=client.hpai()))
    response = await client.receive(ConnectionStateResponse)
    assert response.status_code is ErrorCode.E_CONNECTION_ID


async def test_disconnect_frees_the_channel(client: RawClient, emulator: KnxEmulator) -> None:
    channel = (await client.connect()).communication_channel
    client.send(DisconnectRequest(communication_channel_id=channel, control_endpoint=client.hpai()))
    response = await client.receive(DisconnectResponse)
    assert response.status_code is ErrorCode.E_NO_ERROR
    assert emulator.connections == []


async def test_tunnelled_write_is_acked_confirmed_and_put_on_the_bus(
    client: RawClient, emulator: KnxEmulator
) -> None:
    channel = (await client.connect()).communication_channel
    client.send(TunnellingRequest(channel, 0, write_cemi("1/0/1", 1)))
    ack = await client.receive(TunnellingAck)
    assert (ack.sequence_counter, ack.status_code) == (0, ErrorCode.E_NO_ERROR)
    confirmation = await client.receive(TunnellingRequest)
    client.send(TunnellingAck(channel, confirmation.sequence_counter))
    assert CEMIFrame.from_knx(confirmation.raw_cemi).code is CEMIMessageCode.L_DATA_CON
    seen = await emulator.wait_for_telegram(lambda t: t.destination == "1/0/1", timeout=1)
    assert (seen.source, seen.kind, seen.payload) == ("1.1.240", "write", DPTBinary(1))


async def test_repeated_request_is_acked_again_but_not_put_on_the_bus_twice(
    client: RawClient, emulator: KnxEmulator
) -> None:
    channel = (await client.connect()).communication_channel
    client.send(TunnellingRequest(channel, 0, write_cemi("1/0/3", 1)))
    await client.receive(TunnellingAck)
    client.send(TunnellingRequest(channel, 0, write_cemi("1/0/3", 1)))  # our ack "got lost"
    again = await client.receive(TunnellingAck)
    assert again.sequence_counter == 0
    await asyncio.sleep(0.2)
    assert len([t for t in emulator.bus_log if t.destination == "1/0/3"]) == 1


async def test_out_of_order_request_is_discarded_without_ack(
    client: RawClient, emulator: KnxEmulator
) -> None:
    channel = (await client.connect()).communication_channel
    client.send(TunnellingRequest(channel, 5, write_cemi("1/0/3", 1)))
    assert await client.nothing(TunnellingAck)
    assert [t for t in emulator.bus_log if t.destination == "1/0/3"] == []


async def test_bus_telegrams_reach_the_client_and_unacked_ones_are_repeated_then_dropped(
    client: RawClient, emulator: KnxEmulator
) -> None:
    channel = (await client.connect()).communication_channel
    emulator.inject("1/0/5", DPTBinary(1))
    first = await client.receive(TunnellingRequest)
    repeat = await client.receive(TunnellingRequest, within=1.5)
    assert first.sequence_counter == repeat.sequence_counter == 0
    indication = CEMIFrame.from_knx(first.raw_cemi)
    assert indication.code is CEMIMessageCode.L_DATA_IND
    goodbye = await client.receive(DisconnectRequest, within=1.5)
    assert goodbye.communication_channel_id == channel
    assert emulator.connections == []


async def test_garbage_is_ignored_and_changes_nothing(
    client: RawClient, emulator: KnxEmulator
) -> None:
    channel = (await client.connect()).communication_channel
    for garbage in [
        b"\x00",
        b"\x06",
        b"\x06\x10\x02\x05\x00\xff",
        b"\x06\x10\xff\xff\x00\x06",
        bytes(40),
    ]:
        client.send_raw(garbage)
    client.send(TunnellingRequest(channel, 0, b"\x11\x00"))  # a truncated cEMI
    await client.receive(TunnellingAck)
    await asyncio.sleep(0.1)
    assert emulator.bad_frames == 5
    assert emulator.server.bad_cemi == 1
    assert [c.channel for c in emulator.connections] == [channel]
    client.send(
        ConnectionStateRequest(communication_channel_id=channel, control_endpoint=client.hpai())
    )
    assert (await client.receive(ConnectionStateResponse)).status_code is ErrorCode.E_NO_ERROR


async def test_client_that_stops_heartbeating_is_dropped() -> None:
    emulator = KnxEmulator(options=ServerOptions(heartbeat_timeout=0.3))
    await emulator.start()
    client = await RawClient.open(emulator.port)
    try:
        await client.connect()
        assert len(emulator.connections) == 1
        goodbye = await client.receive(DisconnectRequest, within=1.5)
        assert goodbye.communication_channel_id == 1
        assert emulator.connections == []
    finally:
        client.close()
        await emulator.stop()


async def test_description_and_search_are_answered(
    client: RawClient, emulator: KnxEmulator
) -> None:
    client.send(DescriptionRequest(control_endpoint=client.hpai()))
    description = await client.receive(DescriptionResponse)
    info = next(d for d in description.dibs if isinstance(d, DIBDeviceInformation))
    assert info.individual_address == IndividualAddress("1.1.250")
    client.send(SearchRequest(discovery_endpoint=client.hpai()))
    search = await client.receive(SearchResponse)
    assert search.control_endpoint.addr_tuple == ("127.0.0.1", emulator.port)


async def test_answers_are_never_sent_off_loopback(
    client: RawClient, emulator: KnxEmulator
) -> None:
    client.send(SearchRequest(discovery_endpoint=HPAI("192.0.2.55", 3671)))
    assert await client.nothing(SearchResponse)
    assert emulator.blocked_sends == 1


async def test_route_back_answers_go_to_the_packet_source(client: RawClient) -> None:
    client.send(
        ConnectRequest(
            control_endpoint=HPAI(), data_endpoint=HPAI(), cri=ConnectRequestInformation()
        )
    )
    response = await client.receive(ConnectResponse)
    assert response.status_code is ErrorCode.E_NO_ERROR


async def test_silent_emulator_answers_nothing_and_keeps_its_state(
    client: RawClient, emulator: KnxEmulator
) -> None:
    channel = (await client.connect()).communication_channel
    emulator.go_silent()
    client.send(
        ConnectionStateRequest(communication_channel_id=channel, control_endpoint=client.hpai())
    )
    assert await client.nothing(ConnectionStateResponse)
    emulator.resume()
    client.send(
        ConnectionStateRequest(communication_channel_id=channel, control_endpoint=client.hpai())
    )
    assert (await client.receive(ConnectionStateResponse)).status_code is ErrorCode.E_NO_ERROR


def test_the_emulator_refuses_to_listen_off_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        KnxEmulator(default_devices(), host="0.0.0.0")

"""Property tests for the command-frame layer: requests serialised by zigpy-deconz itself
parse to the same values, and every answer we build passes zigpy-deconz's own checks."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import zigpy.types as zt
from hypothesis import given, settings
from hypothesis import strategies as st
from zigpy_deconz import types as t
from zigpy_deconz.api import (
    COMMAND_SCHEMAS,
    CommandId,
    Deconz,
    DeviceState,
    DeviceStateFlags,
    NetworkParameter,
    NetworkState2,
    Status,
)

from hil.emulators.deconz.frames import build_frame, parse_request


class _Uart:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def send(self, data: bytes) -> None:
        self.sent.append(bytes(data))


def zigpy_request(command: CommandId, **kwargs: Any) -> bytes:
    """The exact bytes zigpy-deconz sends for a command (its own serialiser)."""

    async def capture() -> bytes:
        api = Deconz(None, {})
        uart = _Uart()
        api._uart = uart
        task = asyncio.ensure_future(api._command(command, **kwargs))
        while not uart.sent:
            await asyncio.sleep(0)
        task.cancel()
        return uart.sent[0]

    return asyncio.run(capture())


def zigpy_parse(frame: bytes) -> dict[str, Any]:
    """What zigpy-deconz's ``data_received`` checks before it accepts an answer."""
    command = CommandId(frame[0])
    _, rx_schema = COMMAND_SCHEMAS[command]
    params, rest = t.deserialize_dict(frame[2:], rx_schema)
    assert params["frame_length"] == len(frame)
    if "payload_length" in params:
        lengths = itertools.accumulate(
            len(v.serialize()) if v is not None else 0 for v in params.values()
        )
        at = dict(zip(params.keys(), lengths, strict=True))
        assert len(frame) - at["payload_length"] - 2 == params["payload_length"]
    assert rest == b""
    return dict(params)


u8 = st.integers(0, 255)
u16 = st.integers(0, 0xFFFF)
nwk = st.integers(0, 0xFFF7)
payload = st.binary(max_size=100)


@settings(deadline=None)  # timing varies on a shared machine; examples do not
@given(u8, nwk, u8, u16, u16, u8, payload, u8)
def test_zigpy_aps_data_request_parses_to_the_same_values(
    request_id: int, dst: int, dst_ep: int, profile: int, cluster: int, src_ep: int,
    asdu: bytes, radius: int,
) -> None:  # fmt: skip
    address = t.DeconzAddressEndpoint()
    address.address_mode = t.AddressMode.NWK
    address.address = t.NWK(dst)
    address.endpoint = t.uint8_t(dst_ep)
    frame = zigpy_request(
        CommandId.aps_data_request,
        request_id=request_id,
        flags=t.DeconzSendDataFlags.NONE,
        dst=address,
        profile_id=profile,
        cluster_id=cluster,
        src_ep=src_ep,
        asdu=asdu,
        tx_options=t.DeconzTransmitOptions.USE_NWK_KEY_SECURITY,
        radius=radius,
        relays=None,
    )
    request = parse_request(frame)
    got = request.params
    assert request.command == CommandId.aps_data_request
    assert (got["request_id"], got["profile_id"], got["cluster_id"], got["src_ep"]) == (
        request_id,
        profile,
        cluster,
        src_ep,
    )
    assert (got["dst"].address, got["dst"].endpoint, bytes(got["asdu"])) == (dst, dst_ep, asdu)
    assert got["radius"] == radius and got["relays"] is None


@settings(deadline=None)  # timing varies on a shared machine; examples do not
@given(st.sampled_from(list(NetworkParameter)), st.binary(max_size=24))
def test_zigpy_write_parameter_parses_to_the_same_values(
    parameter: NetworkParameter, value: bytes
) -> None:
    frame = zigpy_request(CommandId.write_parameter, parameter_id=parameter, parameter=value)
    request = parse_request(frame)
    assert request.params["parameter_id"] == parameter
    assert bytes(request.params["parameter"]) == value


@settings(deadline=None)  # timing varies on a shared machine; examples do not
@given(u8, st.sampled_from(list(NetworkState2)), u8, nwk, u8, u8, u16, u16, payload, u8,
       st.integers(-128, 127))  # fmt: skip
def test_our_data_indication_passes_zigpy_deconz_checks(
    seq: int, state: NetworkState2, flags: int, src: int, src_ep: int, dst_ep: int,
    profile: int, cluster: int, asdu: bytes, lqi: int, rssi: int,
) -> None:  # fmt: skip
    device_state = DeviceState(network_state=state, device_state=DeviceStateFlags(flags & 0x3F))
    dst = t.DeconzAddress()
    dst.address_mode = t.AddressMode.NWK
    dst.address = t.NWK(0x0000)
    source = t.DeconzAddress()
    source.address_mode = t.AddressMode.NWK_AND_IEEE
    source.address = t.NWK(src)
    source.ieee = zt.EUI64(bytes(range(8)))
    frame = build_frame(
        CommandId.aps_data_indication,
        seq,
        {
            "status": Status.SUCCESS,
            "device_state": device_state,
            "dst_addr": dst,
            "dst_ep": dst_ep,
            "src_addr": source,
            "src_ep": src_ep,
            "profile_id": profile,
            "cluster_id": cluster,
            "asdu": asdu,
            "reserved1": 0,
            "reserved2": 0,
            "lqi": lqi,
            "reserved3": 0,
            "reserved4": 0,
            "reserved5": 0,
            "reserved6": 0,
            "rssi": rssi,
        },
    )
    assert frame[:2] == bytes([CommandId.aps_data_indication, seq])
    params = zigpy_parse(frame)
    assert params["device_state"] == device_state
    assert params["src_addr"].as_zigpy_type().address == source.ieee
    assert (params["src_ep"], params["dst_ep"], bytes(params["asdu"])) == (src_ep, dst_ep, asdu)
    assert (params["lqi"], params["rssi"]) == (lqi, rssi)


@settings(deadline=None)  # timing varies on a shared machine; examples do not
@given(st.sampled_from([Status.SUCCESS, Status.UNSUPPORTED]), u8, st.binary(max_size=40))
def test_our_read_parameter_answer_passes_zigpy_deconz_checks(
    status: Status, seq: int, value: bytes
) -> None:
    frame = build_frame(
        CommandId.read_parameter,
        seq,
        {"status": status, "parameter_id": NetworkParameter.nwk_panid, "parameter": value},
    )
    params = zigpy_parse(frame)
    assert params["status"] == status and bytes(params["parameter"]) == value

"""The serial commands other than parameters: version, device state, network state,
APS data request / confirm / indication and the neighbour table.

Each handler returns the answer's fields (the frame layer adds ``frame_length`` and
``payload_length``) or None for no answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import zigpy.types as zt
from zigpy_deconz.api import NetworkState, Status
from zigpy_deconz.types import (
    AddressMode,
    DataIndicationFlags,
    DeconzAddress,
    DeconzAddressEndpoint,
)

from .. import aps
from ..frames import Request
from ..runtime import APS_SLOTS

if TYPE_CHECKING:
    from ..firmware import Firmware

#: RSSI the stick reports for every frame (the air has no path loss model).
RSSI = -55


def version(fw: Firmware, request: Request) -> dict[str, Any]:
    return {"version": fw.version}


def device_state(fw: Firmware, request: Request) -> dict[str, Any]:
    return {"device_state": fw.device_state(), "reserved1": 0, "reserved2": 0}


def change_network_state(fw: Firmware, request: Request) -> dict[str, Any]:
    target = NetworkState(request.params["network_state"])
    if target not in (NetworkState.CONNECTED, NetworkState.OFFLINE):
        return {"status": Status.INVALID_VALUE, "network_state": target}
    fw.change_network_state(target)
    return {"network_state": target}


def aps_data_request(fw: Firmware, request: Request) -> dict[str, Any]:
    params = request.params
    request_id = params["request_id"]
    dst = params["dst"]
    status = Status.SUCCESS
    if not fw.runtime.connected:
        status = Status.NO_NETWORK
    elif fw.runtime.slots_in_use >= APS_SLOTS:
        status = Status.BUSY
    elif dst.address_mode not in (AddressMode.GROUP, AddressMode.NWK, AddressMode.IEEE):
        status = Status.INVALID_VALUE
    if status == Status.SUCCESS:
        aps.transmit(fw, params)
    return {"status": status, "device_state": fw.device_state(), "request_id": request_id}


def aps_data_confirm(fw: Firmware, request: Request) -> dict[str, Any]:
    runtime = fw.runtime
    if not runtime.confirms:
        return {"status": Status.FAILURE, "device_state": fw.device_state()}
    confirm = runtime.confirms.popleft()
    runtime.slots_in_use = max(0, runtime.slots_in_use - 1)
    dst = DeconzAddressEndpoint()
    dst.address_mode = AddressMode(confirm.dst_mode)
    dst.address = confirm.dst if isinstance(confirm.dst, zt.EUI64) else zt.NWK(confirm.dst)
    dst.endpoint = confirm.dst_ep
    return {
        "device_state": fw.device_state(),
        "request_id": confirm.request_id,
        "dst_addr": dst,
        "src_ep": confirm.src_ep,
        "confirm_status": confirm.status,
        "reserved1": 0,
        "reserved2": 0,
        "reserved3": 0,
        "reserved4": 0,
    }


def aps_data_indication(fw: Firmware, request: Request) -> dict[str, Any]:
    runtime = fw.runtime
    if not runtime.indications:
        return {"status": Status.FAILURE, "device_state": fw.device_state()}
    ind = runtime.indications.popleft()
    flags = DataIndicationFlags(request.params["flags"])
    dst = DeconzAddress()
    dst.address_mode = AddressMode(ind.dst_mode)
    dst.address = zt.NWK(ind.dst)
    src = DeconzAddress()
    if DataIndicationFlags.Include_Both_NWK_And_IEEE in flags:
        src.address_mode = AddressMode.NWK_AND_IEEE
        src.address = zt.NWK(ind.src_nwk)
        src.ieee = ind.src_ieee
    else:
        src.address_mode = AddressMode.NWK
        src.address = zt.NWK(ind.src_nwk)
    return {
        "device_state": fw.device_state(),
        "dst_addr": dst,
        "dst_ep": ind.dst_ep,
        "src_addr": src,
        "src_ep": ind.src_ep,
        "profile_id": ind.profile,
        "cluster_id": ind.cluster,
        "asdu": ind.asdu,
        "reserved1": 0,
        "reserved2": 0,
        "lqi": ind.lqi,
        "reserved3": 0,
        "reserved4": 0,
        "reserved5": 0,
        "reserved6": 0,
        "rssi": RSSI,
    }


def update_neighbor(fw: Firmware, request: Request) -> dict[str, Any]:
    """zigpy-deconz restores end-device children this way; routers need nothing."""
    params = request.params
    return {
        "action": params["action"],
        "nwk": params["nwk"],
        "ieee": params["ieee"],
        "mac_capability_flags": params["mac_capability_flags"],
    }

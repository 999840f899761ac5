"""``read_parameter`` / ``write_parameter``: one row per network parameter.

Values are (de)serialised with zigpy-deconz's ``NETWORK_PARAMETER_TYPES`` (the type of
the optional read argument, and the type of the value). A read returns the value, or a
:class:`Status` (UNSUPPORTED for an endpoint slot that does not exist, as zigpy-deconz
expects when it counts slots). A write that cannot be decoded, or a value out of
range, is answered with INVALID_VALUE and changes nothing; read-only parameters answer
UNSUPPORTED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import zigpy.types as zt
from zigpy_deconz.api import (
    NETWORK_PARAMETER_TYPES,
    IndexedEndpoint,
    IndexedKey,
    LinkKey,
    NetworkParameter,
    Status,
)

from ..frames import Request
from ..params import EMPTY_EPID
from ..runtime import APS_SLOTS

if TYPE_CHECKING:
    from ..firmware import Firmware

P = NetworkParameter
Reader = Callable[["Firmware", Any], Any]
Writer = Callable[["Firmware", Any], Status | None]


@dataclass(frozen=True)
class Parameter:
    read: Reader
    write: Writer | None = None  # None: read-only


def _set(name: str, check: Callable[[Any], bool] = lambda v: True) -> Writer:
    def write(fw: Firmware, value: Any) -> Status | None:
        if not check(value):
            return Status.INVALID_VALUE
        setattr(fw.config, name, value)
        return None

    return write


def _get(name: str) -> Reader:
    return lambda fw, arg: getattr(fw.config, name)


def _read_panid(fw: Firmware, arg: Any) -> Any:
    formed = fw.config.network
    return formed.pan_id if formed is not None else fw.config.pan_id


def _read_nwk_epid(fw: Firmware, arg: Any) -> Any:
    formed = fw.config.network
    return formed.extended_pan_id if formed is not None else EMPTY_EPID


def _read_channel(fw: Firmware, arg: Any) -> Any:
    formed = fw.config.network
    return formed.channel if formed is not None else 0


def _read_update_id(fw: Firmware, arg: Any) -> Any:
    return fw.config.nwk_update_id


def _read_endpoint(fw: Firmware, index: Any) -> Any:
    slots = fw.config.endpoints
    if index is None or not 0 <= int(index) < len(slots):
        return Status.UNSUPPORTED
    return IndexedEndpoint(index=int(index), descriptor=slots[int(index)])


def _write_endpoint(fw: Firmware, value: IndexedEndpoint) -> Status | None:
    slots = fw.config.endpoints
    endpoint = int(value.descriptor.endpoint)
    if not 0 <= int(value.index) < len(slots) or not (1 <= endpoint <= 0xF0 or endpoint == 0xF2):
        return Status.INVALID_VALUE
    slots[int(value.index)] = value.descriptor
    return None


def _read_network_key(fw: Firmware, index: Any) -> Any:
    if index not in (None, 0):
        return Status.INVALID_VALUE
    return IndexedKey(index=0, key=fw.config.network_key)


def _write_network_key(fw: Firmware, value: IndexedKey) -> Status | None:
    if value.index != 0:
        return Status.INVALID_VALUE
    fw.config.network_key = value.key
    return None


def _read_link_key(fw: Firmware, ieee: Any) -> Any:
    if ieee is None:
        return Status.INVALID_VALUE
    return LinkKey(ieee=ieee, key=fw.config.link_key(ieee))


def _write_link_key(fw: Firmware, value: LinkKey) -> Status | None:
    fw.config.link_keys[zt.EUI64(value.ieee)] = value.key
    return None


def _write_permit(fw: Firmware, value: Any) -> Status | None:
    if not fw.runtime.connected:
        return Status.NO_NETWORK
    fw.set_permit(int(value))
    return None


def _read_permit(fw: Firmware, arg: Any) -> Any:
    return fw.permit_remaining()


def _read_protocol_version(fw: Firmware, arg: Any) -> Any:
    return fw.protocol_version


def _read_watchdog(fw: Firmware, arg: Any) -> Any:
    return fw.watchdog_remaining()


def _write_watchdog(fw: Firmware, value: Any) -> Status | None:
    fw.arm_watchdog(int(value))
    return None


def _write_mac(fw: Firmware, value: Any) -> Status | None:
    if value in (EMPTY_EPID, zt.EUI64.convert("FF:FF:FF:FF:FF:FF:FF:FF")):
        return Status.INVALID_VALUE
    fw.config.mac_address = zt.EUI64(value)
    return None


def _write_mask(fw: Firmware, value: Any) -> Status | None:
    if int(value) & ~int(zt.Channels.ALL_CHANNELS):
        return Status.INVALID_VALUE
    fw.config.channel_mask = int(value)
    return None


def _write_trust_center(fw: Firmware, value: Any) -> Status | None:
    fw.config.trust_center = zt.EUI64(value)
    return None


PARAMETERS: dict[NetworkParameter, Parameter] = {
    P.mac_address: Parameter(_get("mac_address"), _write_mac),
    P.nwk_panid: Parameter(_read_panid, _set("pan_id")),
    P.nwk_address: Parameter(_get("nwk_address"), _set("nwk_address")),
    P.nwk_extended_panid: Parameter(_read_nwk_epid),
    P.aps_designed_coordinator: Parameter(
        _get("designed_coordinator"), _set("designed_coordinator", lambda v: v in (0, 1))
    ),
    P.channel_mask: Parameter(_get("channel_mask"), _write_mask),
    P.aps_extended_panid: Parameter(_get("aps_extended_panid"), _set("aps_extended_panid")),
    P.trust_center_address: Parameter(_get("trust_center_address"), _write_trust_center),
    P.security_mode: Parameter(_get("security_mode"), _set("security_mode", lambda v: v <= 3)),
    P.configure_endpoint: Parameter(_read_endpoint, _write_endpoint),
    P.use_predefined_nwk_panid: Parameter(
        _get("use_predefined_panid"), _set("use_predefined_panid")
    ),
    P.network_key: Parameter(_read_network_key, _write_network_key),
    P.link_key: Parameter(_read_link_key, _write_link_key),
    P.current_channel: Parameter(_read_channel),
    P.permit_join: Parameter(_read_permit, _write_permit),
    P.protocol_version: Parameter(_read_protocol_version),
    P.nwk_update_id: Parameter(_read_update_id, _set("nwk_update_id")),
    P.watchdog_ttl: Parameter(_read_watchdog, _write_watchdog),
    P.nwk_frame_counter: Parameter(_get("frame_counter"), _set("frame_counter")),
    P.app_zdp_response_handling: Parameter(
        _get("zdp_response_handling"), _set("zdp_response_handling")
    ),
}

assert set(PARAMETERS) == set(NETWORK_PARAMETER_TYPES), "a parameter has no row"
assert APS_SLOTS > 0


def _decode(kind: Any, raw: bytes) -> Any:
    """Deserialises exactly ``raw`` as ``kind``; ValueError if it is short or too long."""
    value, rest = kind.deserialize(raw)
    if rest:
        raise ValueError(f"{len(rest)} bytes too many")
    return value


def read_parameter(fw: Firmware, request: Request) -> dict[str, Any]:
    param_id = request.params["parameter_id"]
    raw = bytes(request.params["parameter"])
    if param_id not in PARAMETERS:
        return {"status": Status.UNSUPPORTED, "parameter_id": param_id, "parameter": b""}
    read_type, value_type = NETWORK_PARAMETER_TYPES[param_id]
    arg = None
    try:
        if read_type is not None and raw:
            arg = _decode(read_type, raw)
        elif raw:
            raise ValueError("this parameter takes no argument")
        value = PARAMETERS[param_id].read(fw, arg)
    except (ValueError, KeyError):
        value = Status.INVALID_VALUE
    if isinstance(value, Status):
        return {"status": value, "parameter_id": param_id, "parameter": b""}
    return {"parameter_id": param_id, "parameter": value_type(value).serialize()}


def write_parameter(fw: Firmware, request: Request) -> dict[str, Any]:
    param_id = request.params["parameter_id"]
    row = PARAMETERS.get(param_id)
    if row is None or row.write is None:
        return {"status": Status.UNSUPPORTED, "parameter_id": param_id}
    _, value_type = NETWORK_PARAMETER_TYPES[param_id]
    try:
        value = _decode(value_type, bytes(request.params["parameter"]))
    except (ValueError, KeyError):
        return {"status": Status.INVALID_VALUE, "parameter_id": param_id}
    status = row.write(fw, value)
    return {"status": status or Status.SUCCESS, "parameter_id": param_id}

"""The stick's non-volatile memory: legacy OSAL items and the Z-Stack 3.30 NV tables.

Layout and JSON form follow zigpy-znp's own ``nvram_read``/``nvram_write`` tools
(``{"LEGACY": {"NIB": "hex", ...}, "TCLK_TABLE": {"0x0000": "hex"}, ...}``), so an
emulator state file can be inspected or restored with the same tools used on real
sticks. Values are stored as raw bytes, exactly as the host reads and writes them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import zigpy_znp.const as const
import zigpy_znp.types as t
from zigpy_znp.types.nvids import ExNvIds, OsalNvIds

from .framing import ALIGN_STRUCTS

T = TypeVar("T")

#: Z-Stack 3.30 refuses MT writes to OSAL items above this id.
MAX_MT_OSAL_ID = 0x03FF

#: Table sizes of a CC26x2 Z-Stack 3.30 build (as zigpy-znp finds them when it
#: walks a table until the first missing sub-id).
ADDRMGR_ENTRIES = 257
TCLK_ENTRIES = 200
APS_KEY_DATA_ENTRIES = 3
NWK_SEC_MATERIAL_ENTRIES = 5
APS_LINK_KEY_TABLE_SIZE = 20


def serialize(value: Any) -> bytes:
    """Serialises a zigpy-znp value the way the CC26x2 stores it (aligned structs)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, t.CStruct | t.BaseListType):
        return bytes(value.serialize(align=ALIGN_STRUCTS))
    return bytes(value.serialize())


def deserialize(data: bytes, item_type: type[T]) -> T:
    if issubclass(item_type, t.CStruct | t.BaseListType):
        value, _ = item_type.deserialize(data, align=ALIGN_STRUCTS)  # type: ignore[attr-defined]
    else:
        value, _ = item_type.deserialize(data)  # type: ignore[attr-defined]
    return value  # type: ignore[no-any-return]


@dataclass
class NvStore:
    """Flash contents. ``on_change`` is called after every mutation (persistence hook)."""

    legacy: dict[int, bytes] = field(default_factory=dict)
    tables: dict[int, dict[int, bytes]] = field(default_factory=dict)
    on_change: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    #: Bumped on every change, so readers can cache values decoded from NVRAM.
    generation: int = field(default=0, repr=False, compare=False)

    # -- raw access used by the MT NV handlers -----------------------------------------
    def get(self, item_id: int, sub_id: int) -> bytes | None:
        if item_id == ExNvIds.LEGACY:
            return self.legacy.get(sub_id)
        return self.tables.get(item_id, {}).get(sub_id)

    def put(self, item_id: int, sub_id: int, value: bytes, *, bump: bool = True) -> None:
        """Stores an item; ``bump=False`` keeps caches valid (frame counter updates)."""
        if item_id == ExNvIds.LEGACY:
            self.legacy[sub_id] = bytes(value)
        else:
            self.tables.setdefault(item_id, {})[sub_id] = bytes(value)
        self._changed(bump)

    def delete(self, item_id: int, sub_id: int) -> bool:
        container = self.legacy if item_id == ExNvIds.LEGACY else self.tables.get(item_id, {})
        existed = container.pop(sub_id, None) is not None
        if existed:
            self._changed()
        return existed

    # -- typed access used by the stack itself -----------------------------------------
    def read(self, nvid: int, item_type: type[T]) -> T | None:
        data = self.legacy.get(nvid)
        return None if data is None else deserialize(data, item_type)

    def write(self, nvid: int, value: Any) -> None:
        self.put(ExNvIds.LEGACY, nvid, serialize(value))

    def table(self, item_id: int) -> dict[int, bytes]:
        return self.tables.setdefault(item_id, {})

    def replace_contents(self, other: NvStore) -> None:
        """Takes over another store's items (a factory reset of the flash)."""
        self.legacy = other.legacy
        self.tables = other.tables
        self._changed()

    def _changed(self, bump: bool = True) -> None:
        if bump:
            self.generation += 1
        if self.on_change is not None:
            self.on_change()

    # -- JSON form (zigpy-znp nvram tool layout) -----------------------------------------
    def to_json(self) -> dict[str, dict[str, str]]:
        legacy: dict[str, str] = {}
        for nvid, value in sorted(self.legacy.items()):
            legacy[_osal_name(nvid)] = value.hex()
        data: dict[str, dict[str, str]] = {"LEGACY": legacy}
        for item_id, entries in sorted(self.tables.items()):
            name = ExNvIds(item_id).name if item_id in ExNvIds._value2member_map_ else hex(item_id)
            data[name] = {f"0x{sub:04X}": v.hex() for sub, v in sorted(entries.items())}
        return data

    @classmethod
    def from_json(cls, data: dict[str, dict[str, str]]) -> NvStore:
        store = cls()
        for name, items in data.items():
            if name == "LEGACY":
                for key, value in items.items():
                    store.legacy[_osal_id(key)] = bytes.fromhex(value)
                continue
            item_id = ExNvIds[name] if name in ExNvIds.__members__ else int(name, 16)
            store.tables[item_id] = {int(k, 16): bytes.fromhex(v) for k, v in items.items()}
        return store


def _osal_name(nvid: int) -> str:
    try:
        return str(OsalNvIds(nvid).name)
    except ValueError:
        return f"0x{nvid:04X}"


def _osal_id(key: str) -> int:
    if key.startswith("0x"):
        return int(key, 16)
    if "+" in key:
        name, _, offset = key.partition("+")
        return int(OsalNvIds[name]) + int(offset)
    return int(OsalNvIds[key])


def factory_nvram(ieee: t.EUI64, *, keep_frame_counters: NvStore | None = None) -> NvStore:
    """What a CC26x2 with Z-Stack 3.30 holds after a factory reset (no network).

    Values are the Z-Stack 3.30 defaults. ``keep_frame_counters`` carries the network
    security material over, since Z-Stack keeps frame counters across factory resets
    unless told otherwise.
    """
    empty_key = t.NwkKeyDesc(KeySeqNum=0, Key=t.KeyData(bytes(16)))
    u8, u16 = t.uint8_t, t.uint16_t
    store = NvStore()
    items: dict[OsalNvIds, Any] = {
        OsalNvIds.EXTADDR: ieee,
        OsalNvIds.STARTUP_OPTION: t.StartupOptions.NONE,
        OsalNvIds.START_DELAY: u8(10),
        OsalNvIds.POLL_RATE_OLD16: u16(3000),
        OsalNvIds.DATA_RETRIES: u8(2),
        OsalNvIds.POLL_FAILURE_RETRIES: u8(3),
        OsalNvIds.STACK_PROFILE: u8(2),
        OsalNvIds.INDIRECT_MSG_TIMEOUT: u8(7),
        OsalNvIds.ROUTE_EXPIRY_TIME: u8(30),
        OsalNvIds.EXTENDED_PAN_ID: ieee,
        OsalNvIds.BCAST_RETRIES: u8(2),
        OsalNvIds.PASSIVE_ACK_TIMEOUT: u8(5),
        OsalNvIds.BCAST_DELIVERY_TIME: u8(30),
        OsalNvIds.CONCENTRATOR_ENABLE: t.Bool(True),
        OsalNvIds.CONCENTRATOR_DISCOVERY: u8(120),
        OsalNvIds.CONCENTRATOR_RADIUS: u8(10),
        OsalNvIds.CONCENTRATOR_RC: t.Bool(True),
        OsalNvIds.NWK_MGR_MODE: u8(1),
        OsalNvIds.SRC_RTG_EXPIRY_TIME: u8(255),
        OsalNvIds.ROUTE_DISCOVERY_TIME: u8(5),
        OsalNvIds.NWK_ACTIVE_KEY_INFO: empty_key,
        OsalNvIds.NWK_ALTERN_KEY_INFO: empty_key,
        OsalNvIds.ROUTER_OFF_ASSOC_CLEANUP: u8(0),
        OsalNvIds.NWK_LEAVE_REQ_ALLOWED: t.Bool(True),
        OsalNvIds.NWK_CHILD_AGE_ENABLE: t.Bool(False),
        OsalNvIds.APS_FRAME_RETRIES: u8(3),
        OsalNvIds.APS_ACK_WAIT_DURATION: u16(3000),
        OsalNvIds.APS_ACK_WAIT_MULTIPLIER: u8(2),
        OsalNvIds.BINDING_TIME: u16(16000),
        OsalNvIds.APS_USE_EXT_PANID: t.EUI64(bytes(8)),
        OsalNvIds.APS_USE_INSECURE_JOIN: t.Bool(True),
        OsalNvIds.COMMISSIONED_NWK_ADDR: t.NWK(0xFFFE),
        OsalNvIds.APS_NONMEMBER_RADIUS: u8(2),
        OsalNvIds.APS_DUPREJ_TIMEOUT_INC: u16(1000),
        OsalNvIds.APS_DUPREJ_TIMEOUT_COUNT: u8(10),
        OsalNvIds.APS_DUPREJ_TABLE_SIZE: u16(5),
        OsalNvIds.NWK_PARENT_INFO: u8(1),
        OsalNvIds.NWK_ENDDEV_TIMEOUT_DEF: u8(8),
        OsalNvIds.END_DEV_TIMEOUT_VALUE: u8(8),
        OsalNvIds.END_DEV_CONFIGURATION: u8(0),
        OsalNvIds.BDBNODEISONANETWORK: u8(0),
        OsalNvIds.PRECFGKEY: t.KeyData(os.urandom(16)),
        OsalNvIds.PRECFGKEYS_ENABLE: t.Bool(False),
        OsalNvIds.SECURE_PERMIT_JOIN: t.Bool(True),
        OsalNvIds.APS_LINK_KEY_TYPE: u8(1),
        OsalNvIds.APS_ALLOW_R19_SECURITY: u8(0),
        OsalNvIds.USE_DEFAULT_TCLK: t.Bool(True),
        OsalNvIds.TRUSTCENTER_ADDR: t.EUI64(bytes(8)),
        OsalNvIds.USERDESC: bytes(17),
        OsalNvIds.NWKKEY: t.NwkActiveKeyItems(Active=empty_key, FrameCounter=0),
        OsalNvIds.PANID: t.PanId(0xFFFF),
        OsalNvIds.CHANLIST: t.Channels.NO_CHANNELS,
        OsalNvIds.SCAN_DURATION: u8(4),
        OsalNvIds.LOGICAL_TYPE: t.DeviceLogicalType.Coordinator,
        OsalNvIds.NWKMGR_MIN_TX: u8(20),
        OsalNvIds.ZDO_DIRECT_CB: t.Bool(True),
        OsalNvIds.SAPI_ENDPOINT: u8(0xE0),
        OsalNvIds.TCLK_SEED: t.KeyData(os.urandom(16)),
    }
    for nvid, value in items.items():
        store.legacy[nvid] = serialize(value)

    empty_tclk = t.TCLKDevEntry(
        txFrmCntr=0,
        rxFrmCntr=0,
        extAddr=t.EUI64(bytes(8)),
        keyAttributes=t.KeyAttributes.DEFAULT_KEY,
        keyType=t.KeyType.NONE,
        SeedShift_IcIndex=0,
    )
    store.tables[ExNvIds.TCLK_TABLE] = dict.fromkeys(range(TCLK_ENTRIES), serialize(empty_tclk))
    store.tables[ExNvIds.APS_KEY_DATA_TABLE] = dict.fromkeys(range(APS_KEY_DATA_ENTRIES), bytes(24))
    if keep_frame_counters is not None and ExNvIds.NWK_SEC_MATERIAL_TABLE in (
        keep_frame_counters.tables
    ):
        store.tables[ExNvIds.NWK_SEC_MATERIAL_TABLE] = dict(
            keep_frame_counters.tables[ExNvIds.NWK_SEC_MATERIAL_TABLE]
        )
    else:
        store.tables[ExNvIds.NWK_SEC_MATERIAL_TABLE] = dict.fromkeys(
            range(NWK_SEC_MATERIAL_ENTRIES), bytes(12)
        )
    return store


def add_network_tables(store: NvStore) -> None:
    """Items Z-Stack creates when it first forms a network (device and key tables)."""
    if ExNvIds.ADDRMGR not in store.tables:
        empty = serialize(const.EMPTY_ADDR_MGR_ENTRY_ZSTACK3)
        store.tables[ExNvIds.ADDRMGR] = dict.fromkeys(range(ADDRMGR_ENTRIES), empty)
    if OsalNvIds.APS_LINK_KEY_TABLE not in store.legacy:
        store.legacy[OsalNvIds.APS_LINK_KEY_TABLE] = bytes(APS_LINK_KEY_TABLE_SIZE)
    store._changed()

"""The coordinator's network as Z-Stack keeps it: in NVRAM (NIB, keys, device tables).

Why everything goes through NVRAM: zigpy-znp reads and writes these exact items for
startup, backup and restore, so the emulator must treat NVRAM as the single source of
truth, just as the firmware does. The helpers here are the firmware-side procedures
(form, change channel, count frames, remember a joined device).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import zigpy_znp.const as const
import zigpy_znp.types as t
from zigpy_znp.types.nvids import ExNvIds, OsalNvIds

from .nvram import NvStore, add_network_tables, deserialize, serialize

GLOBAL_EPID = t.EUI64.convert("FF:FF:FF:FF:FF:FF:FF:FF")
EMPTY_EPID = t.EUI64(bytes(8))


@dataclass(frozen=True)
class NetworkParams:
    """The running network as the radio sees it (read from the NIB and key items)."""

    channel: int
    pan_id: int
    extended_pan_id: t.EUI64
    network_key: t.KeyData
    key_seq: int
    nwk_update_id: int


def read_nib(nv: NvStore) -> t.NIB | None:
    return nv.read(OsalNvIds.NIB, t.NIB)


def is_formed(nv: NvStore) -> bool:
    """Same test zigpy-znp applies: a NIB with a channel and a key, and BDB says so."""
    nib = read_nib(nv)
    on_network = nv.read(OsalNvIds.BDBNODEISONANETWORK, t.uint8_t)
    return bool(nib is not None and nib.nwkLogicalChannel and nib.nwkKeyLoaded and on_network)


def network_params(nv: NvStore) -> NetworkParams | None:
    nib = read_nib(nv)
    key = nv.read(OsalNvIds.NWK_ACTIVE_KEY_INFO, t.NwkKeyDesc)
    if nib is None or key is None or not is_formed(nv):
        return None
    return NetworkParams(
        channel=int(nib.nwkLogicalChannel),
        pan_id=int(nib.nwkPanId),
        extended_pan_id=nib.extendedPANID,
        network_key=key.Key,
        key_seq=int(key.KeySeqNum),
        nwk_update_id=int(nib.nwkUpdateId),
    )


def default_nib() -> t.NIB:
    """The NIB of a CC26x2 coordinator before it is on a network."""
    empty = t.NwkKeyDesc(KeySeqNum=0, Key=t.KeyData(bytes(16)))
    return t.NIB(
        SequenceNum=0,
        PassiveAckTimeout=5,
        MaxBroadcastRetries=2,
        MaxChildren=51,
        MaxDepth=15,
        MaxRouters=51,
        dummyNeighborTable=0,
        BroadcastDeliveryTime=30,
        ReportConstantCost=0,
        RouteDiscRetries=0,
        dummyRoutingTable=0,
        SecureAllFrames=1,
        SecurityLevel=5,
        SymLink=1,
        CapabilityFlags=143,
        TransactionPersistenceTime=7,
        nwkProtocolVersion=2,
        RouteDiscoveryTime=13,
        RouteExpiryTime=30,
        nwkDevAddress=0xFFFE,
        nwkLogicalChannel=0,
        nwkCoordAddress=0xFFFE,
        nwkCoordExtAddress=EMPTY_EPID,
        nwkPanId=0xFFFE,
        nwkState=t.NwkState.NWK_INIT,
        channelList=t.Channels.NO_CHANNELS,
        beaconOrder=15,
        superFrameOrder=15,
        scanDuration=4,
        battLifeExt=0,
        allocatedRouterAddresses=1,
        allocatedEndDeviceAddresses=1,
        nodeDepth=0,
        extendedPANID=EMPTY_EPID,
        nwkKeyLoaded=t.Bool(False),
        spare1=empty,
        spare2=empty,
        spare3=0,
        spare4=0,
        nwkLinkStatusPeriod=15,
        nwkRouterAgeLimit=5,
        nwkUseMultiCast=t.Bool(False),
        nwkIsConcentrator=t.Bool(True),
        nwkConcentratorDiscoveryTime=120,
        nwkConcentratorRadius=10,
        nwkAllFresh=1,
        nwkManagerAddr=0x0000,
        nwkTotalTransmissions=0,
        nwkUpdateId=0,
    )


def form(nv: NvStore, channel: int, rng: random.Random) -> NetworkParams:
    """BDB network formation: writes NIB, keys and tables from the configured items.

    PAN id, extended PAN id and key come from the items zigpy-znp wrote before asking
    for formation (PANID, APS_USE_EXT_PANID, PRECFGKEY); unset ones are generated the
    way Z-Stack does (random PAN id, extended PAN id = own IEEE).
    """
    ieee = nv.read(OsalNvIds.EXTADDR, t.EUI64) or EMPTY_EPID
    pan_id = nv.read(OsalNvIds.PANID, t.uint16_t)
    if pan_id is None or pan_id in (0xFFFF, 0xFFFE):
        pan_id = t.uint16_t(rng.randint(0x0001, 0xFFF7))
    epid = nv.read(OsalNvIds.APS_USE_EXT_PANID, t.EUI64)
    if epid is None or epid in (EMPTY_EPID, GLOBAL_EPID):
        epid = ieee
    key = nv.read(OsalNvIds.PRECFGKEY, t.KeyData) or t.KeyData(rng.randbytes(16))
    old_nib = read_nib(nv) or default_nib()
    nib = default_nib().replace(
        SequenceNum=old_nib.SequenceNum,
        nwkDevAddress=0x0000,
        nwkLogicalChannel=channel,
        nwkCoordAddress=0x0000,
        nwkPanId=pan_id,
        nwkState=t.NwkState.NWK_ROUTER,
        channelList=t.Channels.from_channel_list([channel]),
        extendedPANID=epid,
        nwkKeyLoaded=t.Bool(True),
        nwkUpdateId=0,
    )
    active = t.NwkKeyDesc(KeySeqNum=0, Key=key)
    counter = read_frame_counter(nv, epid)
    nv.write(OsalNvIds.NIB, nib)
    nv.write(OsalNvIds.PANID, t.uint16_t(pan_id))
    nv.write(OsalNvIds.EXTENDED_PAN_ID, epid)
    nv.write(OsalNvIds.APS_USE_EXT_PANID, epid)
    nv.write(OsalNvIds.CHANLIST, t.Channels.from_channel_list([channel]))
    nv.write(OsalNvIds.NWK_ACTIVE_KEY_INFO, active)
    nv.write(OsalNvIds.NWK_ALTERN_KEY_INFO, active)
    nv.write(OsalNvIds.NWKKEY, t.NwkActiveKeyItems(Active=active, FrameCounter=counter))
    nv.write(OsalNvIds.BDBNODEISONANETWORK, t.uint8_t(1))
    add_network_tables(nv)
    write_frame_counter(nv, epid, counter)
    params = network_params(nv)
    assert params is not None
    return params


def change_channel(nv: NvStore, channel: int) -> None:
    """Moves the coordinator to ``channel`` and bumps the NWK update id."""
    nib = read_nib(nv)
    if nib is None:
        return
    nv.write(
        OsalNvIds.NIB,
        nib.replace(nwkLogicalChannel=channel, nwkUpdateId=(nib.nwkUpdateId + 1) % 0x100),
    )


# -- frame counter (NWK security material table) -------------------------------------------
def _material(nv: NvStore) -> dict[int, bytes]:
    return nv.table(ExNvIds.NWK_SEC_MATERIAL_TABLE)


def read_frame_counter(nv: NvStore, epid: t.EUI64) -> int:
    fallback = 0
    for raw in _material(nv).values():
        entry = deserialize(raw, t.NwkSecMaterialDesc)
        if entry.ExtendedPanID == epid:
            return int(entry.FrameCounter)
        if entry.ExtendedPanID == GLOBAL_EPID:
            fallback = int(entry.FrameCounter)
    return fallback


def write_frame_counter(nv: NvStore, epid: t.EUI64, counter: int) -> None:
    table = _material(nv)
    free = None
    for sub_id, raw in sorted(table.items()):
        entry = deserialize(raw, t.NwkSecMaterialDesc)
        if entry.ExtendedPanID == epid:
            free = sub_id
            break
        if free is None and entry.ExtendedPanID == EMPTY_EPID:
            free = sub_id
    if free is None:
        free = 0
    value = t.NwkSecMaterialDesc(FrameCounter=counter & 0xFFFFFFFF, ExtendedPanID=epid)
    # Counting frames must not invalidate caches of the network parameters.
    nv.put(ExNvIds.NWK_SEC_MATERIAL_TABLE, free, serialize(value), bump=False)


def next_frame_counter(nv: NvStore, epid: t.EUI64) -> int:
    """Counts one outgoing NWK frame, as every secured transmission does."""
    counter = read_frame_counter(nv, epid) + 1
    write_frame_counter(nv, epid, counter)
    return counter


# -- joined devices (address manager + hashed TC link keys) --------------------------------
def known_devices(nv: NvStore) -> dict[t.EUI64, int]:
    """IEEE -> NWK of every device the trust center remembers."""
    devices: dict[t.EUI64, int] = {}
    for raw in nv.tables.get(ExNvIds.ADDRMGR, {}).values():
        entry = deserialize(raw, t.AddrMgrEntry)
        if entry.extAddr in (EMPTY_EPID, GLOBAL_EPID) or entry.type == t.AddrMgrUserType(0xFF):
            continue
        devices[entry.extAddr] = int(entry.nwkAddr)
    return devices


def remember_device(nv: NvStore, ieee: t.EUI64, nwk: int, rng: random.Random) -> None:
    """Stores a joined router the way Z-Stack 3.30 does after the TCLK exchange: an
    address manager entry with the Security flag and a seed-hashed link key entry."""
    addrmgr = nv.table(ExNvIds.ADDRMGR)
    entry = t.AddrMgrEntry(type=t.AddrMgrUserType.Security, nwkAddr=nwk, extAddr=ieee)
    slot = _find_slot(addrmgr, ieee, t.AddrMgrEntry, "extAddr", _is_free_addrmgr)
    if slot is not None:
        nv.put(ExNvIds.ADDRMGR, slot, serialize(entry))
    tclk = nv.table(ExNvIds.TCLK_TABLE)
    tslot = _find_slot(tclk, ieee, t.TCLKDevEntry, "extAddr", _is_free_tclk)
    if tslot is not None:
        key_entry = t.TCLKDevEntry(
            txFrmCntr=0,
            rxFrmCntr=0,
            extAddr=ieee,
            keyAttributes=t.KeyAttributes.VERIFIED_KEY,
            keyType=t.KeyType.NONE,
            SeedShift_IcIndex=rng.randrange(16),
        )
        nv.put(ExNvIds.TCLK_TABLE, tslot, serialize(key_entry))


def forget_device(nv: NvStore, ieee: t.EUI64) -> None:
    """Drops a device that left: its address manager entry and its link key."""
    for sub_id, raw in list(nv.tables.get(ExNvIds.ADDRMGR, {}).items()):
        if deserialize(raw, t.AddrMgrEntry).extAddr == ieee:
            nv.put(ExNvIds.ADDRMGR, sub_id, serialize(const.EMPTY_ADDR_MGR_ENTRY_ZSTACK3))
    for sub_id, raw in list(nv.tables.get(ExNvIds.TCLK_TABLE, {}).items()):
        if deserialize(raw, t.TCLKDevEntry).extAddr == ieee:
            empty = t.TCLKDevEntry(
                txFrmCntr=0,
                rxFrmCntr=0,
                extAddr=EMPTY_EPID,
                keyAttributes=t.KeyAttributes.DEFAULT_KEY,
                keyType=t.KeyType.NONE,
                SeedShift_IcIndex=0,
            )
            nv.put(ExNvIds.TCLK_TABLE, sub_id, serialize(empty))


def _is_free_addrmgr(entry: t.AddrMgrEntry) -> bool:
    return bool(entry.extAddr in (EMPTY_EPID, GLOBAL_EPID))


def _is_free_tclk(entry: t.TCLKDevEntry) -> bool:
    return bool(entry.extAddr == EMPTY_EPID)


def _find_slot(
    table: dict[int, bytes],
    ieee: t.EUI64,
    item_type: type[Any],
    field_name: str,
    is_free: Callable[[Any], bool],
) -> int | None:
    free = None
    for sub_id, raw in sorted(table.items()):
        entry = deserialize(raw, item_type)
        if getattr(entry, field_name) == ieee:
            return int(sub_id)
        if free is None and is_free(entry):
            free = int(sub_id)
    return free

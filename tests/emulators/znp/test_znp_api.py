"""zigpy-znp's low-level ``ZNP`` API against the emulator: the firmware identity and
NVRAM behave like a CC2652 with Z-Stack 3.30."""

from __future__ import annotations

import pytest
import zigpy_znp.commands as c
import zigpy_znp.types as t
from zigpy_znp.exceptions import CommandNotRecognized
from zigpy_znp.types.nvids import ExNvIds, OsalNvIds

from .conftest import Rig

APP_ITEM = 0x0301  # an OSAL id the MT interface may create on Z-Stack 3.30


async def test_znp_detects_zstack_330_with_aligned_structs(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    assert znp.version == 3.30
    assert znp.nvram.align_structs is True
    assert znp.capabilities & t.MTCapabilities.APP_CNF
    assert not znp.capabilities & t.MTCapabilities.SAPI


async def test_version_reports_a_cc2652_coordinator_build(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    version = await znp.request(c.SYS.Version.Req())
    assert (version.MajorRel, version.MinorRel, version.ProductId) == (2, 7, 1)
    assert version.CodeRevision >= 20210708  # new enough for zigpy-znp's permit-join path


async def test_ping_round_trip_is_fast(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    for _ in range(20):
        rsp = await znp.request(c.SYS.Ping.Req(), timeout=0.5)
        assert rsp.Capabilities == znp.capabilities


async def test_osal_nvram_item_round_trips_and_can_be_deleted(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    await znp.nvram.osal_write(APP_ITEM, t.uint32_t(0xDEADBEEF), create=True)
    assert await znp.nvram.osal_read(APP_ITEM, item_type=t.uint32_t) == 0xDEADBEEF
    assert await znp.nvram.osal_delete(APP_ITEM) is True
    with pytest.raises(KeyError):
        await znp.nvram.osal_read(APP_ITEM, item_type=t.uint32_t)


async def test_large_osal_item_is_read_and_written_in_chunks(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    value = bytes(range(256)) * 2  # longer than one MT frame
    await znp.nvram.osal_write(APP_ITEM, value, create=True)
    assert await znp.nvram.osal_read(APP_ITEM, item_type=t.Bytes) == value


async def test_nv_table_item_round_trips(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    entry = t.NwkSecMaterialDesc(
        FrameCounter=4242, ExtendedPanID=t.EUI64.convert("11:22:33:44:55:66:77:88")
    )
    await znp.nvram.write(item_id=ExNvIds.NWK_SEC_MATERIAL_TABLE, sub_id=2, value=entry)
    read = await znp.nvram.read(
        item_id=ExNvIds.NWK_SEC_MATERIAL_TABLE, sub_id=2, item_type=t.NwkSecMaterialDesc
    )
    assert read == entry


async def test_nvram_survives_an_emulator_restart(rig: Rig) -> None:
    config = rig.config(formed=False)
    emu = await rig.emulator(config)
    znp = await rig.znp(emu)
    await znp.nvram.osal_write(APP_ITEM, b"persist", create=True)
    await znp.disconnect()
    rig.znps.remove(znp)
    await emu.stop()
    rig.emulators.remove(emu)
    again = await rig.emulator(config)
    znp = await rig.znp(again)
    assert await znp.nvram.osal_read(APP_ITEM, item_type=t.Bytes) == b"persist"


async def test_subsystem_the_firmware_lacks_is_not_recognized(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    with pytest.raises(CommandNotRecognized):
        await znp.request(c.SAPI.ZBGetDeviceInfo.Req(Param=1))


async def test_soft_reset_answers_with_reset_indication(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    resets = emu.stack.stats.resets
    await znp.reset()
    assert emu.stack.stats.resets == resets + 1


async def test_watchdog_reset_fault_sends_reset_indication(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    indication = znp.wait_for_response(c.SYS.ResetInd.Callback(partial=True))
    emu.reset()
    received = await indication
    assert received.Reason == t.ResetReason.Watchdog


async def test_extaddr_is_recreated_from_hardware_after_deletion_and_reset(rig: Rig) -> None:
    emu = await rig.emulator(formed=False)
    znp = await rig.znp(emu)
    hardware = await znp.nvram.osal_read(OsalNvIds.EXTADDR, item_type=t.EUI64)
    await znp.nvram.osal_delete(OsalNvIds.EXTADDR)
    await znp.reset()
    assert await znp.nvram.osal_read(OsalNvIds.EXTADDR, item_type=t.EUI64) == hardware

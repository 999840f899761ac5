"""SupervisorTouchlink and ZnpInterPan over a scripted ZNP: the failure paths the emulator
cannot produce (a stick refusing to change channel or to come back), as unit tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import zigpy_znp.commands as c
import zigpy_znp.types as t

from gateway.domain.radio import RadioBusy, RadioUnavailable, RadioUnsupported
from gateway.domain.touchlink import ScanResult, TouchlinkService, TouchlinkTargetSilent
from gateway.zigbee.interpan_znp import INTERPAN_ENDPOINT, ZnpInterPan
from gateway.zigbee.touchlink import SupervisorTouchlink, TouchlinkTiming

TIMING = TouchlinkTiming(scan_window=0.01, target_scans=1, restore_settle=0.2)


@dataclass
class ScriptedZnp:
    """zigpy-znp's ``ZNP`` as far as ZnpInterPan uses it: SREQs answered from a script."""

    set_statuses: list[t.Status] = field(default_factory=list)  # answers to InterPanCtl Set
    clear_statuses: list[t.Status] = field(default_factory=list)  # answers to InterPanCtl Clr
    fail_clear: bool = False
    confirm_status: t.Status = t.Status.SUCCESS  # AF.DataConfirm of unicasts
    register_status: t.Status = t.Status.SUCCESS
    requests: list[Any] = field(default_factory=list)
    listeners: list[Any] = field(default_factory=list)
    on_request: Any = None

    async def request(self, request: Any, **expected: Any) -> Any:
        self.requests.append(request)
        if self.on_request is not None:
            self.on_request(request)
        if isinstance(request, c.AF.Register.Req):
            return c.AF.Register.Rsp(Status=self.register_status)
        if isinstance(request, c.AF.InterPanCtl.Req):
            if request.Command == t.InterPanCommand.Clr and self.fail_clear:
                raise TimeoutError("no SRSP")
            status = t.Status.SUCCESS
            if request.Command == t.InterPanCommand.Set and self.set_statuses:
                status = self.set_statuses.pop(0)
            if request.Command == t.InterPanCommand.Clr and self.clear_statuses:
                status = self.clear_statuses.pop(0)
            return c.AF.InterPanCtl.Rsp(Status=status)
        return request.Rsp(Status=t.Status.SUCCESS)

    async def request_callback_rsp(self, *, request: Any, callback: Any, **kwargs: Any) -> Any:
        await self.request(request)
        assert callback.TSN == request.TSN  # the confirmation of this very frame
        return c.AF.DataConfirm.Callback(
            Status=self.confirm_status, Endpoint=request.SrcEndpoint, TSN=request.TSN
        )

    def callback_for_response(self, response: Any, callback: Any) -> Any:
        self.listeners.append(response)
        return response

    def remove_listener(self, listener: Any) -> None:
        self.listeners.remove(listener)

    def controls(self, command: t.InterPanCommand) -> list[Any]:
        return [
            r for r in self.requests if isinstance(r, c.AF.InterPanCtl.Req) and r.Command == command
        ]


class FakeApp:
    def __init__(self) -> None:
        self.sequence = 0

    def get_sequence(self) -> int:
        self.sequence += 1
        return self.sequence


@dataclass
class Config:
    kind: str = "znp"


@dataclass
class FakeSupervisor:
    """The RadioSupervisor surface SupervisorTouchlink uses."""

    znp_object: ScriptedZnp
    config: Config = field(default_factory=Config)
    app: FakeApp | None = field(default_factory=FakeApp)
    busy: str | None = None
    restarts: int = 0
    released_at: float | None = None

    @contextlib.asynccontextmanager
    async def exclusive(self, operation: str) -> AsyncIterator[FakeApp]:
        if self.app is None:
            raise RadioUnavailable("Not connected")
        if self.busy is not None:
            raise RadioBusy(self.busy)
        self.busy = operation
        try:
            yield self.app
        finally:
            self.busy = None
            self.released_at = asyncio.get_running_loop().time()

    def znp(self) -> ScriptedZnp:
        return self.znp_object

    @property
    def application(self) -> FakeApp:
        if self.app is None:
            raise RadioUnavailable("Not connected")
        return self.app

    def restart(self) -> None:
        self.restarts += 1


TARGET = ScanResult("00:17:88:01:7c:00:00:01", 20, 0xFFFF, True)


def service_over(supervisor: FakeSupervisor) -> TouchlinkService:
    return TouchlinkService(SupervisorTouchlink(supervisor, TIMING))  # type: ignore[arg-type]


async def test_a_channel_that_cannot_be_restored_makes_the_supervisor_restart_the_stick():
    znp = ScriptedZnp(fail_clear=True)
    supervisor = FakeSupervisor(znp)
    radio = SupervisorTouchlink(supervisor, TIMING)  # type: ignore[arg-type]
    with pytest.raises(TouchlinkTargetSilent):
        async with radio.link("touchlink identify") as link:
            await link.identify(TARGET, 5)  # nobody answers in this script
    assert supervisor.restarts == 1
    assert supervisor.busy is None
    assert znp.listeners == []  # stopped listening


async def test_the_radio_stays_busy_for_the_settle_time_after_going_back():
    znp = ScriptedZnp()
    supervisor = FakeSupervisor(znp)
    radio = SupervisorTouchlink(supervisor, TIMING)  # type: ignore[arg-type]
    loop = asyncio.get_running_loop()
    async with radio.link("touchlink scan") as link:
        await link.scan(lambda _: None)
        await link.finish()
        restored_at = loop.time()
    assert supervisor.released_at is not None
    assert supervisor.released_at - restored_at >= TIMING.restore_settle * 0.9
    assert len(znp.controls(t.InterPanCommand.Clr)) == 1
    assert supervisor.restarts == 0


async def test_a_radio_that_is_gone_needs_no_restart():
    znp = ScriptedZnp(fail_clear=True)
    supervisor = FakeSupervisor(znp)
    radio = SupervisorTouchlink(supervisor, TIMING)  # type: ignore[arg-type]

    def connection_lost(request: Any) -> None:
        if isinstance(request, c.AF.InterPanCtl.Req) and request.Command == t.InterPanCommand.Set:
            supervisor.app = None  # the supervisor tears the application down meanwhile

    znp.on_request = connection_lost
    with pytest.raises(RadioUnavailable, match="radio lost"):
        async with radio.link("touchlink reset") as link:
            await link.reset(TARGET)
    assert znp.controls(t.InterPanCommand.Clr)  # tried, failed
    assert supervisor.restarts == 0  # the supervisor reconnects (and resets the stick) anyway


async def test_cancelling_an_operation_still_restores_the_channel_and_skips_the_settle():
    znp = ScriptedZnp()
    supervisor = FakeSupervisor(znp)
    service = service_over(supervisor)
    await service.start_scan()
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await service.stop()
    assert loop.time() - start < TIMING.restore_settle
    assert znp.controls(t.InterPanCommand.Clr)
    assert supervisor.busy is None
    assert service.running is None


async def test_deconz_kind_is_refused_before_the_radio_is_taken():
    supervisor = FakeSupervisor(ScriptedZnp(), config=Config(kind="deconz"))
    radio = SupervisorTouchlink(supervisor, TIMING)  # type: ignore[arg-type]
    with pytest.raises(RadioUnsupported, match="inter-PAN"):
        async with radio.link("touchlink scan"):
            pass
    assert supervisor.znp_object.requests == []


async def test_set_channel_is_retried_while_the_mac_is_busy():
    znp = ScriptedZnp(set_statuses=[t.Status.APS_NOT_ALLOWED, t.Status.APS_NOT_ALLOWED])
    interpan = ZnpInterPan(znp, tsn=FakeApp().get_sequence, channel_retry_delay=0.001)
    await interpan.set_channel(20)
    assert [r.Data for r in znp.controls(t.InterPanCommand.Set)] == [b"\x14"] * 3


async def test_set_channel_gives_up_after_a_few_refusals():
    znp = ScriptedZnp(set_statuses=[t.Status.APS_NOT_ALLOWED] * 10)
    interpan = ZnpInterPan(znp, tsn=FakeApp().get_sequence, channel_retry_delay=0.001)
    with pytest.raises(RadioUnavailable, match="refused to tune to channel 20"):
        await interpan.set_channel(20)


async def test_open_registers_the_endpoint_and_accepts_an_earlier_registration():
    znp = ScriptedZnp(register_status=t.Status.APS_DUPLICATE_ENTRY)
    interpan = ZnpInterPan(znp, tsn=FakeApp().get_sequence)
    await interpan.open()
    (register,) = [r for r in znp.requests if isinstance(r, c.AF.Register.Req)]
    assert register.Endpoint == INTERPAN_ENDPOINT and register.ProfileId == 0xC05E
    assert znp.controls(t.InterPanCommand.Reg)[0].Data == bytes([INTERPAN_ENDPOINT])
    interpan.close()
    assert znp.listeners == []


async def test_open_fails_when_the_endpoint_cannot_be_registered():
    znp = ScriptedZnp(register_status=t.Status.INVALID_PARAMETER)
    with pytest.raises(RadioUnavailable, match="registration"):
        await ZnpInterPan(znp, tsn=FakeApp().get_sequence).open()


async def test_only_frames_with_an_ieee_source_are_kept():
    interpan = ZnpInterPan(ScriptedZnp(), tsn=FakeApp().get_sequence)
    common = dict(
        GroupId=0,
        ClusterId=0x1000,
        SrcEndpoint=0xFE,
        SrcPanId=0x1234,
        DstEndpoint=INTERPAN_ENDPOINT,
        WasBroadcast=t.Bool(False),
        LQI=255,
        SecurityUse=0,
        TimeStamp=0,
        TSN=0,
        Data=t.LongBytes(b"\x19\x00\x01"),
        MacSrcAddr=0xFFFF,
        MsgResultRadius=0,
    )
    short = t.AddrModeAddress(mode=t.AddrMode.NWK, address=0x1234)
    long = t.AddrModeAddress(
        mode=t.AddrMode.IEEE, address=t.EUI64.convert("00:17:88:01:7c:00:00:01")
    )
    interpan._received(c.AF.IncomingMsgExt.Callback(SrcAddrModeAddress=short, **common))
    interpan._received(c.AF.IncomingMsgExt.Callback(SrcAddrModeAddress=long, **common))
    message = interpan.inbox.get_nowait()
    assert (message.source, message.pan_id, message.rssi) == ("00:17:88:01:7c:00:00:01", 0x1234, 10)
    assert interpan.inbox.empty()


async def test_a_unicast_the_target_does_not_acknowledge_means_a_silent_target():
    znp = ScriptedZnp(confirm_status=t.Status.MAC_NO_ACK)
    interpan = ZnpInterPan(znp, tsn=FakeApp().get_sequence)
    with pytest.raises(TouchlinkTargetSilent):
        await interpan.send("00:17:88:01:7c:00:00:01", b"\x11\x01\x07\x01\x00\x00\x00")
    (request,) = [r for r in znp.requests if isinstance(r, c.AF.DataRequestExt.Req)]
    assert request.DstAddrModeAddress.mode == t.AddrMode.IEEE
    assert (request.DstPanId, request.DstEndpoint, request.ClusterId) == (0xFFFF, 0xFE, 0x1000)


async def test_restoring_is_retried_while_the_stack_still_changes_channel():
    znp = ScriptedZnp(clear_statuses=[t.Status.FAILURE, t.Status.FAILURE])
    interpan = ZnpInterPan(znp, tsn=FakeApp().get_sequence, channel_retry_delay=0.001)
    await interpan.restore_channel()
    assert len(znp.controls(t.InterPanCommand.Clr)) == 3


async def test_a_failed_identify_is_answered_once_back_on_the_network_channel():
    znp = ScriptedZnp()
    supervisor = FakeSupervisor(znp)
    service = service_over(supervisor)
    service._results = [TARGET]  # as after a scan (nobody answers in this script)
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(TouchlinkTargetSilent):
        await service.identify("1")
    assert loop.time() - start < TIMING.restore_settle  # not held up by the settle time
    assert len(znp.controls(t.InterPanCommand.Clr)) == 1
    assert supervisor.busy == "touchlink identify"  # still settling
    await until_free(service)
    assert supervisor.busy is None


async def until_free(service: TouchlinkService) -> None:
    for _ in range(200):
        if service.running is None:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the operation did not end")

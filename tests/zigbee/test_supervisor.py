"""RadioSupervisor state machine against a scripted zigpy application (unit tests)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from gateway.domain.radio import RadioBusy, RadioState, RadioUnavailable
from gateway.logsetup import RepeatedWarning
from gateway.zigbee.backoff import Backoff
from gateway.zigbee.radios import RadioConfig
from gateway.zigbee.supervisor import RadioSupervisor
from tests.zigbee.fake_app import FakeApp, Script


async def until(predicate, timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.005)


@pytest.fixture
def script():
    return Script()


@pytest.fixture
async def supervisor(tmp_path, script):
    cfg = RadioConfig("znp", "/dev/null", tmp_path / "zigbee.db", tmp_path / "backups")
    sup = RadioSupervisor(
        cfg,
        app_class=FakeApp.bound(script),
        backoff=Backoff(initial=0.01, cap=0.04),
        permit_renew_interval=0.05,
        channel_change_broadcasts=1,
    )
    states: list[RadioState] = []
    sup.add_state_listener(lambda old, new: states.append(new))
    sup.states = states  # type: ignore[attr-defined]
    yield sup
    await sup.stop()


async def test_a_supervisor_that_connects_is_running_with_the_network_snapshot(supervisor):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    assert supervisor.states == [RadioState.CONNECTING, RadioState.RUNNING]
    snap = supervisor.snapshot()
    assert (snap.channel, snap.pan_id) == (15, 0x1A62)
    assert snap.coordinator_ieee == "00:12:4b:00:1c:a1:b8:46"
    assert snap.firmware_version == "20230507"
    assert supervisor.reachable


async def test_a_failed_start_is_lost_and_retried_until_the_stick_answers(supervisor, script):
    script.fail_startups = 3
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    assert len(script.apps) == 4
    assert supervisor.states[:3] == [RadioState.CONNECTING, RadioState.LOST, RadioState.CONNECTING]


async def test_a_failed_start_closes_that_applications_database(supervisor, script):
    script.fail_startups = 1
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    assert script.apps[0].shutdowns == [True]


async def test_connection_lost_tears_down_and_connects_a_new_application(supervisor, script):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    first = script.apps[0]
    first.lose()
    await until(lambda: len(script.apps) == 2 and supervisor.state is RadioState.RUNNING)
    assert first.shutdowns == [True]
    assert RadioState.LOST in supervisor.states


async def test_radio_operations_are_unavailable_while_the_radio_is_lost(supervisor, script):
    script.fail_startups = 1000
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.LOST)
    with pytest.raises(RadioUnavailable):
        await supervisor.permit_join(60)
    with pytest.raises(RadioUnavailable):
        await supervisor.change_channel(20)
    assert not supervisor.reachable


async def test_an_exclusive_operation_makes_the_radio_busy_for_everything_else(supervisor):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    async with supervisor.exclusive("touchlink"):
        assert supervisor.state is RadioState.BUSY
        assert supervisor.busy == "touchlink"
        with pytest.raises(RadioBusy) as err:
            await supervisor.permit_join(60)
        assert err.value.operation == "touchlink"
    assert supervisor.state is RadioState.RUNNING
    assert supervisor.busy is None


async def test_a_second_exclusive_operation_is_refused_not_queued(supervisor):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    async with supervisor.exclusive("touchlink"):
        with pytest.raises(RadioBusy):
            async with supervisor.exclusive("channel change"):
                pass


async def test_permit_join_255_is_renewed_before_zigpys_254_second_limit(supervisor, script):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    await supervisor.permit_join(255)
    await until(lambda: len(script.permits) >= 3)
    assert set(script.permits) == {254}
    assert supervisor.joins_open()


async def test_permit_join_0_closes_the_network_and_stops_renewing(supervisor, script):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    await supervisor.permit_join(255)
    await supervisor.permit_join(0)
    count = len(script.permits)
    await asyncio.sleep(0.15)
    assert script.permits[-1] == 0
    assert len(script.permits) == count
    assert not supervisor.joins_open()


async def test_an_open_network_is_opened_again_after_a_reconnect(supervisor, script):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    await supervisor.permit_join(120)
    script.apps[0].lose()
    await until(lambda: len(script.apps) == 2 and supervisor.state is RadioState.RUNNING)
    # The new application is opened for what is left. (Looked at per application: under
    # load the first one's start-up reopen may run after the permit above and send one
    # more, for what was left then; CI once saw [120, 119, 119].)
    await until(lambda: len(script.apps[1].permits) == 1)
    assert 118 <= script.apps[1].permits[0] <= 120


async def test_change_channel_is_busy_while_moving_and_updates_the_snapshot(supervisor, script):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    script.move_gate = asyncio.Event()
    move = asyncio.create_task(supervisor.change_channel(25))
    await until(lambda: supervisor.state is RadioState.BUSY)
    with pytest.raises(RadioBusy):
        supervisor.check_ready()
    script.move_gate.set()
    await move
    assert script.channel_moves == [(25, 1)]
    assert supervisor.snapshot().channel == 25
    assert supervisor.state is RadioState.RUNNING


async def test_a_reconnect_after_a_channel_change_keeps_the_new_channel(supervisor, script):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    await supervisor.change_channel(20)
    script.apps[0].lose()
    await until(lambda: len(script.apps) == 2 and supervisor.state is RadioState.RUNNING)
    assert script.apps[1].config["network"]["channel"] == 20


async def test_reset_network_forms_a_new_network_and_restarts_the_application(supervisor, script):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    await supervisor.reset_network()
    assert script.formed == 1
    await until(lambda: len(script.apps) == 2 and supervisor.state is RadioState.RUNNING)
    assert script.apps[0].shutdowns == [True]


async def test_hooks_run_before_running_and_on_tear_down(supervisor, script):
    seen: list[str] = []

    async def up(app):
        seen.append(f"up:{supervisor.state}")

    supervisor.add_app_hooks(up, lambda app: seen.append("down"))
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    script.apps[0].lose()
    await until(lambda: len(script.apps) == 2 and supervisor.state is RadioState.RUNNING)
    assert seen == ["up:connecting", "down", "up:connecting"]


async def test_stop_shuts_the_application_down_and_ends_stopped(supervisor, script):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    await supervisor.stop()
    assert script.apps[0].shutdowns == [True]
    assert supervisor.state is RadioState.STOPPED
    assert not supervisor.alive


async def test_stop_interrupts_the_backoff_wait(tmp_path, script):
    script.fail_startups = 1000
    cfg = RadioConfig("znp", "/dev/null", tmp_path / "z.db", tmp_path / "b")
    sup = RadioSupervisor(cfg, app_class=FakeApp.bound(script), backoff=Backoff(30, cap=30))
    sup.start()
    await until(lambda: sup.state is RadioState.LOST)
    await asyncio.wait_for(sup.stop(), 1)


def test_backoff_doubles_up_to_the_cap_and_resets():
    backoff = Backoff(initial=0.5, cap=3)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1, 2, 3, 3]
    backoff.reset()
    assert backoff.next_delay() == 0.5


async def test_a_port_that_appears_during_the_backoff_is_tried_at_once(tmp_path, script):
    script.fail_startups = 1
    port = tmp_path / "ttyACM0"
    cfg = RadioConfig("znp", str(port), tmp_path / "z.db", tmp_path / "b")
    sup = RadioSupervisor(cfg, app_class=FakeApp.bound(script), backoff=Backoff(30, cap=30))
    sup.start()
    try:
        await until(lambda: sup.state is RadioState.LOST)
        port.touch()  # udev creates the device node again
        await until(lambda: sup.state is RadioState.RUNNING, timeout=2)
        assert len(script.apps) == 2
    finally:
        await sup.stop()


async def test_a_port_that_appears_right_after_the_failed_attempt_is_tried_at_once(
    tmp_path, script
):
    # The port is missing when the attempt fails and back the moment the loss is
    # announced, before the back-off first looks: the earlier supervisor took it for a
    # port that had been there all along and waited out the whole back-off.
    script.fail_startups = 1
    port = tmp_path / "ttyACM0"
    cfg = RadioConfig("znp", str(port), tmp_path / "z.db", tmp_path / "b")
    sup = RadioSupervisor(cfg, app_class=FakeApp.bound(script), backoff=Backoff(30, cap=30))
    sup.add_state_listener(lambda _old, new: port.touch() if new is RadioState.LOST else None)
    sup.start()
    try:
        await until(lambda: sup.state is RadioState.RUNNING, timeout=2)
        assert len(script.apps) == 2
    finally:
        await sup.stop()


async def test_a_node_that_udev_removes_late_still_counts_as_replugged(tmp_path, script):
    # The stick fails while its node still exists (udev has not removed it yet); the node
    # goes, then comes back: that is a replug, tried at once.
    port = tmp_path / "ttyACM0"
    port.touch()
    script.fail_startups = 1
    cfg = RadioConfig("znp", str(port), tmp_path / "z.db", tmp_path / "b")
    sup = RadioSupervisor(cfg, app_class=FakeApp.bound(script), backoff=Backoff(30, cap=30))
    sup.start()
    try:
        await until(lambda: sup.state is RadioState.LOST)
        port.unlink()
        await asyncio.sleep(0.5)  # more than one look at the port
        port.touch()
        await until(lambda: sup.state is RadioState.RUNNING, timeout=2)
        assert len(script.apps) == 2
    finally:
        await sup.stop()


async def test_stop_during_a_connection_attempt_ends_promptly(supervisor, script):
    script.startup_delay = 0.2
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.CONNECTING)
    await asyncio.wait_for(supervisor.stop(), 2)
    assert script.apps[0].shutdowns == [True]
    assert supervisor.state is RadioState.STOPPED


async def test_joins_stay_open_while_a_new_permit_is_on_its_way_to_the_radio(supervisor, script):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    await supervisor.permit_join(60)
    script.permit_gate = asyncio.Event()
    extend = asyncio.create_task(supervisor.permit_join(120))
    await until(lambda: len(script.permits) == 2)
    assert supervisor.joins_open()  # a lamp announcing itself now joined an open network
    script.permit_gate.set()
    await extend
    assert supervisor.joins_open()


async def test_an_explicit_close_keeps_the_join_grace_for_interviews_in_flight(supervisor):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    await supervisor.permit_join(60)
    await supervisor.permit_join(0)
    assert not supervisor.joins_open()
    assert supervisor.joins_open(grace=30)
    await asyncio.sleep(0.05)
    assert not supervisor.joins_open(grace=0.01)


async def test_closing_a_network_that_was_never_open_grants_no_grace(supervisor):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING)
    await supervisor.permit_join(0)
    assert not supervisor.joins_open(grace=30)


# -- a stick that stays missing is reported once, then at a slowing rate ------------------


def _not_available(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and "Zigbee radio not available" in r.getMessage()
    ]


async def test_twenty_failed_attempts_give_five_warnings_not_twenty(supervisor, script, caplog):
    script.fail_startups = 20
    with caplog.at_level(logging.DEBUG, logger="gateway.zigbee.keeper"):
        supervisor.start()
        await until(lambda: supervisor.state is RadioState.RUNNING, timeout=10)
    warnings = _not_available(caplog)
    assert len(warnings) == 5  # attempts 1, 2, 4, 8, 16
    assert "16 times so far" in warnings[-1].getMessage()


def test_a_different_message_or_a_success_starts_the_count_again(caplog):
    log = logging.getLogger("tests.repeated")
    repeated = RepeatedWarning(log)
    with caplog.at_level(logging.DEBUG, logger="tests.repeated"):
        for _ in range(3):
            repeated.warn("port missing")
        repeated.warn("permission denied")
        repeated.clear()
        repeated.warn("port missing")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "port missing",
        "port missing (2 times so far; next at 4)",
        "permission denied",
        "port missing",
    ]

"""The safety net: a running application that disconnected without telling anyone.

zigpy-znp answers every request with DeliveryError("Coordinator is disconnected") once its
application has disconnected; when that happens without a ``connection_lost`` (the soak's
wedge, see docs/engineering.md "Radio supervision"), the supervisor must not keep calling
the radio running: it reconnects at once, whether a request or its own look notices first.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from zigpy.exceptions import DeliveryError

from gateway.domain.radio import RadioState, RadioUnavailable
from gateway.zigbee import keeper as supervisor_module
from gateway.zigbee.backoff import Backoff
from gateway.zigbee.radios import RadioConfig
from gateway.zigbee.supervisor import RadioSupervisor
from tests.helpers.waiting import until
from tests.zigbee.fake_app import FakeApp, Script


@pytest.fixture
def script():
    return Script()


@pytest.fixture
async def supervisor(tmp_path, script):
    cfg = RadioConfig("znp", "/dev/null", tmp_path / "zigbee.db", tmp_path / "backups")
    # A long backoff: only an immediate reconnect is back within the tests' time limits.
    sup = RadioSupervisor(cfg, app_class=FakeApp.bound(script), backoff=Backoff(30.0, cap=30.0))
    yield sup
    await sup.stop()


def disconnect_silently(app: FakeApp) -> None:
    """What zigpy-znp's ``disconnect`` leaves behind: no ZNP object, no listener called."""
    app._znp = None  # type: ignore[attr-defined]


async def test_a_request_to_a_silently_disconnected_application_reconnects_at_once(
    supervisor, script, caplog
):
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING, timeout=3.0)
    disconnect_silently(script.apps[0])
    caplog.set_level(logging.WARNING, logger="gateway.zigbee.keeper")

    with pytest.raises(RadioUnavailable):
        supervisor.check_ready()  # what every light command does first
    assert not supervisor.reachable
    await until(
        lambda: len(script.apps) == 2 and supervisor.state is RadioState.RUNNING, timeout=1.0
    )
    assert script.apps[0].shutdowns == [True]
    lost = [r for r in caplog.records if "coordinator is disconnected" in r.getMessage()]
    assert len(lost) == 1 and getattr(lost[0], "state_change", False)
    assert "without reporting a lost port" in (lost[0].getMessage())


async def test_a_silently_disconnected_application_is_noticed_without_any_request(
    supervisor, script, monkeypatch
):
    monkeypatch.setattr(supervisor_module, "LIVENESS_INTERVAL", 0.1)
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING, timeout=3.0)
    states: list[RadioState] = []
    supervisor.add_state_listener(lambda old, new: states.append(new))
    disconnect_silently(script.apps[0])

    await until(
        lambda: len(script.apps) == 2 and supervisor.state is RadioState.RUNNING, timeout=1.0
    )
    assert states[0] is RadioState.LOST
    assert supervisor.last_error is None  # cleared by the new application's start


async def test_an_application_that_stays_connected_is_left_alone(supervisor, script, monkeypatch):
    monkeypatch.setattr(supervisor_module, "LIVENESS_INTERVAL", 0.05)
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING, timeout=3.0)
    script.apps[0]._znp = object()  # type: ignore[attr-defined]
    await asyncio.sleep(0.3)
    supervisor.check_ready()
    assert supervisor.state is RadioState.RUNNING and len(script.apps) == 1


def test_each_radio_librarys_link_is_read_and_a_missing_one_never_counts_as_lost() -> None:
    from types import SimpleNamespace

    from gateway.zigbee.liveness import disconnected

    assert disconnected(SimpleNamespace(_znp=None), "znp")
    assert disconnected(SimpleNamespace(_znp=None), "virtual")
    assert not disconnected(SimpleNamespace(_znp=object()), "znp")
    assert disconnected(SimpleNamespace(_api=None), "deconz")
    assert not disconnected(SimpleNamespace(_api=object()), "deconz")
    assert not disconnected(SimpleNamespace(), "znp")  # a test double, another library
    assert not disconnected(SimpleNamespace(_znp=None), "ezsp")  # a kind we do not know


async def test_a_coordinator_is_disconnected_delivery_error_while_running_reconnects_at_once(
    supervisor, script, caplog
):
    """The soak's wedge as it showed: the application we hold looked connected, but the
    requests failed with this error; only the error tells."""
    from zigpy.exceptions import DeliveryError

    from gateway.zigbee.delivery import radio_call

    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING, timeout=3.0)
    caplog.set_level(logging.WARNING, logger="gateway.zigbee.keeper")
    # 503/950 for this request, not a dead light
    with pytest.raises(RadioUnavailable), radio_call(supervisor, "light 1: on"):
        raise DeliveryError("Coordinator is disconnected, cannot send request")
    await until(
        lambda: len(script.apps) == 2 and supervisor.state is RadioState.RUNNING, timeout=1.0
    )
    assert script.apps[0].shutdowns == [True]
    lost = [r for r in caplog.records if "reconnecting now" in r.getMessage()]
    assert len(lost) == 1 and "Coordinator is disconnected" in lost[0].getMessage()


async def test_other_delivery_errors_leave_the_radio_running(supervisor, script):
    from zigpy.exceptions import DeliveryError

    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING, timeout=3.0)
    supervisor.delivery_failed(DeliveryError("Failed to send request: MAC_NO_ACK"))
    await asyncio.sleep(0.1)
    assert supervisor.state is RadioState.RUNNING and len(script.apps) == 1


async def _fail_after_a_reconnect(supervisor, script, error: BaseException) -> None:
    """A request that starts on the first connection and fails once a second is up."""
    from gateway.zigbee.delivery import radio_call

    reconnected = asyncio.Event()

    async def request() -> None:
        with radio_call(supervisor, "light 1: state read"):
            await reconnected.wait()
            raise error

    in_flight = asyncio.create_task(request())
    await asyncio.sleep(0)
    supervisor.restart()
    await until(
        lambda: len(script.apps) == 2 and supervisor.state is RadioState.RUNNING, timeout=2.0
    )
    reconnected.set()
    await in_flight


@pytest.mark.parametrize(
    "error",
    [
        DeliveryError("Coordinator is disconnected, cannot send request"),  # zigpy-znp
        AttributeError("'NoneType' object has no attribute 'aps_data_request'"),  # zigpy-deconz
        TimeoutError(),
    ],
    ids=["znp-disconnected", "deconz-dropped-api", "timeout"],
)
async def test_a_request_that_fails_in_a_replaced_connection_is_the_radio_going_away(
    supervisor, script, error
):
    """zigpy retries through the application a request started on: once a newer one is up,
    its failure is neither the lamp's (unreachable) nor a reason to drop the new one."""
    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING, timeout=3.0)
    with pytest.raises(RadioUnavailable):
        await _fail_after_a_reconnect(supervisor, script, error)
    await asyncio.sleep(0.2)
    assert len(script.apps) == 2, "the healthy new connection was restarted"
    assert supervisor.state is RadioState.RUNNING


async def test_a_time_out_on_the_current_connection_stays_the_lamps(supervisor):
    from gateway.zigbee.delivery import radio_call

    supervisor.start()
    await until(lambda: supervisor.state is RadioState.RUNNING, timeout=3.0)
    with pytest.raises(TimeoutError), radio_call(supervisor, "light 1: on"):
        raise TimeoutError

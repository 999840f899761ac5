"""A KNX link that is down answers at once with "impossible to execute", never hangs."""

from __future__ import annotations

import socket
import time

import pytest

from gateway.knx.link import KnxLink, LinkState
from gateway.settings import KnxSection
from tests.thinknx.conftest import FAST_KNX

# A request that waited on the bus would take the link's request timeout or more; the
# down link's is long so that the bound has room for a loaded CI machine and still fails.
DOWN_LINK_REQUEST_TIMEOUT = 5.0
FAST_ENOUGH = 0.5  # seconds; half the shortest request timeout here (the rig's link: 1 s)


@pytest.fixture
async def down_link():
    """A link to a port where nothing answers: it stays CONNECTING."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = {**FAST_KNX, "request_timeout": DOWN_LINK_REQUEST_TIMEOUT}
    link = KnxLink(KnxSection(mode="tunnel_udp", gateway_host="127.0.0.1", gateway_port=port,
                              **settings))  # fmt: skip
    await link.start()
    yield link
    await link.stop()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("power", {"guid": "living_room_light", "cmd": 1}),
        ("power", {"guid": "living_room_light", "cmd": 1, "fb": None}),
        ("powerstatus", {"guid": "living_room_light"}),
        ("system/sendKNXbit", {"group": "1/0/1", "value": 1}),
    ],
)
async def test_requests_while_the_link_is_connecting_fail_fast(make_rig, down_link, path, params):
    rig = await make_rig(knx_link=down_link)
    await rig.warm_up()
    assert down_link.state is LinkState.CONNECTING
    started = time.monotonic()
    r = await rig.get(path, **params)
    assert (r.status_code, r.json()) == (503, {"error": "impossible to execute"})
    assert time.monotonic() - started < FAST_ENOUGH


async def test_requests_after_the_tunnel_was_lost_fail_fast(rig):
    await rig.warm_up()
    await rig.emulator.stop()
    await rig.link.wait_for_state(LinkState.LOST, 3)
    started = time.monotonic()
    r = await rig.get("power", guid="living_room_light", cmd=1, fb=None)
    assert (r.status_code, r.json()) == (503, {"error": "impossible to execute"})
    assert time.monotonic() - started < FAST_ENOUGH


async def test_bad_parameters_are_still_params_errors_while_the_link_is_down(make_rig, down_link):
    rig = await make_rig(knx_link=down_link)
    r = await rig.get("power", guid="living_room_light", cmd=7)
    assert (r.status_code, r.json()) == (400, {"error": "params errors"})


async def test_server_status_answers_while_the_link_is_down(make_rig, down_link):
    rig = await make_rig(knx_link=down_link)
    r = await rig.get("system/serverStatus")
    assert r.status_code == 200
    assert r.json()["namespace"] == "system/serverStatus"

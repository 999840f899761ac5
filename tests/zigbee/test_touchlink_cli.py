"""``gateway touchlink ...`` against a running gateway over HTTP (the touchlink rig)."""

from __future__ import annotations

import asyncio
import io

import pytest
import pytest_asyncio

from gateway import cli
from hil.emulators.znp import DeviceKind
from tests.helpers.harness import ADMIN_PASSWORD
from tests.helpers.servers import free_port
from tests.zigbee.rig import until
from tests.zigbee.touchlink_rig import TouchlinkRig, target, touchlink_rig, touchlink_traffic

pytestmark = pytest.mark.asyncio(loop_scope="module")

T11 = target("00:17:88:01:7c:00:00:01", 11, DeviceKind.COLOR_TEMPERATURE)
T20 = target("00:17:88:01:7c:00:00:02", 20, DeviceKind.EXTENDED_COLOR, factory_new=False)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(tmp_path_factory):
    from tests.zigbee.conftest import copy_template, template

    directory = tmp_path_factory.mktemp("touchlink-cli")
    copy_template(template(tmp_path_factory, "paired"), directory)
    async with touchlink_rig(directory, [T11, T20]) as rig:
        yield rig


async def gateway_cmd(*argv: str) -> int:
    """``gateway ARGV`` in a worker thread (it blocks on HTTP; the rig runs in this loop)."""
    return await asyncio.to_thread(cli.main, list(argv))


def connection(rig: TouchlinkRig) -> list[str]:
    return ["--url", rig.gw.base, "--apikey", rig.gw.key]


async def test_scan_prints_a_table_of_every_target(rig, capsys):
    await rig.gw.wait_released()
    code = await gateway_cmd("touchlink", "scan", *connection(rig))
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "ADDRESS", "CHANNEL", "PAN", "FACTORY", "NEW", "RSSI"]
    rows = {line.split()[1]: line.split() for line in lines[1:-1]}
    assert rows["0x001788017c000001"][2:5] == ["11", "0xFFFF", "yes"]
    assert rows["0x001788017c000002"][2] == "20"
    assert rows["0x001788017c000002"][4] == "no"
    assert len(rows) == 5  # the two targets and the three paired lamps on channel 15
    assert lines[-1].startswith("5 device(s), last scan ")


async def test_list_shows_the_last_results_without_scanning(rig, capsys):
    await rig.gw.wait_released()
    mark = rig.emulator.frame_mark()
    code = await gateway_cmd("touchlink", "list", *connection(rig))
    assert code == 0
    assert "0x001788017c000001" in capsys.readouterr().out
    assert touchlink_traffic(rig.emulator.frames(since=mark)) == []  # no scan went out


async def test_identify_waits_for_a_running_scan_then_makes_the_target_blink(rig, capsys):
    await rig.gw.wait_released()
    rid = await rig.current_id(str(T11.ieee))
    r = await rig.gw.http.post(rig.gw.url("/touchlink/scan"))
    assert r.status_code == 200
    code = await gateway_cmd("touchlink", "identify", rid, *connection(rig))
    assert code == 0, capsys.readouterr().err
    assert f"device {rid} was asked to identify" in capsys.readouterr().out
    await until(lambda: rig.emulator.device(T11.ieee).endpoint.identifying(), timeout=2)


async def test_admin_credentials_make_a_key_for_the_command_only(rig, capsys, monkeypatch):
    await rig.gw.wait_released()
    before = set((await rig.gw.get("/config"))["whitelist"])
    monkeypatch.setattr("sys.stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    code = await gateway_cmd(
        "touchlink", "list", "--url", rig.gw.base, "--user", "delight", "--password-stdin"
    )
    assert code == 0, capsys.readouterr().err
    assert "ADDRESS" in capsys.readouterr().out
    assert set((await rig.gw.get("/config"))["whitelist"]) == before


async def test_a_wrong_admin_password_is_a_one_line_error(rig, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    code = await gateway_cmd(
        "touchlink", "scan", "--url", rig.gw.base, "--user", "delight", "--password-stdin"
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("gateway: touchlink: cannot create an API key as 'delight'")
    assert len(err.strip().splitlines()) == 1
    assert (await rig.gw.get("/touchlink/scan"))["scanstate"] == "idle"


async def test_an_unknown_id_fails_with_the_gateways_reason(rig, capsys):
    await rig.gw.wait_released()
    code = await gateway_cmd("touchlink", "reset", "42", *connection(rig))
    assert code == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "gateway: touchlink: resource, /touchlink/42, not available (error 3, HTTP 404)"
    )


async def test_a_gateway_that_does_not_answer_is_a_one_line_error(capsys):
    url = f"http://127.0.0.1:{free_port()}"
    code = await gateway_cmd("touchlink", "scan", "--url", url, "--apikey", "x" * 32)
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"gateway: touchlink: cannot reach the gateway at {url}")
    assert len(err.strip().splitlines()) == 1


async def test_a_url_that_is_not_http_is_refused(capsys):
    code = await gateway_cmd("touchlink", "scan", "--url", "file:///etc/passwd", "--apikey", "k")
    assert code == 1
    assert "--url must start with http://" in capsys.readouterr().err

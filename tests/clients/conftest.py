"""One emulator + gateway (real uvicorn sockets) for the client-library tests."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest_asyncio

from gateway.domain.groups import ALL_GROUP_ADDRESS
from tests.zigbee.rig import ieee, until, zigbee_rig


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(tmp_path_factory):
    from tests.zigbee.conftest import copy_template, template

    directory = tmp_path_factory.mktemp("clients")
    copy_template(template(tmp_path_factory, "paired"), directory)
    async with zigbee_rig(directory, lights=4) as rig:
        devices = [rig.emulator.device(ieee(i)) for i in range(1, 5)]
        await until(lambda: all(d.in_group(ALL_GROUP_ADDRESS) for d in devices), timeout=20)
        yield rig


def host_port(rig) -> tuple[str, int]:
    url = urlsplit(rig.gw.base)
    assert url.hostname is not None and url.port is not None
    return url.hostname, url.port


async def set_unlocked(rig, seconds: int) -> None:
    r = await rig.gw.http.put(rig.gw.url("/config"), json={"unlock": seconds})
    assert r.status_code == 200, r.text


def groupcasts(rig, since: int, cluster: int) -> list[int]:
    """The group addresses of the groupcasts to ``cluster`` on the air after ``since``."""
    frames = rig.emulator.air_log.records(since, dst_mode="group", cluster=cluster)
    return [f["dst"] for f in frames]

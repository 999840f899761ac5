"""Bodies the groups routes' OpenAPI schemas allow and the handlers once refused (found by
tests/api/test_groups_fuzz.py), over a fake radio."""

from __future__ import annotations

from tests.groups.fakes import groups_rig
from tests.groups.test_groups_api import create


async def test_lights_named_twice_count_once_for_the_lightsequence(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1"]})
        body = {"lights": ["1", "2", "1"], "lightsequence": ["2", "1"]}
        r = await rig.client.put(rig.url(f"/groups/{gid}"), json=body)
        assert r.status_code == 200, r.text
        group = (await rig.client.get(rig.url(f"/groups/{gid}"))).json()
        assert group["lights"] == group["lightsequence"] == ["2", "1"]
        assert gid in {str(g) for g in rig.transport.tables[rig.address(2)]}


async def test_a_scene_named_by_an_integral_number_is_recalled(sqlite_url):
    async with groups_rig(sqlite_url) as rig:
        gid = await create(rig, {"name": "a", "lights": ["1", "2"]})
        r = await rig.client.post(rig.url(f"/groups/{gid}/scenes"), json={"name": "s"})
        sid = r.json()[0]["success"]["id"]
        for scene in (1, 1.0):  # JSON has one kind of number: 1.0 is the integer 1
            r = await rig.client.put(rig.url(f"/groups/{gid}/action"), json={"scene": scene})
            assert r.json() == [{"success": {f"/groups/{gid}/action/scene": sid}}], r.text
        recalls = [c for c in rig.transport.scene_calls if c[0] == "recall"]
        assert recalls == [("recall", int(gid), int(sid), None)] * 2
        for other in (1.5, 10**400, True):  # no such scene / not a scene id
            r = await rig.client.put(rig.url(f"/groups/{gid}/action"), json={"scene": other})
            assert r.status_code == 400 and r.json()[0]["error"]["type"] == 7, r.text

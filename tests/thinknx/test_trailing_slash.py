"""A trailing slash reaches the same Thinknx handler (issue 9: both APIs accept it)."""

from __future__ import annotations

LIGHT = "living_room_light"


async def test_a_trailing_slash_is_the_same_request(rig):
    plain = await rig.client.get(f"/api/V1/powerstatus?guid={LIGHT}")
    slashed = await rig.client.get(f"/api/V1/powerstatus/?guid={LIGHT}")
    assert plain.status_code == slashed.status_code == 200
    assert plain.json() == slashed.json()

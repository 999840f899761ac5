"""The lights collection, one light, search, rename and delete (``spec/deconz-lights.md``).

The radio is a fake transport here; tests/zigbee drives the same API against the emulator.
"""

from __future__ import annotations

import re

from gateway.domain.lights.model import LightType
from tests.zigbee.fakes import CT_ONLY, DIMMABLE, PLUG, discovered, lights_rig


async def test_get_lights_is_an_empty_object_without_lights(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        r = await rig.client.get(rig.url())
        assert r.status_code == 200
        assert r.json() == {}


async def test_a_new_light_gets_id_1_and_the_deconz_default_name(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        body = (await rig.client.get(rig.url())).json()
        assert list(body) == ["1"]
        assert body["1"]["name"] == "Extended color light 1"


async def test_extended_color_light_has_every_spec_field(database_url):
    async with lights_rig(database_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        light = (await rig.client.get(rig.url("/1"))).json()
        assert light["type"] == "Extended color light"
        assert light["hascolor"] is True
        assert light["manufacturer"] == light["manufacturername"] == "Signify Netherlands B.V."
        assert light["modelid"] == "LCT015"
        assert light["swversion"] == "1.104.2"
        assert light["pointsymbol"] == {}
        assert light["uniqueid"] == "00:17:88:01:0E:00:00:01-0B"
        assert re.fullmatch(r"[0-9a-f]{32}", light["etag"])
        assert (light["ctmin"], light["ctmax"]) == (153, 500)
        assert set(light["state"]) == {
            "on",
            "bri",
            "hue",
            "sat",
            "ct",
            "xy",
            "alert",
            "effect",
            "colormode",
            "reachable",
        }
        assert light["state"]["alert"] == "none"
        assert light["state"]["reachable"] is True


async def test_dimmable_light_shows_no_colour_fields(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1, DIMMABLE, LightType.DIMMABLE), may_add=True)
        light = (await rig.client.get(rig.url("/1"))).json()
        assert light["type"] == "Dimmable light"
        assert light["hascolor"] is False
        assert set(light["state"]) == {"on", "bri", "alert", "effect", "reachable"}
        assert "ctmin" not in light


async def test_color_temperature_light_shows_ct_but_no_hue_or_xy(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(
            discovered(1, CT_ONLY, LightType.COLOR_TEMPERATURE), may_add=True
        )
        light = (await rig.client.get(rig.url("/1"))).json()
        assert light["type"] == "Color temperature light"
        assert light["hascolor"] is True
        assert (light["ctmin"], light["ctmax"]) == (153, 454)
        assert set(light["state"]) == {
            "on",
            "bri",
            "ct",
            "colormode",
            "alert",
            "effect",
            "reachable",
        }


async def test_plug_shows_only_on_alert_and_reachable(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1, PLUG, LightType.ON_OFF_PLUG), may_add=True)
        light = (await rig.client.get(rig.url("/1"))).json()
        assert light["type"] == "On/Off plug-in unit"
        assert set(light["state"]) == {"on", "alert", "reachable"}


async def test_get_unknown_light_is_404_error_3(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        r = await rig.client.get(rig.url("/7"))
        assert r.status_code == 404
        assert r.json() == [
            {
                "error": {
                    "type": 3,
                    "address": "/lights/7",
                    "description": "resource, /lights/7, not available",
                }
            }
        ]


async def test_a_light_id_with_a_leading_zero_is_not_found(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        assert (await rig.client.get(rig.url("/01"))).status_code == 404


async def test_get_light_answers_304_for_a_matching_etag(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        first = await rig.client.get(rig.url("/1"))
        again = await rig.client.get(
            rig.url("/1"), headers={"If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304


async def test_full_state_lists_the_lights(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        body = (await rig.client.get(f"/api/{rig.key}")).json()
        assert body["lights"]["1"]["uniqueid"] == "00:17:88:01:0E:00:00:01-0B"


async def test_lights_read_unreachable_while_the_radio_is_down(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        rig.transport.up = False
        light = (await rig.client.get(rig.url("/1"))).json()
        assert light["state"]["reachable"] is False


# -- search ------------------------------------------------------------------------------------


async def test_post_lights_opens_the_network_for_60_seconds(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        r = await rig.client.post(rig.url())
        assert r.status_code == 200
        assert r.json() == [{"success": {"/lights": "Searching for new devices"}}]
        assert rig.network.calls == [("permit_join", 60)]
        config = (await rig.client.get(f"/api/{rig.key}/config")).json()
        assert config["permitjoin"] == 60


async def test_post_lights_with_the_radio_down_is_503_error_950(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        rig.network.up = False
        r = await rig.client.post(rig.url())
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 950


async def test_new_lights_lastscan_is_none_before_any_search(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        assert (await rig.client.get(rig.url("/new"))).json() == {"lastscan": "none"}


async def test_new_lights_are_listed_with_lastscan_active_while_searching(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        await rig.client.post(rig.url())
        await rig.service.discovered(discovered(2), may_add=True)
        body = (await rig.client.get(rig.url("/new"))).json()
        assert body == {"2": {"name": "Extended color light 2"}, "lastscan": "active"}


async def test_lastscan_is_the_time_the_search_ended_once_it_is_over(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.client.post(rig.url())
        rig.h.clock.advance(61)
        lastscan = (await rig.client.get(rig.url("/new"))).json()["lastscan"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", lastscan)


async def test_a_new_search_clears_the_new_lights_list(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.client.post(rig.url())
        await rig.service.discovered(discovered(1), may_add=True)
        rig.h.clock.advance(61)
        await rig.client.post(rig.url())
        assert (await rig.client.get(rig.url("/new"))).json() == {"lastscan": "active"}


# -- rename --------------------------------------------------------------------------------------


async def test_rename_changes_the_name_and_answers_success(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        r = await rig.client.put(rig.url("/1"), json={"name": "Living Room 1"})
        assert r.status_code == 200
        assert r.json() == [{"success": {"/lights/1/name": "Living Room 1"}}]
        assert (await rig.client.get(rig.url("/1"))).json()["name"] == "Living Room 1"


async def test_rename_rejects_a_name_over_32_characters_with_error_7(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        r = await rig.client.put(rig.url("/1"), json={"name": "x" * 33})
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 7
        assert (await rig.client.get(rig.url("/1"))).json()["name"] == "Extended color light 1"


async def test_rename_with_an_unknown_parameter_is_error_6_and_changes_nothing(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        r = await rig.client.put(rig.url("/1"), json={"name": "ok", "powerup": 1})
        assert r.status_code == 400
        assert r.json() == [
            {
                "error": {
                    "type": 6,
                    "address": "/lights/1/powerup",
                    "description": "parameter, powerup, not available",
                }
            }
        ]
        assert (await rig.client.get(rig.url("/1"))).json()["name"] == "Extended color light 1"


async def test_rename_without_a_name_is_error_5(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        r = await rig.client.put(rig.url("/1"), json={})
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 5


async def test_two_lights_may_share_a_name(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        await rig.service.discovered(discovered(2), may_add=True)
        await rig.client.put(rig.url("/1"), json={"name": "Lamp"})
        r = await rig.client.put(rig.url("/2"), json={"name": "Lamp"})
        assert r.json() == [{"success": {"/lights/2/name": "Lamp"}}]


async def test_a_new_name_survives_a_restart(database_url):
    async with lights_rig(database_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        await rig.client.put(rig.url("/1"), json={"name": "Kitchen"})
    async with lights_rig(database_url) as rig:
        assert (await rig.client.get(rig.url("/1"))).json()["name"] == "Kitchen"


# -- delete --------------------------------------------------------------------------------------


async def test_delete_removes_the_light_and_answers_its_id(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        r = await rig.client.delete(rig.url("/1"))
        assert r.status_code == 200
        assert r.json() == [{"success": {"id": "1"}}]
        assert (await rig.client.get(rig.url("/1"))).status_code == 404
        assert rig.transport.left == []


async def test_delete_with_reset_asks_the_device_to_leave(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        found = discovered(1)
        await rig.service.discovered(found, may_add=True)
        r = await rig.client.request("DELETE", rig.url("/1"), json={"reset": True})
        assert r.json() == [{"success": {"id": "1"}}]
        assert rig.transport.left == [found.address]


async def test_delete_with_reset_and_the_radio_down_keeps_the_light(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        rig.transport.up = False
        r = await rig.client.request("DELETE", rig.url("/1"), json={"reset": True})
        assert r.status_code == 503
        assert r.json()[0]["error"]["type"] == 950
        assert (await rig.client.get(rig.url("/1"))).status_code == 200


async def test_delete_with_a_non_boolean_reset_is_error_7_and_keeps_the_light(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        r = await rig.client.request("DELETE", rig.url("/1"), json={"reset": "yes"})
        assert r.status_code == 400
        assert r.json()[0]["error"]["type"] == 7
        assert (await rig.client.get(rig.url("/1"))).status_code == 200


async def test_a_deleted_lights_id_is_never_reused(database_url):
    async with lights_rig(database_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        await rig.service.discovered(discovered(2), may_add=True)
        await rig.client.delete(rig.url("/2"))
    async with lights_rig(database_url) as rig:
        await rig.service.discovered(discovered(3), may_add=True)
        assert sorted((await rig.client.get(rig.url())).json()) == ["1", "3"]


async def test_a_deleted_light_that_is_paired_again_gets_a_new_id(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        await rig.client.delete(rig.url("/1"))
        await rig.service.discovered(discovered(1), may_add=True)
        assert list((await rig.client.get(rig.url())).json()) == ["2"]


async def test_delete_unknown_light_is_404(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        assert (await rig.client.delete(rig.url("/9"))).status_code == 404


async def test_removing_a_known_light_from_all_groups_succeeds(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        r = await rig.client.delete(rig.url("/1/groups"))
        assert r.json() == [{"success": {"id": "1"}}]


async def test_removing_a_known_light_from_all_scenes_succeeds(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        await rig.service.discovered(discovered(1), may_add=True)
        r = await rig.client.delete(rig.url("/1/scenes"))
        assert r.json() == [{"success": {"id": "1"}}]


async def test_groups_and_scenes_of_an_unknown_light_are_404(sqlite_url):
    async with lights_rig(sqlite_url) as rig:
        assert (await rig.client.delete(rig.url("/4/groups"))).status_code == 404
        assert (await rig.client.delete(rig.url("/4/scenes"))).status_code == 404

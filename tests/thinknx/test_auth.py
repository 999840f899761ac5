"""Authentication: Basic, Digest (RFC 7616, MD5, qop=auth), query credentials; 401/403."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging

import httpx
import pytest

from tests.thinknx.conftest import PASSWORD, USER

LIGHT = "living_room_light"
POWER_ON = f"/api/V1/power?guid={LIGHT}&cmd=1"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _challenge(response: httpx.Response) -> dict[str, str]:
    [digest] = [v for v in response.headers.get_list("www-authenticate") if v.startswith("Digest")]
    fields = {}
    for part in digest[len("Digest ") :].split(", "):
        key, _, value = part.partition("=")
        fields[key] = value.strip('"')
    return fields


def _digest_header(challenge: dict[str, str], uri: str, *, password: str = PASSWORD,
                   nc: str = "00000001", method: str = "GET") -> str:  # fmt: skip
    ha1 = _md5(f"{USER}:{challenge['realm']}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    response = _md5(f"{ha1}:{challenge['nonce']}:{nc}:abcdef:auth:{ha2}")
    return (
        f'Digest username="{USER}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", '
        f'uri="{uri}", qop=auth, nc={nc}, cnonce="abcdef", response="{response}", '
        f'opaque="{challenge["opaque"]}", algorithm=MD5'
    )


async def test_basic_credentials_are_accepted(rig):
    r = await rig.client.get(POWER_ON)
    assert r.status_code == 200


async def test_digest_with_httpx_digest_auth_is_accepted_and_sends_one_telegram(rig):
    client = rig.new_client(auth=httpx.DigestAuth(USER, PASSWORD))
    mark = rig.mark()
    r = await client.get(POWER_ON + "&auth=digest")
    assert r.status_code == 200
    assert r.json() == {"namespace": "power", "guid": LIGHT, "comm_obj": 1}
    assert len(rig.sent_since(mark)) == 1  # the 401 round trip sent nothing


async def test_digest_client_reuses_its_nonce_for_the_next_request(rig):
    seen: list[int] = []
    client = rig.new_client(
        auth=httpx.DigestAuth(USER, PASSWORD),
        event_hooks={"response": [lambda r: _record(seen, r)]},
    )
    await client.get(POWER_ON)
    await client.get(POWER_ON)
    assert seen == [401, 200, 200]


async def _record(seen: list[int], response: httpx.Response) -> None:
    seen.append(response.status_code)


async def test_digest_with_a_wrong_password_is_403_and_sends_nothing(rig):
    client = rig.new_client(auth=httpx.DigestAuth(USER, "wrong-password"))
    mark = rig.mark()
    r = await client.get(POWER_ON)
    assert (r.status_code, r.json()) == (403, {"error": "authentication failed"})
    assert rig.sent_since(mark) == []


async def test_an_expired_nonce_gets_a_stale_challenge_and_the_client_retries(make_rig):
    rig = await make_rig(nonce_lifetime=0.3)
    seen: list[httpx.Response] = []

    async def record(response: httpx.Response) -> None:
        seen.append(response)

    client = rig.new_client(auth=httpx.DigestAuth(USER, PASSWORD),
                            event_hooks={"response": [record]})  # fmt: skip
    assert (await client.get(POWER_ON)).status_code == 200
    await asyncio.sleep(0.4)
    assert (await client.get(POWER_ON)).status_code == 200
    statuses = [r.status_code for r in seen]
    assert statuses == [401, 200, 401, 200]
    assert "stale=true" in seen[2].headers["www-authenticate"]


async def test_a_replayed_digest_answer_is_not_executed_twice(rig):
    plain = rig.new_client()
    challenge = _challenge(await plain.get(POWER_ON))
    header = _digest_header(challenge, POWER_ON)
    mark = rig.mark()
    first = await plain.get(POWER_ON, headers={"Authorization": header})
    replay = await plain.get(POWER_ON, headers={"Authorization": header})
    assert first.status_code == 200
    assert replay.status_code == 401
    assert "stale=true" in replay.headers["www-authenticate"]
    assert len(rig.sent_since(mark)) == 1


async def test_a_digest_answer_for_another_uri_is_403(rig):
    plain = rig.new_client()
    challenge = _challenge(await plain.get(POWER_ON))
    header = _digest_header(challenge, f"/api/V1/power?guid={LIGHT}&cmd=0")
    r = await plain.get(POWER_ON, headers={"Authorization": header})
    assert (r.status_code, r.json()) == (403, {"error": "authentication failed"})


async def test_digest_works_for_post_with_a_form_body(rig):
    client = rig.new_client(auth=httpx.DigestAuth(USER, PASSWORD))
    r = await client.post("/api/V1/power", data={"guid": LIGHT, "cmd": "1"})
    assert r.json() == {"namespace": "power", "guid": LIGHT, "comm_obj": 1}


async def test_missing_credentials_get_401_with_digest_and_basic_challenges_and_send_nothing(rig):
    mark = rig.mark()
    r = await rig.new_client().get(POWER_ON)
    assert (r.status_code, r.json()) == (401, {"error": "authentication required"})
    challenges = r.headers.get_list("www-authenticate")
    assert [c.split(" ")[0] for c in challenges] == ["Digest", "Basic"]
    assert 'qop="auth"' in challenges[0] and "algorithm=MD5" in challenges[0]
    assert rig.sent_since(mark) == []


@pytest.mark.parametrize(("auth", "scheme"), [("digest", "Digest"), ("basic", "Basic")])
async def test_the_auth_parameter_selects_the_challenge(rig, auth, scheme):
    r = await rig.new_client().get(POWER_ON + f"&auth={auth}")
    assert [c.split(" ")[0] for c in r.headers.get_list("www-authenticate")] == [scheme]


async def test_basic_with_a_wrong_password_is_403_and_sends_nothing(rig):
    mark = rig.mark()
    r = await rig.new_client(auth=httpx.BasicAuth(USER, "wrong-password")).get(POWER_ON)
    assert (r.status_code, r.json()) == (403, {"error": "authentication failed"})
    assert rig.sent_since(mark) == []


async def test_an_unknown_user_is_403(rig):
    r = await rig.new_client(auth=httpx.BasicAuth("nobody", PASSWORD)).get(POWER_ON)
    assert (r.status_code, r.json()) == (403, {"error": "authentication failed"})


async def test_a_malformed_basic_header_is_403(rig):
    r = await rig.new_client().get(POWER_ON, headers={"Authorization": "Basic not-base64!"})
    assert r.status_code == 403


async def test_basic_credentials_work_even_when_the_url_says_auth_digest(rig):
    # curl and requests turn http://user:pass@host URLs into Basic whatever auth= says.
    r = await rig.client.get(POWER_ON + "&auth=digest")
    assert r.status_code == 200


async def test_query_credentials_are_accepted(rig):
    r = await rig.new_client().get(POWER_ON + f"&auth=basic&user={USER}&pass={PASSWORD}")
    assert r.json() == {"namespace": "power", "guid": LIGHT, "comm_obj": 1}


async def test_query_credentials_with_a_wrong_password_are_403_and_send_nothing(rig):
    mark = rig.mark()
    r = await rig.new_client().get(POWER_ON + f"&auth=basic&user={USER}&pass=nope")
    assert (r.status_code, r.json()) == (403, {"error": "authentication failed"})
    assert rig.sent_since(mark) == []


async def test_query_credentials_in_a_post_form_body_are_accepted(rig):
    r = await rig.new_client().post(
        "/api/V1/power",
        data={"guid": LIGHT, "cmd": "1", "auth": "basic", "user": USER, "pass": PASSWORD},
    )
    assert r.status_code == 200


async def test_query_credentials_decide_over_a_valid_authorization_header(rig):
    r = await rig.client.get(POWER_ON + f"&user={USER}&pass=nope")
    assert r.status_code == 403


async def test_authentication_comes_before_device_lookup(rig):
    r = await rig.new_client().get("/api/V1/power?guid=unknown&cmd=1")
    assert r.status_code == 401


async def test_passwords_never_reach_the_logs(rig, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Sup3r-secret-value"
    plain = rig.new_client()
    await plain.get(POWER_ON + f"&auth=basic&user={USER}&pass={secret}")
    token = base64.b64encode(f"{USER}:{secret}".encode()).decode()
    await plain.get(POWER_ON, headers={"Authorization": f"Basic {token}"})
    await rig.new_client(auth=httpx.DigestAuth(USER, secret)).get(POWER_ON)
    # Everything the server side logs (the test's own HTTP client logs its URLs: not ours).
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    text = "\n".join(r.getMessage() for r in server)
    assert "event=thinknx_auth_failed" in text
    assert secret not in text and token not in text


async def test_a_changed_password_stops_the_old_one_at_once(rig):
    assert (await rig.client.get(POWER_ON)).status_code == 200  # the old password is cached
    await rig.stack.users.add(USER, "a-new-password")
    assert (await rig.client.get(POWER_ON)).status_code == 403
    fresh = rig.new_client(auth=httpx.BasicAuth(USER, "a-new-password"))
    assert (await fresh.get(POWER_ON)).status_code == 200


async def test_a_removed_user_is_refused_at_once(rig):
    assert (await rig.client.get(POWER_ON)).status_code == 200
    await rig.stack.users.remove(USER)
    assert (await rig.client.get(POWER_ON)).status_code == 403


async def test_a_digest_answer_without_qop_gets_a_new_challenge_and_sends_nothing(rig):
    plain = rig.new_client()
    challenge = _challenge(await plain.get(POWER_ON))
    ha1 = _md5(f"{USER}:{challenge['realm']}:{PASSWORD}")
    response = _md5(f"{ha1}:{challenge['nonce']}:{_md5('GET:' + POWER_ON)}")  # RFC 2069
    header = (
        f'Digest username="{USER}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", '
        f'uri="{POWER_ON}", response="{response}"'
    )
    mark = rig.mark()
    r = await plain.get(POWER_ON, headers={"Authorization": header})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Digest ")
    assert rig.sent_since(mark) == []

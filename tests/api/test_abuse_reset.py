"""``config/reset`` is cheap: it took 17.9 s (once timed out at 20 s) under the fuzzer.

Profiled (cProfile, 20 resets): 5.2 s of 7.5 s were ``hashlib.scrypt``, because a reset with
``deleteDB`` built a whole default configuration, hashing the default admin password on the
event loop (~0.5 s per call on a loaded machine), only to throw the hash away.
"""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest

from tests.helpers.fakes import FakeNetwork
from tests.helpers.harness import ADMIN_PASSWORD, basic, harness
from tests.helpers.servers import running_server


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


async def test_config_reset_hashes_no_password_and_is_quick(sqlite_url, scrypt_calls):
    async with harness(sqlite_url, network=FakeNetwork()) as h, running_server(h.app) as base:
        key = await h.new_key()
        await h.services.config.update(name="renamed", groupdelay=700)
        scrypt_calls.clear()
        async with httpx.AsyncClient(base_url=base, timeout=20) as client:
            started = time.monotonic()
            for body in ({"deleteDB": True}, {"resetGW": True, "deleteDB": True}) * 5:
                r = await client.post(f"/api/{key}/config/reset", json=body)
                assert r.status_code == 200, r.text
            elapsed = time.monotonic() - started
            config = (await client.get(f"/api/{key}/config")).json()
        assert scrypt_calls == []
        assert (config["name"], config["groupdelay"]) == ("gateway", 50)
        assert elapsed < 5.0  # was ~0.5 s of scrypt per reset on a loaded machine
        # The admin password is kept (deleteDB keeps credentials, as documented).
        assert await h.services.config.check_admin_token(basic("delight", ADMIN_PASSWORD))

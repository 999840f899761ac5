"""The page's HTTP side over a real uvicorn socket: assets, /description.xml, and our KNX and
backup extensions of the deCONZ API (KNX against the KNX emulator over a real tunnel)."""

from __future__ import annotations

import asyncio
import io
import json
import re
import tarfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import websockets

from gateway.api.deconz.app import build_deconz_app
from gateway.api.deconz.backup import BACKUP_ROUTES
from gateway.api.deconz.knx_status import KNX_ROUTES
from gateway.api.deconz.routes import ROUTES
from gateway.api.web import STATIC_DIR
from gateway.app.web_side import page_routes
from gateway.backup import BackupService, apply_pending_restore
from gateway.knx.catalogue import catalogue_of
from gateway.knx.catalogue_file import load_file
from gateway.knx.feed import KnxFeed
from gateway.knx.link import KnxLink, LinkState
from gateway.settings import KnxSection
from hil.emulators.knx import KnxEmulator, default_devices
from hil.virtual_knx import VIRTUAL_CATALOGUE
from tests.helpers.harness import DeconzHarness, build_harness
from tests.helpers.servers import running_server

STATIC_BUDGET = 100 * 1024  # what a Pi 3 downloads for the whole page


@dataclass
class Served:
    harness: DeconzHarness
    url: str
    key: str
    state_dir: Path


@pytest.fixture
async def served(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    h = await build_harness(sqlite_url)
    app = build_deconz_app(
        h.services,
        routes=[*ROUTES, *KNX_ROUTES, *BACKUP_ROUTES],
        extra_routes=page_routes(h.services.config),
    )
    key = await h.new_key("page#test")
    try:
        async with running_server(app) as url:
            yield Served(h, url, key, tmp_path)
    finally:
        await h.client.aclose()
        await h.store.close()


# -- the page's assets ---------------------------------------------------------------------


async def test_the_page_and_every_module_it_imports_are_served_with_no_cdn(served):
    async with httpx.AsyncClient(base_url=served.url) as client:
        page = await client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-cache"
        wanted = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text))
        seen: set[str] = set()
        while wanted:
            path = wanted.pop()
            seen.add(path)
            asset = await client.get(path)
            assert asset.status_code == 200, path
            if path.endswith(".js"):
                assert "javascript" in asset.headers["content-type"]
                base = path.rsplit("/", 1)[0]
                for rel in re.findall(r'from "(\./[^"]+|\.\./[^"]+)"', asset.text):
                    target = str(Path(base) / rel).replace("\\", "/")
                    target = str(Path(target).resolve().relative_to(Path("/").resolve()))
                    if "/" + target not in seen:
                        wanted.add("/" + target)
        assert "/static/js/views/lights.js" in seen and "/static/css/style.css" in seen
        assert (await client.get("/docs")).status_code == 200
        missing = await client.get("/static/js/nope.js")
        assert missing.status_code == 404
        assert missing.json()[0]["error"]["type"] == 3


def test_assets_are_small_and_name_no_outside_host():
    files = [p for p in STATIC_DIR.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    assert total < STATIC_BUDGET, f"{total} bytes"
    for path in files:
        text = path.read_text()
        assert not re.search(r"https?://(?!\$\{)", text), f"{path.name} loads from elsewhere"


async def test_description_xml_follows_the_name_and_the_address_asked(served):
    services = served.harness.services
    await services.config.update(name="Attic")
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{served.url}/description.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    port = served.url.rsplit(":", 1)[1]
    assert f"<URLBase>http://127.0.0.1:{port}/</URLBase>" in r.text
    assert "<friendlyName>Attic (127.0.0.1)</friendlyName>" in r.text
    assert f"<serialNumber>{services.config.bridgeid}</serialNumber>" in r.text
    assert f"<UDN>uuid:{services.config.current.uuid}</UDN>" in r.text


# -- KNX extension -------------------------------------------------------------------------


@pytest.fixture
async def knx(served) -> AsyncIterator[tuple[KnxLink, KnxFeed]]:
    emulator = KnxEmulator(default_devices())
    await emulator.start()
    link = KnxLink(
        KnxSection(
            mode="tunnel_udp",
            gateway_host="127.0.0.1",
            gateway_port=emulator.port,
            probe_interval=0.3,
            request_timeout=1.0,
        )
    )
    await link.start()
    await link.wait_for_state(LinkState.CONNECTED, 10)
    devices, _ = load_file(VIRTUAL_CATALOGUE)
    catalogue = catalogue_of(devices, source="test", sha256="", loaded_at=None)
    feed = KnxFeed(link, lambda: catalogue)
    feed.start()
    served.harness.services.knx_feed = feed
    try:
        yield link, feed
    finally:
        await feed.stop()
        await link.stop()
        await emulator.stop()


async def test_without_a_knx_link_the_extension_answers_error_3(served):
    async with httpx.AsyncClient(base_url=f"{served.url}/api/{served.key}") as client:
        for path in ("/knx", "/knx/telegrams", "/backup"):
            r = await client.get(path)
            assert r.status_code == 404
            assert r.json()[0]["error"]["type"] == 3


async def test_knx_state_devices_and_decoded_telegrams(served, knx):
    link, _ = knx
    async with httpx.AsyncClient(base_url=f"{served.url}/api/{served.key}") as client:
        await link.write("1/1/3", "5.001", 40)  # the dining dimmer's brightness, in percent
        for _ in range(100):
            history = (await client.get("/knx/telegrams")).json()
            if any(t["destination"] == "1/1/4" for t in history):
                break
            await asyncio.sleep(0.05)
        body = (await client.get("/knx")).json()
        unauthorized = await client.get(f"{served.url}/api/0000000000/knx")
    out = next(t for t in history if t["destination"] == "1/1/3")
    assert out["direction"] == "out" and out["kind"] == "write"
    assert out["value"] == 40 and out["unit"] == "%" and out["dpt"] == "5.001"
    assert out["device"] == "Dining room dimmer" and out["controller"] == "powerlevel"
    status = next(t for t in history if t["destination"] == "1/1/4")
    assert status["direction"] == "in" and status["source"] != out["source"]
    assert body["state"]["connected"] is True and body["state"]["counters"]["sent"] >= 1
    dimmer = body["devices"]["dining_dimmer"]
    assert dimmer["name"] == "Dining room dimmer"
    assert dimmer["controllers"]["powerlevel"]["value"] == status["value"]
    assert unauthorized.json()[0]["error"]["type"] == 1


async def test_the_monitor_websocket_streams_new_telegrams_and_refuses_a_wrong_key(served, knx):
    link, feed = knx
    ws_url = served.url.replace("http://", "ws://")
    async with websockets.connect(f"{ws_url}/api/{served.key}/knx/monitor") as socket:
        for _ in range(100):
            if feed.watcher_count:
                break
            await asyncio.sleep(0.02)
        await link.write("1/0/3", "1.001", 1)
        seen = []
        while not any(m["telegram"]["destination"] == "1/0/4" for m in seen):
            seen.append(json.loads(await asyncio.wait_for(socket.recv(), 5)))
    assert all(m["e"] == "knx" for m in seen)
    assert seen[0]["telegram"]["destination"] == "1/0/3"
    assert seen[0]["telegram"]["device"] == "Kitchen light"
    for _ in range(100):
        if feed.watcher_count == 0:
            break
        await asyncio.sleep(0.02)
    assert feed.watcher_count == 0  # a closed page leaves nothing behind
    async with websockets.connect(f"{ws_url}/api/not-a-key/knx/monitor") as refused:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(refused.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


# -- backup extension ----------------------------------------------------------------------


@pytest.fixture
def backups(served, sqlite_url) -> BackupService:
    network = served.state_dir / "zigbee-backups" / "network-backup.json"
    network.parent.mkdir(parents=True)
    network.write_text(json.dumps({"metadata": {"format": "zigpy/open-coordinator-backup"}}))
    service = BackupService(served.state_dir, sqlite_url, network, "test")
    served.harness.services.backup = service
    return service


async def test_backup_download_holds_the_database_and_the_network(served, backups):
    await served.harness.services.config.update(name="Before")
    async with httpx.AsyncClient(base_url=f"{served.url}/api/{served.key}") as client:
        info = (await client.get("/backup")).json()
        r = await client.get("/backup/download")
    assert info == {"database": "sqlite", "available": True, "network": True, "pending": False}
    assert r.status_code == 200 and r.headers["content-type"] == "application/gzip"
    assert "attachment" in r.headers["content-disposition"]
    with tarfile.open(fileobj=io.BytesIO(r.content), mode="r:gz") as archive:
        names = sorted(archive.getnames())
        manifest = json.load(archive.extractfile("manifest.json"))
    assert names == ["gateway.db", "manifest.json", "network-backup.json"]
    assert manifest["format"] == 1 and manifest["version"] == "test"


async def test_a_bad_upload_is_error_7_and_stages_nothing(served, backups):
    evil = io.BytesIO()
    with tarfile.open(fileobj=evil, mode="w:gz") as archive:
        info = tarfile.TarInfo("../escape")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    async with httpx.AsyncClient(base_url=f"{served.url}/api/{served.key}") as client:
        for body in (b"not an archive", evil.getvalue()):
            r = await client.post("/backup/restore", content=body)
            assert r.status_code == 400
            assert r.json()[0]["error"]["type"] == 7
    assert not backups.pending_dir.exists()
    assert not (served.state_dir.parent / "escape").exists()
    assert [p.name for p in served.state_dir.iterdir() if p.name.startswith(".restore")] == []


async def test_a_restore_is_staged_then_applied_before_the_next_start(served, backups, sqlite_url):
    config = served.harness.services.config
    await config.update(name="Saved")
    async with httpx.AsyncClient(base_url=f"{served.url}/api/{served.key}") as client:
        archive = (await client.get("/backup/download")).content
        await config.update(name="Changed later")
        r = await client.post("/backup/restore", content=archive)
        assert r.status_code == 200, r.text
        assert (await client.get("/backup")).json()["pending"] is True
        # Nothing changes until the next start.
        assert (await client.get("/config")).json()["name"] == "Changed later"
    await served.harness.store.close()  # the gateway stops; at its next start:
    assert apply_pending_restore(served.state_dir, sqlite_url, backups.network_file)
    assert not backups.pending_dir.exists()
    again = await build_harness(sqlite_url)
    try:
        assert again.services.config.current.name == "Saved"
    finally:
        await again.client.aclose()
        await again.store.close()

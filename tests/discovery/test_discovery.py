"""Discovery as apps see it: SSDP M-SEARCH and mDNS answers in a private network namespace,
and the device description Home Assistant's deCONZ discovery matches on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gateway.discovery import BridgeIdentity, description_xml

ROOT = Path(__file__).resolve().parents[2]
BRIDGEID = "00212EFFFF0A0B0C"
UUID = "5e4d3c2b-0000-4000-8000-000000000001"
NS = {"u": "urn:schemas-upnp-org:device-1-0"}


def run_in_netns(*protocols: str, port: int = 8080) -> dict:
    """The probe (tests/discovery/netns_probe.py) in a fresh network namespace: only lo."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs root with unshare and ip (util-linux, iproute2) for a private netns")
    setup = (
        "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && "
        f"exec {sys.executable} -m tests.discovery.netns_probe "
        f"{BRIDGEID} gateway {UUID} {port} {' '.join(protocols)}"
    )
    done = subprocess.run(
        ["unshare", "-n", "sh", "-c", setup],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_m_search_and_mdns_query_get_the_gateway_with_its_rest_port_and_bridge_id():
    found = run_in_netns("ssdp", "mdns", port=8123)
    assert found["announcing"] == ["mdns", "ssdp"]
    [root] = found["rootdevice"]
    assert root["_status"] == "HTTP/1.1 200 OK"
    assert root["ST"] == "upnp:rootdevice"
    assert root["USN"] == f"uuid:{UUID}::upnp:rootdevice"
    # HA's deCONZ flow takes host and port from LOCATION: it must be the REST port.
    assert root["LOCATION"] == "http://127.0.0.1:8123/description.xml"
    [basic] = found["basic"]
    assert basic["ST"] == "urn:schemas-upnp-org:device:Basic:1"
    assert found["other"] == []  # a search for something else gets no answer
    mdns = found["mdns"]
    assert mdns["resolved"] is True
    assert mdns["name"].endswith("._hue._tcp.local.")
    assert mdns["port"] == 8123
    assert mdns["addresses"] == ["127.0.0.1"]
    assert mdns["properties"] == {"bridgeid": BRIDGEID.lower(), "modelid": "BSB002"}


def test_switched_off_protocols_do_not_answer():
    found = run_in_netns("mdns")
    assert found["announcing"] == ["mdns"]
    assert found["rootdevice"] == [] and found["basic"] == []
    assert found["mdns"]["resolved"] is True
    found = run_in_netns()
    assert found["announcing"] == []
    assert found["rootdevice"] == [] and found["mdns"] is None


def test_description_carries_what_home_assistants_deconz_discovery_matches():
    identity = BridgeIdentity(BRIDGEID, "Living", UUID, "192.0.2.7", 80)
    root = ET.fromstring(description_xml(identity))
    device = root.find("u:device", NS)
    assert device is not None

    def field(name: str) -> str | None:
        return device.findtext(f"u:{name}", namespaces=NS)

    # homeassistant/components/deconz/manifest.json "ssdp" matcher:
    assert field("manufacturer") == "Royal Philips Electronics"
    assert field("manufacturerURL") == "http://www.dresden-elektronik.de"
    # config_flow.async_step_ssdp: bridge id from serialNumber.
    assert field("serialNumber") == BRIDGEID
    assert field("modelName") == "Philips hue bridge 2015"
    assert field("modelDescription") == "Philips hue Personal Wireless Lighting"
    assert field("UDN") == f"uuid:{UUID}"
    assert field("deviceType") == "urn:schemas-upnp-org:device:Basic:1"
    assert root.findtext("u:URLBase", namespaces=NS) == "http://192.0.2.7:80/"
    assert field("friendlyName") == "Living (192.0.2.7)"


def test_description_escapes_a_name_with_markup():
    identity = BridgeIdentity(BRIDGEID, "<b>&", UUID, "192.0.2.7", 80)
    root = ET.fromstring(description_xml(identity))
    assert root.findtext("u:device/u:friendlyName", namespaces=NS) == "<b>& (192.0.2.7)"

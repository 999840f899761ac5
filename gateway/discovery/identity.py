"""Who the gateway says it is on the LAN, and its UPnP device description.

Why the Hue/deCONZ wording: clients match on it. A deCONZ gateway describes itself as a
Hue bridge made by "Royal Philips Electronics" (what Hue apps expect) with the
``manufacturerURL`` of dresden elektronik (what tells Home Assistant it is deCONZ, not a
Hue bridge); we say the same so those apps offer to set the gateway up. The description is
rendered by async-upnp-client's own serializer from the same device definition the SSDP
responder announces, so the two cannot disagree.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from async_upnp_client.const import DeviceInfo
from async_upnp_client.server import NopRequester, UpnpServerDevice, UpnpXmlSerializer

DESCRIPTION_PATH = "/description.xml"
DEVICE_TYPE = "urn:schemas-upnp-org:device:Basic:1"
MANUFACTURER = "Royal Philips Electronics"
MANUFACTURER_URL = "http://www.dresden-elektronik.de"
MODEL_NAME = "Philips hue bridge 2015"
MODEL_NUMBER = "BSB002"
MODEL_DESCRIPTION = "Philips hue Personal Wireless Lighting"
MODEL_URL = "http://www.meethue.com"
HUE_MODEL_ID = "BSB002"


@dataclass(frozen=True)
class BridgeIdentity:
    """What discovery tells: bridge id (16 hex digits), name, stable uuid, REST address."""

    bridgeid: str
    name: str
    uuid: str
    host: str  # the IP address clients should use
    port: int  # the REST API port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def udn(self) -> str:
        return f"uuid:{self.uuid}"


def device_info(identity: BridgeIdentity) -> DeviceInfo:
    """The UPnP root device for ``identity`` (no services: discovery is all it is for)."""
    return DeviceInfo(
        device_type=DEVICE_TYPE,
        friendly_name=f"{identity.name} ({identity.host})",
        manufacturer=MANUFACTURER,
        manufacturer_url=MANUFACTURER_URL,
        model_description=MODEL_DESCRIPTION,
        model_name=MODEL_NAME,
        model_number=MODEL_NUMBER,
        model_url=MODEL_URL,
        serial_number=identity.bridgeid,
        udn=identity.udn,
        upc=None,
        presentation_url="index.html",
        url=DESCRIPTION_PATH,
        icons=[],
        xml=ET.Element("device"),
    )


def upnp_device(identity: BridgeIdentity) -> UpnpServerDevice:
    """A server-side device object, as async-upnp-client's SSDP responder wants one."""
    device_class = type(
        "GatewayBridge",
        (UpnpServerDevice,),
        {"DEVICE_DEFINITION": device_info(identity), "EMBEDDED_DEVICES": [], "SERVICES": []},
    )
    device: UpnpServerDevice = device_class(NopRequester(), identity.base_url)
    return device


def description_xml(identity: BridgeIdentity) -> bytes:
    """``/description.xml``: the UPnP device description, with ``URLBase`` as Hue gives it."""
    root = UpnpXmlSerializer.to_xml(upnp_device(identity))
    url_base = ET.Element("URLBase")
    url_base.text = identity.base_url + "/"
    root.insert(1, url_base)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body

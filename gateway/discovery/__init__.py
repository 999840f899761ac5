"""How apps find the gateway on the LAN: SSDP (UPnP) and mDNS, as a deCONZ gateway answers.

Home Assistant's deCONZ integration listens for SSDP and matches the device description
(``/description.xml``) on ``manufacturerURL`` ``http://www.dresden-elektronik.de``; it takes
the bridge id from ``serialNumber`` and the REST port from the SSDP ``LOCATION``. Hue apps
and Home Assistant's Hue discovery browse mDNS for ``_hue._tcp`` with ``bridgeid`` and
``modelid`` TXT records. ``gateway.discovery.service.Discovery`` runs both, each switched by
``[discovery] ssdp`` / ``mdns``.
"""

from gateway.discovery.identity import BridgeIdentity, description_xml
from gateway.discovery.service import Discovery
from gateway.discovery.source import identity_source

__all__ = ["BridgeIdentity", "Discovery", "description_xml", "identity_source"]

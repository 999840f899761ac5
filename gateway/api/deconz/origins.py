"""Which browser pages may open the deCONZ websocket: the gateway's own, and no other.

Why: deCONZ serves its websocket to anyone on the LAN without a key, and native clients
(pydeconz/Home Assistant, Phoscon apps, scripts) rely on that; they send no ``Origin``
header. A browser always sends one, so without a check any web page a user on the LAN
happens to open could read every event of the house. The rule:

* no ``Origin``: a native client, allowed (deCONZ's open behaviour);
* an ``Origin`` whose host is the host the request was sent to (``Host``, port aside: the
  page is on the REST port, the websocket on its own), and that host is an IP literal,
  ``localhost``, a ``.local`` name or a single-label LAN name: the gateway's own page,
  allowed. The last condition keeps a DNS-rebinding page (``evil.example`` resolving to
  the gateway) out, since its Host is then its own public name;
* anything else (another host, ``null``, a malformed value): refused with 403.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def _hostname(authority: str) -> str | None:
    """``host``, ``host:port``, ``[v6]:port`` -> lower-case host; None if malformed."""
    try:
        host = urlsplit("//" + authority.strip()).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _is_lan_name(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(".local") or "." not in host
    return True


def origin_allowed(origin: str | None, host_header: str | None) -> bool:
    """True when a websocket handshake with these headers may be accepted."""
    if origin is None:
        return True
    try:
        parts = urlsplit(origin.strip())
        origin_host = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not origin_host:
        return False
    own = _hostname(host_header or "")
    return own is not None and origin_host.lower() == own and _is_lan_name(own)

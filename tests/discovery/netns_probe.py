"""Runs inside a private network namespace (``unshare -n``): starts the gateway's discovery
on loopback, then asks as a client would — an SSDP M-SEARCH and an mDNS query — and prints
what came back as one JSON line. Never touches the real LAN.

Usage: python -m tests.discovery.netns_probe BRIDGEID NAME UUID PORT [ssdp] [mdns]
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys

from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from gateway.discovery import BridgeIdentity, Discovery
from gateway.discovery.mdns import SERVICE_TYPE
from gateway.settings import DiscoverySection

SSDP = ("239.255.255.250", 1900)


async def m_search(target: str, mx: int = 1) -> list[dict[str, str]]:
    """Send one M-SEARCH from loopback and collect the unicast answers for mx+1 s."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    request = (
        "M-SEARCH * HTTP/1.1\r\n"
        f"HOST: {SSDP[0]}:{SSDP[1]}\r\n"
        'MAN: "ssdp:discover"\r\n'
        f"MX: {mx}\r\n"
        f"ST: {target}\r\n\r\n"
    ).encode()
    sock.sendto(request, SSDP)
    loop = asyncio.get_running_loop()
    answers = []
    deadline = loop.time() + mx + 0.6
    while (left := deadline - loop.time()) > 0:
        try:
            data = await asyncio.wait_for(loop.sock_recv(sock, 4096), left)
        except TimeoutError:
            break
        lines = data.decode().split("\r\n")
        headers = {"_status": lines[0]}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().upper()] = value.strip()
        answers.append(headers)
    sock.close()
    return answers


async def mdns_lookup(bridgeid: str) -> dict[str, object] | None:
    client = AsyncZeroconf(interfaces=["127.0.0.1"])
    try:
        names: list[str] = []
        from zeroconf.asyncio import AsyncServiceBrowser

        class Listener:
            def add_service(self, zc, type_, name):
                names.append(name)

            def update_service(self, zc, type_, name):
                pass

            def remove_service(self, zc, type_, name):
                pass

        browser = AsyncServiceBrowser(client.zeroconf, SERVICE_TYPE, listener=Listener())
        for _ in range(50):
            if names:
                break
            await asyncio.sleep(0.1)
        await browser.async_cancel()
        if not names:
            return None
        info = AsyncServiceInfo(SERVICE_TYPE, names[0])
        if not await info.async_request(client.zeroconf, 3000):
            return {"name": names[0], "resolved": False}
        return {
            "name": names[0],
            "resolved": True,
            "port": info.port,
            "addresses": info.parsed_addresses(),
            "properties": {k.decode(): (v or b"").decode() for k, v in info.properties.items()},
        }
    finally:
        await client.async_close()


async def main(argv: list[str]) -> None:
    bridgeid, name, uuid, port = argv[:4]
    wanted = set(argv[4:])
    identity = BridgeIdentity(bridgeid, name, uuid, "127.0.0.1", int(port))
    settings = DiscoverySection(ssdp="ssdp" in wanted, mdns="mdns" in wanted)
    discovery = Discovery(settings, lambda: identity)
    await discovery.start()
    result: dict[str, object] = {"announcing": discovery.announcing}
    try:
        result["rootdevice"] = await m_search("upnp:rootdevice")
        result["basic"] = await m_search("urn:schemas-upnp-org:device:Basic:1")
        result["other"] = await m_search("urn:schemas-upnp-org:device:MediaServer:1", mx=0)
        result["mdns"] = await mdns_lookup(bridgeid)
    finally:
        await discovery.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))

"""``GET /api/config`` shows the host's real addresses even under the unit's sandbox.

The unit runs with ``ProcSubset=pid`` (no ``/proc/net``) and a system-call filter; the
gateway reads its default route, address, netmask and MAC over rtnetlink instead. The
acceptance test builds a private network namespace with a veth pair of known addresses,
mounts ``/proc`` the way ``ProcSubset=pid`` does, applies the unit's syscall filter and
user, and compares what the gateway reads with what was configured.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.app import netlink
from tests.lifecycle.test_service_under_systemd import (
    REPO,
    SANDBOX_SKIP,
    SYSTEM_PYTHON,
    sandboxed,
)

ADDRESS, PREFIX, GATEWAY, MAC = "192.0.2.10", 24, "192.0.2.1", "02:11:22:33:44:55"
READ = (
    "import dataclasses, json; from gateway.app.hostinfo import read_system_info; "
    "print(json.dumps(dataclasses.asdict(read_system_info())))"
)
SETUP = (
    "set -e; ip link add v0 type veth peer name v1; "
    f"ip link set v0 address {MAC}; ip addr add {ADDRESS}/{PREFIX} dev v0; "
    "ip link set v0 up; ip link set v1 up; "
    f"ip route add default via {GATEWAY}; "
    "mount -t proc -o subset=pid proc /proc; "
    'test ! -e /proc/net/route || { echo "/proc/net/route still visible"; exit 3; }; '
    'exec "$@"'
)


def _namespace_skip_reason() -> str | None:
    if SANDBOX_SKIP is not None:
        return SANDBOX_SKIP
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "needs unshare (util-linux) and ip (iproute2)"
    probe = subprocess.run(
        [
            "unshare",
            "-n",
            "-m",
            "--propagation",
            "private",
            "ip",
            "link",
            "add",
            "v0",
            "type",
            "veth",
            "peer",
            "name",
            "v1",
        ],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        reason = probe.stderr.decode().strip()
        return f"cannot make a network namespace with a veth pair here: {reason}"
    return None


NAMESPACE_SKIP = _namespace_skip_reason()


@pytest.mark.skipif(NAMESPACE_SKIP is not None, reason=NAMESPACE_SKIP or "")
def test_addresses_are_read_with_proc_net_hidden_and_the_units_syscall_filter() -> None:
    site = next(p for p in sys.path if p.endswith("site-packages"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([site, str(REPO)])}
    command = [
        "unshare",
        "-n",
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        SETUP,
        "setup",
        *sandboxed(SYSTEM_PYTHON, "-c", READ),
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd="/", check=False)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["ipaddress"] == ADDRESS
    assert info["netmask"] == "255.255.255.0"
    assert info["gateway"] == GATEWAY
    assert info["mac"] == MAC


@pytest.mark.skipif(NAMESPACE_SKIP is not None, reason=NAMESPACE_SKIP or "")
def test_no_default_route_reports_loopback_instead_of_failing() -> None:
    site = next(p for p in sys.path if p.endswith("site-packages"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([site, str(REPO)])}
    result = subprocess.run(
        ["unshare", "-n", *sandboxed(SYSTEM_PYTHON, "-c", READ)],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ipaddress"] == "127.0.0.1"


def _route_message(dst_len: int, table: int, oif: int, gateway: str, metric: int) -> bytes:
    def attr(kind: int, value: bytes) -> bytes:
        raw = struct.pack("=HH", 4 + len(value), kind) + value
        return raw + b"\0" * (-len(raw) % 4)

    body = struct.pack("=BBBBBBBBI", socket.AF_INET, dst_len, 0, 0, table, 0, 0, 1, 0)
    body += attr(netlink.RTA_OIF, struct.pack("=i", oif))
    body += attr(netlink.RTA_GATEWAY, socket.inet_aton(gateway))
    body += attr(netlink.RTA_PRIORITY, struct.pack("=I", metric))
    return body


def test_the_default_route_with_the_lowest_metric_wins() -> None:
    routes = [
        _route_message(0, netlink.RT_TABLE_MAIN, 3, "10.0.0.1", 600),
        _route_message(24, netlink.RT_TABLE_MAIN, 4, "10.0.1.1", 0),  # not a default route
        _route_message(0, 200, 5, "10.0.2.1", 0),  # another table (policy routing)
        _route_message(0, netlink.RT_TABLE_MAIN, 2, "192.168.1.1", 100),
    ]
    assert netlink._default_route(routes) == (2, "192.168.1.1")


@given(st.binary(max_size=512))
def test_a_malformed_netlink_answer_is_an_error_not_a_crash(data: bytes) -> None:
    try:
        for _kind, payload in netlink.messages(data):
            netlink.attributes(payload, 0)
    except netlink.NetlinkError:
        pass


def test_the_gateway_no_longer_reads_proc_net() -> None:
    source = (Path(netlink.__file__).parent / "hostinfo.py").read_text()
    assert "/proc/net" not in source.replace("``/proc/net/route``", "")

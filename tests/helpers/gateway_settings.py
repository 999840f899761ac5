"""Settings for a gateway under test: everything in the test's directory, free ports, no
peers unless the test asks for one.

Why one place: several areas start a whole ``Gateway``; each used to build its own
environment, with the same base and its own few differences. Here is the base; a test
passes only what it changes (``GATEWAY_RADIO_KIND="virtual"`` ...).
"""

from __future__ import annotations

from pathlib import Path

from gateway.settings import Settings, load_settings
from tests.helpers.servers import free_port


def gateway_settings(tmp_path: Path, **env: str) -> Settings:
    """Settings read from an environment of our own (``env`` wins over the base); the
    config file is an empty one in ``tmp_path``, so the machine's own never counts."""
    base = {
        "GATEWAY_STATE_DIR": str(tmp_path / "state"),
        "GATEWAY_HTTP_HOST": "127.0.0.1",
        "GATEWAY_HTTP_PORT": str(free_port()),
        "GATEWAY_RADIO_KIND": "none",
        "GATEWAY_KNX_MODE": "none",
        "GATEWAY_THINKNX_ENABLED": "false",
        "GATEWAY_CONFIG": str(tmp_path / "absent.toml"),
    }
    (tmp_path / "absent.toml").write_text("")
    return load_settings(environ={**base, **env})

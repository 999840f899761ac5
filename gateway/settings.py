"""One typed settings object, read from a TOML file and ``GATEWAY_*`` environment variables.

Why one loader for everything: a gateway on a Pi is configured once, by a person editing
``/etc/gateway/gateway.toml``, and later tweaked by systemd drop-ins that set environment
variables. A typo in either must stop the service at start with one line naming the key and
the reason, instead of surfacing as a strange runtime failure hours later. So every key is
declared here with its type and range, unknown keys are errors, and the environment uses the
same names: ``GATEWAY_<SECTION>_<KEY>`` (``[http] port`` → ``GATEWAY_HTTP_PORT``); the
``[gateway]`` section drops its own name (``GATEWAY_STATE_DIR``, ``GATEWAY_LOG_LEVEL``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

DEFAULT_CONFIG_PATH = Path("/etc/gateway/gateway.toml")
ENV_PREFIX = "GATEWAY_"


class SettingsError(ValueError):
    """A setting is missing, unknown or invalid; the message names the key."""


def _field(default: Any, *, lo: float | None = None, hi: float | None = None, doc: str = "") -> Any:
    """A settings field with an optional inclusive numeric range and a short description."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "doc": doc})


@dataclass(frozen=True)
class GatewaySection:
    """Process-wide settings."""

    state_dir: Path = _field(Path("/var/lib/gateway"), doc="database, zigpy db, backups")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = _field("INFO")
    name: str = _field("gateway", doc="initial gateway name shown by the APIs")


@dataclass(frozen=True)
class HttpSection:
    """The deCONZ / Hue-v1 REST facade and its websocket."""

    host: str = _field("0.0.0.0")
    port: int = _field(80, lo=1, hi=65535)
    websocket_port: int = _field(8088, lo=1, hi=65535)
    # deCONZ lets a client on the gateway itself create an API key without unlocking;
    # off by default because anything running on the Pi could then take control.
    allow_local_apikey: bool = _field(False)


@dataclass(frozen=True)
class ThinknxSection:
    """The Thinknx Integration Kit API."""

    enabled: bool = _field(True)
    host: str = _field("0.0.0.0")
    port: int = _field(5051, lo=1, hi=65535)
    rate_limit: float = _field(20.0, lo=0, hi=10000, doc="requests/s per client, 0 = off")
    rate_burst: int = _field(40, lo=1, hi=100000)
    feedback_timeout: float = _field(3.0, lo=0.1, hi=60)
    devices_file: Path | None = _field(None, doc="TOML catalogue of KNX devices (GUIDs)")


@dataclass(frozen=True)
class StoreSection:
    """Where the gateway keeps what it has acknowledged."""

    url: str = _field("", doc="SQLAlchemy URL; empty = SQLite in state_dir")


@dataclass(frozen=True)
class RadioSection:
    """The Zigbee coordinator."""

    # "virtual": start the ZNP emulator from hil/ and drive it like a real stick;
    # "virtual-deconz": the ConBee emulator, driven by zigpy-deconz.
    kind: Literal["znp", "deconz", "virtual", "virtual-deconz", "none"] = _field("virtual")
    path: str = _field("/dev/zigbee")
    baudrate: int = _field(115200, lo=9600, hi=4000000)
    flow_control: Literal["none", "hardware", "software"] = _field("none")
    virtual_lights: int = _field(3, lo=0, hi=500, doc="lights the virtual rig simulates")


@dataclass(frozen=True)
class KnxSection:
    """The KNX connection."""

    # "virtual": start the KNX emulator from hil/ on loopback and tunnel to it.
    mode: Literal["tunnel_udp", "tunnel_tcp", "routing", "virtual", "none"] = _field("virtual")
    gateway_host: str = _field("")
    gateway_port: int = _field(3671, lo=1, hi=65535)
    local_ip: str = _field("")
    individual_address: str = _field("")
    route_back: bool = _field(False)
    multicast_group: str = _field("224.0.23.12")
    multicast_port: int = _field(3671, lo=1, hi=65535)
    rate_limit: int = _field(0, lo=0, hi=1000, doc="telegrams per second, 0 = off")
    request_timeout: float = _field(3.0, lo=0.1, hi=60, doc="bound on every send/read")
    # A silent tunnel is reported lost within probe_interval + 3 * min(2, probe_interval) s.
    probe_interval: float = _field(5.0, lo=0.05, hi=60, doc="seconds between tunnel probes")


@dataclass(frozen=True)
class DiscoverySection:
    """How apps on the LAN find the gateway (``docs/page.md``)."""

    ssdp: bool = _field(True, doc="SSDP answers and announcements")
    mdns: bool = _field(True, doc="publish _hue._tcp by mDNS (Hue apps)")


@dataclass(frozen=True)
class Settings:
    """Everything the gateway is configured with."""

    gateway: GatewaySection = field(default_factory=GatewaySection)
    http: HttpSection = field(default_factory=HttpSection)
    thinknx: ThinknxSection = field(default_factory=ThinknxSection)
    store: StoreSection = field(default_factory=StoreSection)
    radio: RadioSection = field(default_factory=RadioSection)
    knx: KnxSection = field(default_factory=KnxSection)
    discovery: DiscoverySection = field(default_factory=DiscoverySection)

    @property
    def database_url(self) -> str:
        """The store URL, defaulting to a SQLite file in the state directory."""
        if self.store.url:
            return self.store.url
        return f"sqlite:///{self.gateway.state_dir / 'gateway.db'}"


_SECTIONS: dict[str, type[Any]] = get_type_hints(Settings)


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (default file if it exists) and the environment.

    An explicitly given ``path`` must exist; the default path is optional so that a
    development machine runs with environment variables alone.
    """
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    config_path = path
    if config_path is None and env.get(ENV_PREFIX + "CONFIG"):
        config_path = Path(env[ENV_PREFIX + "CONFIG"])
    if config_path is not None or DEFAULT_CONFIG_PATH.exists():
        raw = _read_toml(config_path or DEFAULT_CONFIG_PATH)
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise SettingsError(f"{unknown[0]}: unknown section (known: {', '.join(_SECTIONS)})")
    sections = {
        name: _build_section(name, cls, raw.get(name, {}), env) for name, cls in _SECTIONS.items()
    }
    return Settings(**sections)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"{path}: configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read ({exc.strerror})") from None


def _env_name(section: str, key: str) -> str:
    if section == "gateway":
        return f"{ENV_PREFIX}{key.upper()}"
    return f"{ENV_PREFIX}{section.upper()}_{key.upper()}"


def _build_section(name: str, cls: type[Any], raw: Any, env: Mapping[str, str]) -> Any:
    if not isinstance(raw, dict):
        raise SettingsError(f"{name}: must be a table")
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise SettingsError(f"{name}.{unknown[0]}: unknown setting")
    values: dict[str, Any] = {}
    for key, fld in fields.items():
        env_key = _env_name(name, key)
        if env_key in env:
            value: Any = env[env_key]
            from_env = True
        elif key in raw:
            value = raw[key]
            from_env = False
        else:
            continue
        values[key] = _coerce(f"{name}.{key}", hints[key], value, from_env, fld.metadata)
    try:
        return cls(**values)
    except TypeError as exc:  # pragma: no cover - dataclass construction mismatch
        raise SettingsError(f"{name}: {exc}") from None


def _coerce(key: str, hint: Any, value: Any, from_env: bool, meta: Mapping[str, Any]) -> Any:
    """Convert and range-check one value against its declared type."""
    origin = get_origin(hint)
    args = get_args(hint)
    if origin is Literal:
        text = str(value)
        matches = [a for a in args if str(a) == text or str(a).lower() == text.lower()]
        if not matches:
            raise SettingsError(f"{key}: must be one of {', '.join(map(str, args))}, got {text!r}")
        return matches[0]
    if args and type(None) in args:  # Optional[X]
        if value in ("", None):
            return None
        inner = next(a for a in args if a is not type(None))
        return _coerce(key, inner, value, from_env, meta)
    if hint is bool:
        if isinstance(value, bool):
            return value
        if from_env and str(value).lower() in ("1", "true", "yes", "on"):
            return True
        if from_env and str(value).lower() in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{key}: must be true or false, got {value!r}")
    if hint is int or hint is float:
        number = _number(key, hint, value, from_env)
        lo, hi = meta.get("lo"), meta.get("hi")
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise SettingsError(f"{key}: must be between {lo:g} and {hi:g}, got {number}")
        return number
    if hint is Path:
        if not isinstance(value, str) or not value:
            raise SettingsError(f"{key}: must be a non-empty path, got {value!r}")
        return Path(value)
    if hint is str:
        if not isinstance(value, str):
            raise SettingsError(f"{key}: must be a string, got {value!r}")
        _check_string(key, value)
        return value
    raise SettingsError(f"{key}: unsupported setting type {hint!r}")  # pragma: no cover


def _number(key: str, hint: type, value: Any, from_env: bool) -> int | float:
    if isinstance(value, bool):
        raise SettingsError(f"{key}: must be a number, got {value!r}")
    if from_env and isinstance(value, str):
        try:
            value = hint(value)
        except ValueError:
            raise SettingsError(f"{key}: must be a number, got {value!r}") from None
    if hint is int and not isinstance(value, int):
        raise SettingsError(f"{key}: must be an integer, got {value!r}")
    if hint is float and not isinstance(value, int | float):
        raise SettingsError(f"{key}: must be a number, got {value!r}")
    return hint(value)  # type: ignore[no-any-return]


def _check_string(key: str, value: str) -> None:
    """Validate strings whose shape we know, so a typo fails at start, not at connect."""
    if key in ("knx.gateway_host", "knx.local_ip", "knx.multicast_group") and value:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if key != "knx.gateway_host":
                raise SettingsError(f"{key}: must be an IP address, got {value!r}") from None
    if key == "knx.individual_address" and value:
        parts = value.split(".")
        ok = len(parts) == 3 and all(p.isdigit() for p in parts)
        if ok:
            area, line, dev = (int(p) for p in parts)
            ok = area <= 15 and line <= 15 and dev <= 255
        if not ok:
            raise SettingsError(f"{key}: must look like 1.1.250, got {value!r}")
    if key in ("http.host", "thinknx.host"):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise SettingsError(
                f"{key}: must be an IP address to listen on, got {value!r}"
            ) from None

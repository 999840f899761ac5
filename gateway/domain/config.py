"""The gateway's configuration rules: unlock window, admin password, permit join, channel.

Why here and not in the API: these are product rules that outlive any one URL. The unlock
window decides who may create API keys; the admin password guards the same door for
clients that cannot press a (virtual) link button; the permit-join countdown and the
Zigbee channel are stored here and carried out by the radio (``gateway.domain.radio``).
Field validation (types, ranges) happens in the API layer; this service receives valid
values and enforces the rules between them.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway import security
from gateway.clock import utcnow
from gateway.domain.radio import NetworkSnapshot, RadioUnavailable, ZigbeeNetwork
from gateway.store import Store, StoredConfig

log = logging.getLogger(__name__)

DEFAULT_ADMIN_USER = "delight"
# deCONZ's factory password. We never set it; an install that still has it (an older
# gateway, or an operator who chose it) accepts it only from the gateway itself.
LEGACY_DEFAULT_PASSWORD = "delight"  # noqa: S105 - recognised, never set
PASSWORD_RESET_WINDOW_S = 600
PERMIT_JOIN_FOREVER = 255
SUPPORTED_CHANNELS = (11, 15, 20, 25)
DEFAULT_CHANNEL = 15
MAX_UNLOCK_S = 600


class PasswordError(Exception):
    """A password change was refused; ``field`` names the offending parameter."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


class PasswordResetWindowClosed(Exception):
    """The admin password may only be reset within 10 minutes of start."""


class PasswordResetNotLocal(Exception):
    """The admin password may only be reset from the gateway itself."""


# Told the new password when the gateway makes one (first start, reset), and told when the
# person changed it (None): the composition root shows it once and keeps it where only
# root can read it, never in a log.
PasswordAnnouncer = Callable[[str | None], Awaitable[None]]


def _default_config(name: str, password_hash: str) -> StoredConfig:
    return StoredConfig(
        name=name[:16],
        uuid=str(uuid.uuid4()),
        bridgeid=None,
        timezone="Etc/UTC",
        timeformat="24h",
        updatechannel="stable",
        groupdelay=50,
        otauactive=False,
        discovery=False,
        rfconnected=True,
        websocketnotifyall=True,
        networkopenduration=60,
        zigbeechannel=DEFAULT_CHANNEL,
        admin_username=DEFAULT_ADMIN_USER,
        admin_password_hash=password_hash,
        updated_at=utcnow(),
    )


@dataclass(frozen=True)
class SystemInfo:
    """Facts about the host the API reports (ipaddress, mac, ...)."""

    ipaddress: str = "127.0.0.1"
    netmask: str = "255.0.0.0"
    gateway: str = "0.0.0.0"  # an address to report, not one to bind
    mac: str = "00:00:00:00:00:00"
    dhcp: bool = False


class GatewayConfigService:
    """Holds the configuration in memory, persists every change before acknowledging it."""

    def __init__(
        self,
        store: Store,
        *,
        default_name: str = "gateway",
        network: ZigbeeNetwork | None = None,
        system_info: Callable[[], SystemInfo] = SystemInfo,
        clock: Callable[[], float] = time.monotonic,
        initial_password: str | None = None,
        announce_password: PasswordAnnouncer | None = None,
    ) -> None:
        self._store = store
        self._initial_password = initial_password
        self._announce_password = announce_password
        self._legacy_default = False
        self._default_name = default_name
        self.network = network
        self._system_info = system_info
        self._clock = clock
        self._started_at = clock()
        self._unlocked_until = 0.0
        self._permit_until: float | None = None
        self._permit_forever = False
        self._config: StoredConfig | None = None

    async def load(self) -> None:
        """Read the stored configuration, creating the factory default on first start."""
        stored = await self._store.config.load()
        if stored is None:
            password = self._initial_password or security.generate_password()
            password_hash = await asyncio.to_thread(
                security.hash_password, f"{DEFAULT_ADMIN_USER}:{password}"
            )
            stored = await self._store.config.save(
                _default_config(self._default_name, password_hash)
            )
            log.info("created default gateway configuration")
            if self._initial_password is None and self._announce_password is not None:
                await self._announce_password(password)
        self._config = stored
        legacy = f"{stored.admin_username}:{LEGACY_DEFAULT_PASSWORD}"
        self._legacy_default = await asyncio.to_thread(
            security.verify_password, legacy, stored.admin_password_hash
        )
        if self._legacy_default:
            log.warning(
                "event=admin_password_is_default: the admin password is deCONZ's factory "
                "default; it is accepted only from the gateway itself until you change it "
                "(gateway password set, or the page's Gateway tab)"
            )

    @property
    def current(self) -> StoredConfig:
        if self._config is None:
            raise RuntimeError("GatewayConfigService.load() was not awaited")
        return self._config

    def system_info(self) -> SystemInfo:
        return self._system_info()

    def network_snapshot(self) -> NetworkSnapshot | None:
        return None if self.network is None else self.network.snapshot()

    @property
    def bridgeid(self) -> str:
        """16 hex characters: the coordinator's IEEE, else derived from the host MAC.

        deCONZ uses the coordinator IEEE; before a radio was ever seen we derive one from
        the MAC the way Hue bridges do (MAC with FFFE in the middle) so the id is stable.
        """
        if self.current.bridgeid:
            return self.current.bridgeid
        mac = self.system_info().mac.replace(":", "").upper()
        return (mac[:6] + "FFFE" + mac[6:]).ljust(16, "0")[:16]

    async def remember_bridgeid(self, coordinator_ieee: str) -> None:
        """Called by the radio once it knows the coordinator: bridgeid follows the stick."""
        bridgeid = coordinator_ieee.replace(":", "").upper()[:16]
        if bridgeid != self.current.bridgeid:
            await self._save(bridgeid=bridgeid)

    # -- unlock window ------------------------------------------------------------------

    @property
    def unlocked(self) -> bool:
        return self._clock() < self._unlocked_until

    def unlock(self, seconds: int) -> None:
        """Open the window in which apps may register (0 locks again)."""
        self._unlocked_until = self._clock() + min(max(seconds, 0), MAX_UNLOCK_S)
        log.info("gateway %s", f"unlocked for {seconds} s" if seconds else "locked")

    # -- admin credentials ----------------------------------------------------------------

    @property
    def admin_password_is_default(self) -> bool:
        return self._legacy_default

    def check_admin_token(self, token: str, *, local: bool = False) -> bool:
        """Check a base64 ``user:password`` token (HTTP Basic) against the stored hash.

        ``local``: the request comes from the gateway itself. deCONZ's factory password,
        if still set, counts only then, so it cannot open the gateway to the whole LAN.
        """
        creds = security.decode_basic_credentials(token)
        if creds is None:
            return False
        user, password = creds
        if not security.verify_password(f"{user}:{password}", self.current.admin_password_hash):
            return False
        if self._legacy_default and not local:
            log.warning("event=admin_default_password_refused reason=not from the gateway itself")
            return False
        return True

    async def change_password(
        self, username: str, oldhash: str, newhash: str, *, local: bool = False
    ) -> None:
        """deCONZ's ``PUT config/password``: hashes are base64 ``user:password``."""
        if username != self.current.admin_username:
            raise PasswordError("username", "unknown user")
        if not oldhash or not self.check_admin_token(oldhash, local=local):
            raise PasswordError("oldhash", "old credentials do not match")
        new_creds = security.decode_basic_credentials(newhash) if newhash else None
        if new_creds is None or new_creds[0] != username or not new_creds[1]:
            raise PasswordError("newhash", "not a base64 username:password for this user")
        await self.set_password(new_creds[1])

    async def set_password(self, password: str) -> None:
        """A password the person chose (API or ``gateway password set``)."""
        user = self.current.admin_username
        password_hash = await asyncio.to_thread(security.hash_password, f"{user}:{password}")
        await self._save(admin_password_hash=password_hash)
        self._legacy_default = password == LEGACY_DEFAULT_PASSWORD
        log.info("admin password changed")
        if self._announce_password is not None:
            await self._announce_password(None)

    async def reset_password(self, *, local: bool) -> None:
        """deCONZ's ``DELETE config/password``, made safe: a new random password.

        Only from the gateway itself (a person with the device at hand) and only within
        10 minutes of start, as deCONZ; the new password is shown where the first one was
        (console and a root-only file), never through the API or a log.
        """
        if not local:
            raise PasswordResetNotLocal
        if self._clock() - self._started_at > PASSWORD_RESET_WINDOW_S:
            raise PasswordResetWindowClosed
        password = security.generate_password()
        password_hash = await asyncio.to_thread(
            security.hash_password, f"{DEFAULT_ADMIN_USER}:{password}"
        )
        await self._save(admin_username=DEFAULT_ADMIN_USER, admin_password_hash=password_hash)
        self._legacy_default = False
        log.warning("event=admin_password_reset: a new admin password was generated")
        if self._announce_password is not None:
            await self._announce_password(password)

    # -- permit join and channel ----------------------------------------------------------

    @property
    def permitjoin(self) -> int:
        """Seconds the network stays open (255 = open until closed), counting down."""
        if self._permit_forever:
            return PERMIT_JOIN_FOREVER
        if self._permit_until is None:
            return 0
        remaining = self._permit_until - self._clock()
        if remaining <= 0:
            self._permit_until = None
            return 0
        return min(math.ceil(remaining), 254)

    async def set_permitjoin(self, seconds: int) -> None:
        network = self._require_network()
        await network.permit_join(seconds)
        self._permit_forever = seconds == PERMIT_JOIN_FOREVER
        self._permit_until = (
            None if seconds in (0, PERMIT_JOIN_FOREVER) else self._clock() + seconds
        )

    @property
    def zigbeechannel(self) -> int:
        snap = self.network_snapshot()
        return snap.channel if snap is not None else self.current.zigbeechannel

    async def set_zigbeechannel(self, channel: int) -> None:
        if channel not in SUPPORTED_CHANNELS:
            raise ValueError(f"channel {channel} not one of {SUPPORTED_CHANNELS}")
        network = self._require_network()
        await network.change_channel(channel)
        await self._save(zigbeechannel=channel)

    def _require_network(self) -> ZigbeeNetwork:
        if self.network is None:
            raise RadioUnavailable("no Zigbee radio is configured")
        return self.network

    # -- plain fields -----------------------------------------------------------------------

    async def update(self, **changes: Any) -> StoredConfig:
        """Persist plain configuration fields (already validated by the caller)."""
        return await self._save(**changes)

    async def reset(self, *, reset_gateway: bool, delete_db: bool) -> None:
        """``POST config/reset``: new network and/or configuration back to defaults.

        We keep API keys and the admin password on ``deleteDB`` so the app that asked for
        the reset keeps working; deCONZ drops them, which strands the caller.
        """
        if reset_gateway:
            await self._require_network().reset_network()
        if delete_db:
            fresh = _default_config(self._default_name, self.current.admin_password_hash)
            await self._save(
                **{
                    f: getattr(fresh, f)
                    for f in (
                        "name",
                        "timezone",
                        "timeformat",
                        "updatechannel",
                        "groupdelay",
                        "otauactive",
                        "discovery",
                        "rfconnected",
                        "websocketnotifyall",
                        "networkopenduration",
                    )
                }
            )

    async def _save(self, **changes: Any) -> StoredConfig:
        self._config = await self._store.config.save(self.current.with_changes(**changes))
        return self._config

    def localtime(self, now: datetime | None = None) -> datetime:
        """Now in the configured time zone (the gateway keeps the system clock in UTC)."""
        from zoneinfo import ZoneInfo

        return (now or utcnow()).astimezone(ZoneInfo(self.current.timezone))

"""The network's settings as the supervisor reads and changes them: snapshot, key, channel.

Why its own module: reading the settings zigpy holds (for status and the configuration
API), forming a new network and moving it to another channel are what the supervisor does
*to* the network, apart from keeping the application alive. And whenever the gateway
learns the network key (from zigpy's database, a backup file, the stick, or a network it
has just formed) it must hand it to the log redactor before anything can print it: every
logger, not just the radio ones, hides it from then on (issue 12, item 10).
"""

from __future__ import annotations

import asyncio
import logging
import secrets

import zigpy.application
import zigpy.config as zconf
import zigpy.types as zt

from gateway.domain.radio import NetworkSnapshot, RadioBusy, RadioUnavailable
from gateway.logsetup import SECRETS, SecretRedactor
from gateway.zigbee.cancellation import radio_request

log = logging.getLogger(__name__)

ControllerApplication = zigpy.application.ControllerApplication

NO_KEY = bytes(16)  # zigpy's "no network yet": not a secret, and everywhere in dumps


def read_snapshot(app: ControllerApplication, old: NetworkSnapshot | None) -> NetworkSnapshot:
    """What the configuration API shows of the running network (the firmware kept if the
    stick did not say)."""
    network, node = app.state.network_info, app.state.node_info
    version = (node.version or "").split()
    return NetworkSnapshot(
        channel=int(network.channel),
        pan_id=int(network.pan_id),
        extended_pan_id=str(network.extended_pan_id),
        coordinator_ieee=str(node.ieee),
        firmware_version=version[-1] if version else (old.firmware_version if old else None),
    )


def remember_network_keys(app: ControllerApplication, redactor: SecretRedactor = SECRETS) -> int:
    """Give the redactor every network key the application knows; how many there are.

    The running network's key and those of zigpy's backups (its database, and the backup
    file :mod:`gateway.zigbee.backups` loaded): a restore or a form can bring any of them
    onto the air, and zigpy prints them while it does.
    """
    keys = [app.state.network_info.network_key.key]
    keys += [backup.network_info.network_key.key for backup in app.backups.backups]
    found = 0
    for key in keys:
        secret = bytes(key)
        if secret != NO_KEY:
            redactor.remember(secret)
            found += 1
    return found


def new_network_key(redactor: SecretRedactor = SECRETS) -> bytes:
    """A random key for a network the gateway is about to form, redacted from now on.

    Why not let zigpy draw it: zigpy writes the key it draws to the stick (the serial
    transport prints the frames) and into its database (aiosqlite prints the parameters)
    before the gateway can read it back. A key chosen here is known to the redactor first.
    """
    key = secrets.token_bytes(16)
    redactor.remember(key)
    return key


def offer_network_key(app: ControllerApplication, key: bytes) -> bool:
    """Have zigpy form with ``key`` should the stick turn out empty; whether it may.

    Only when zigpy has no backup to restore instead (a first start): its configuration's
    key is used for forming alone, so on a stick that has a network it changes nothing.
    The caller passes the same key to every attempt, so retries add no keys to redact.
    """
    nwk = app.config[zconf.CONF_NWK]
    if app.backups.most_recent_backup() is not None or nwk.get(zconf.CONF_NWK_KEY) is not None:
        return False
    nwk[zconf.CONF_NWK_KEY] = zt.KeyData(key)
    return True


async def form_new_network(app: ControllerApplication, channel: int) -> None:
    """Form a new network (new PAN, extended PAN and key) on ``channel``.

    zigpy's ``form_network`` reads the channel and the settings it keeps from the
    application's configuration; emptied ones are generated afresh, except the key, which
    is chosen (and redacted) here first.
    """
    nwk = app.config[zconf.CONF_NWK]
    nwk[zconf.CONF_NWK_CHANNEL] = channel
    for key in (zconf.CONF_NWK_PAN_ID, zconf.CONF_NWK_EXTENDED_PAN_ID):
        nwk[key] = None
    nwk[zconf.CONF_NWK_KEY] = zt.KeyData(new_network_key())
    try:
        with radio_request("forming a new network"):
            await app.form_network()
    except RadioUnavailable:
        raise
    except Exception as exc:
        raise RadioUnavailable(f"forming a new network failed: {exc}") from exc
    finally:
        # Whatever came of it, a key that reached the stick is redacted from now on.
        remember_network_keys(app)


async def move_to_channel(
    app: ControllerApplication, channel: int, *, broadcasts: int, within: float
) -> None:
    """Move the whole network (zigpy broadcasts the change, then moves the stick).

    Bounded by ``within`` seconds: zigpy waits for the stick without a limit of its own.
    """
    try:
        async with asyncio.timeout(within):
            with radio_request(f"channel change to {channel}"):
                await app.move_network_to_channel(channel, num_broadcasts=broadcasts)
    except TimeoutError:
        raise RadioUnavailable(f"channel change to {channel} did not finish") from None
    except (RadioBusy, RadioUnavailable):
        raise
    except Exception as exc:
        raise RadioUnavailable(f"channel change failed: {exc}") from exc

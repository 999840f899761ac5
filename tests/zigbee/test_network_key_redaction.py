"""The Zigbee network key reaches no log line, from any logger (issue 12, item 10).

The gateway's Zigbee side runs against our emulators on a pty (ZNP, driven by the
unmodified zigpy-znp; a ConBee, by zigpy-deconz), every logger at DEBUG, through the
gateway's own log handler (:func:`gateway.logsetup.log_handler`, as ``configure_logging``
installs it), starting as a fresh process does (the redactor knowing no key). It forms a
network, forms a new one (network reset), and starts onto a formed one (zigpy's
database, the stick); the emulator's key of each network is then looked for in every
spelling. A second, unfiltered handler sees the same records first and proves the key
was printed, also by loggers outside the radio libraries (aiosqlite, the serial
transport), which the radio rules alone would have let through. With the radio libraries
quiet, nothing but the gateway's own registration can teach the redactor the key.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.logsetup import (
    KEY_PLACEHOLDER,
    RADIO_LOGGERS,
    SECRETS,
    KeyValueFormatter,
    log_handler,
)
from tests.helpers.waiting import until
from tests.zigbee.rig import Rig, zigbee_rig

# Loggers that configure_logging("DEBUG") lets print at DEBUG, the gateway's own included.
LOGGERS = ("", "gateway", "zigpy", "zigpy_znp", "aiosqlite", "alembic", "hil")


def spellings(key: bytes) -> list[str]:
    """How a key can show up in text (written out here, not taken from the code under test)."""
    forms = []
    for text in (":".join(f"{b:02x}" for b in key), key.hex()):
        forms += [text, text.upper()]
    forms += ["".join(f"\\x{b:02X}" for b in key), "".join(f"\\x{b:02x}" for b in key)]
    forms.append(repr(key)[2:-1])
    return forms


@contextlib.contextmanager
def all_logs_at_debug(quiet: tuple[str, ...] = ()) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """(unfiltered, gateway handler) text of every record from every logger at DEBUG
    (those in ``quiet`` at WARNING)."""
    raw, clean = io.StringIO(), io.StringIO()
    raw_handler = logging.StreamHandler(raw)
    raw_handler.setFormatter(KeyValueFormatter())
    clean_handler = log_handler(clean)
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in LOGGERS + quiet}
    root.handlers.insert(0, raw_handler)  # first: it sees each record before the redactor
    root.addHandler(clean_handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield raw, clean
    finally:
        root.removeHandler(raw_handler)
        root.removeHandler(clean_handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def printed_by(text: str, key: bytes) -> set[str]:
    """The loggers whose lines in ``text`` hold ``key`` in some spelling."""
    forms = spellings(key)
    return {
        match.group(1)
        for line in text.splitlines()
        if any(form in line for form in forms)
        and (match := re.search(r" logger=(\S+) ", line)) is not None
    }


@pytest.fixture
def fresh_process() -> Iterator[None]:
    """The process-wide redactor as a just-started gateway has it: knowing no key."""
    SECRETS.forget_all()
    yield
    SECRETS.forget_all()


def lines_with(text: str, key: bytes) -> list[str]:
    """The lines of ``text`` that hold ``key`` in some spelling (for a failure's message)."""
    forms = spellings(key)
    return [line for line in text.splitlines() if any(form in line for form in forms)]


def assert_redacted(raw: str, clean: str, key: bytes) -> None:
    leaked = printed_by(raw, key)
    assert leaked, "nothing printed the key: the test would prove nothing"
    # Not only the radio libraries print it: the radio rules alone would let it through.
    assert not all(name.startswith(RADIO_LOGGERS) for name in leaked), leaked
    assert printed_by(clean, key) == set(), lines_with(clean, key)
    assert KEY_PLACEHOLDER in clean


def emulator_key(rig: Rig) -> bytes:
    params = rig.emulator.network
    assert params is not None
    return bytes(params.network_key)


async def test_the_key_of_a_network_formed_at_first_start_and_by_a_reset_is_in_no_log_line(
    tmp_path: Path, fresh_process: None
) -> None:
    with all_logs_at_debug() as (raw, clean):
        async with zigbee_rig(tmp_path, lights=0) as rig:
            first = emulator_key(rig)
            await rig.gw.supervisor.reset_network()
            await until(lambda: rig.gw.supervisor.reachable, timeout=20)
            second = emulator_key(rig)
    assert first != second, "the reset formed no new network: the test would prove less"
    assert_redacted(raw.getvalue(), clean.getvalue(), first)
    assert_redacted(raw.getvalue(), clean.getvalue(), second)


async def test_the_key_of_a_restored_network_is_in_no_log_line_after_a_restart(
    formed: Path, fresh_process: None
) -> None:
    """A restarted gateway knows the key from zigpy's database before the stick is asked."""
    with all_logs_at_debug() as (raw, clean):
        async with zigbee_rig(formed, lights=0) as rig:
            key = emulator_key(rig)
            assert SECRETS.knows(key)
    assert_redacted(raw.getvalue(), clean.getvalue(), key)


async def test_a_restored_key_is_redacted_before_any_radio_library_prints_it(
    formed: Path, fresh_process: None
) -> None:
    """With the radio libraries quiet, nothing teaches the redactor the key from their
    lines: the serial transport's raw frames and aiosqlite's parameters are hidden only
    because the gateway registered the key as soon as it read it."""
    with all_logs_at_debug(quiet=RADIO_LOGGERS) as (raw, clean):
        async with zigbee_rig(formed, lights=0) as rig:
            key = emulator_key(rig)
    assert_redacted(raw.getvalue(), clean.getvalue(), key)


async def test_a_formed_key_is_redacted_before_any_radio_library_prints_it(
    tmp_path: Path, fresh_process: None
) -> None:
    """Forming (an empty stick at first start, a network reset) writes the key to the stick
    and to zigpy's database at once: it is hidden only because the gateway chose it, and
    told the redactor, before zigpy formed the network."""
    with all_logs_at_debug(quiet=RADIO_LOGGERS) as (raw, clean):
        async with zigbee_rig(tmp_path, lights=0) as rig:
            first = emulator_key(rig)
            await rig.gw.supervisor.reset_network()
            await until(lambda: rig.gw.supervisor.reachable, timeout=20)
            second = emulator_key(rig)
    assert first != second
    assert_redacted(raw.getvalue(), clean.getvalue(), first)
    assert_redacted(raw.getvalue(), clean.getvalue(), second)


async def test_a_conbee_network_key_is_redacted_before_any_radio_library_prints_it(
    tmp_path: Path, fresh_process: None
) -> None:
    """The same for a RaspBee/ConBee (zigpy-deconz against our deCONZ emulator): formed at
    first start, then restored after a restart."""
    from tests.zigbee.deconz_rig import conbee_rig, restart_gateway

    with all_logs_at_debug(quiet=RADIO_LOGGERS) as (raw, clean):
        async with conbee_rig(tmp_path) as rig:
            key = bytes(rig.emulator.firmware.config.network_key)
            # A new process: it learns the key from zigpy's database. Forgotten only once
            # the old gateway has stopped: its last backup is written while it stops.
            await restart_gateway(rig, between=SECRETS.forget_all)
            assert bytes(rig.emulator.firmware.config.network_key) == key
    assert_redacted(raw.getvalue(), clean.getvalue(), key)

"""Logging: no Zigbee key in the journal, and no line written thousands of times (issue 12).

The key test runs the unmodified zigpy-znp against our ZNP emulator on a pty with every
logger at its most verbose (TRACE: raw frames included) and looks for the network key in
every spelling. A second, unfiltered capture of the same records proves the key was there
to be leaked.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import zigpy.config as zconf
import zigpy_znp.config as znp_conf
from zigpy_znp.zigbee.application import ControllerApplication

from gateway.logsetup import KEY_PLACEHOLDER, KeyValueFormatter, RepeatFolder, SecretRedactor
from hil.emulators.znp import EmulatorConfig, Timing, ZnpEmulator


def spellings(key: bytes) -> list[str]:
    forms = []
    for text in (":".join(f"{b:02x}" for b in key), key.hex()):
        forms += [text, text.upper()]
    forms += ["".join(f"\\x{b:02X}" for b in key), "".join(f"\\x{b:02x}" for b in key)]
    return forms


@contextlib.contextmanager
def _capture() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """(unfiltered, filtered) text of every record from every logger, TRACE included."""
    raw, clean = io.StringIO(), io.StringIO()
    raw_handler = logging.StreamHandler(raw)
    clean_handler = logging.StreamHandler(clean)
    for handler in (raw_handler, clean_handler):
        handler.setFormatter(KeyValueFormatter())
        handler.setLevel(1)
    clean_handler.addFilter(SecretRedactor())
    root = logging.getLogger()
    old_level = root.level
    levels = {name: logging.getLogger(name).level for name in ("zigpy", "zigpy_znp")}
    root.addHandler(raw_handler)  # first: it sees each record before the redactor edits it
    root.addHandler(clean_handler)
    root.setLevel(1)
    for name in levels:
        logging.getLogger(name).setLevel(1)
    try:
        yield raw, clean
    finally:
        root.removeHandler(raw_handler)
        root.removeHandler(clean_handler)
        root.setLevel(old_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    with _capture() as pair:
        yield pair


APP_CONFIG = {
    zconf.CONF_NWK_BACKUP_ENABLED: False,
    zconf.CONF_TOPO_SCAN_ENABLED: False,
    zconf.CONF_OTA: {zconf.CONF_OTA_ENABLED: False},
    znp_conf.CONF_ZNP_CONFIG: {znp_conf.CONF_SKIP_BOOTLOADER: False},
}


async def _start_and_stop(state: Path) -> bytes:
    """Form (first time) or resume (later) a network with zigpy-znp; its network key."""
    emu = ZnpEmulator(EmulatorConfig(state_file=state, timing=Timing.fast()))
    path = await emu.start()
    try:
        config = {**APP_CONFIG, zconf.CONF_DEVICE: {zconf.CONF_DEVICE_PATH: path}}
        app = await ControllerApplication.new(config, auto_form=True)
        key = bytes(app.state.network_info.network_key.key)
        await app.shutdown()
    finally:
        await emu.stop()
    return key


def _assert_redacted(raw: io.StringIO, clean: io.StringIO, key: bytes) -> None:
    leaked_before = [form for form in spellings(key) if form in raw.getvalue()]
    assert leaked_before, "zigpy-znp logged no key at all: the test would prove nothing"
    text = clean.getvalue()
    assert [form for form in spellings(key) if form in text] == []
    assert KEY_PLACEHOLDER in text


async def test_forming_a_network_logs_no_network_key(tmp_path: Path, captured) -> None:
    raw, clean = captured
    key = await _start_and_stop(tmp_path / "znp.json")
    _assert_redacted(raw, clean, key)
    assert "0x0062" in clean.getvalue() or "Id=98" in clean.getvalue()  # the NV writes stay


async def test_resuming_a_network_logs_no_network_key(tmp_path: Path) -> None:
    state = tmp_path / "znp.json"
    key = await _start_and_stop(state)  # formed before logging is watched
    with _capture() as (raw, clean):
        assert await _start_and_stop(state) == key
    _assert_redacted(raw, clean, key)


def test_known_keys_are_redacted_in_raw_frames_too() -> None:
    redactor = SecretRedactor()
    key = bytes(range(0xA0, 0xB0))
    redactor.remember(key)
    frame = b"\xfe\x10\x21\x09" + key + b"\x33"
    record = logging.LogRecord(
        "zigpy_znp.uart", 5, __file__, 1, "Sending data: %s", (repr(frame),), None
    )
    assert redactor.filter(record)
    assert record.getMessage().count(KEY_PLACEHOLDER) == 1
    assert all(form not in record.getMessage() for form in spellings(key))


def test_other_loggers_are_untouched() -> None:
    redactor = SecretRedactor()
    text = "uuid 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"
    record = logging.LogRecord("gateway.api", logging.INFO, __file__, 1, text, None, None)
    assert redactor.filter(record)
    assert record.getMessage() == text


def test_a_line_repeated_thousands_of_times_is_written_a_few_times() -> None:
    now = [0.0]
    folder = RepeatFolder(burst=5, window=60.0, clock=lambda: now[0])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(folder)
    logger = logging.getLogger("tests.repeat")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for n in range(143_000):
            now[0] = n * 45 / 143_000  # 143 k lines in 45 s, as the EMFILE storm wrote
            logger.error("socket.accept() out of system resource (fd %d)", n % 7)
        logger.error("another fault")
        now[0] = 61.0
        logger.error("socket.accept() out of system resource (fd %d)", 1)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    lines = stream.getvalue().splitlines()
    assert len(lines) == 5 + 1 + 1
    assert "another fault" in lines[5]
    assert lines[-1].endswith("[142995 more like this suppressed]")


def test_one_template_with_different_values_is_not_folded_as_a_repeat():
    """A link's state changes share a template; each change must reach the log."""
    from gateway.logsetup import RepeatFolder

    folder = RepeatFolder(burst=2, window=60.0, clock=lambda: 0.0)

    def record(*args: object) -> logging.LogRecord:
        return logging.LogRecord(
            "gateway.knx.link",
            logging.INFO,
            __file__,
            1,
            "event=knx_link_state from=%s to=%s",
            args,
            None,
        )

    states = [("connected", "lost"), ("lost", "connecting"), ("connecting", "connected")] * 2
    passed = [folder.filter(record(*s)) for s in states]
    assert passed == [True] * len(states)  # each distinct change twice: within the burst
    same = [folder.filter(record("a", "b")) for _ in range(4)]
    assert same == [True, True, False, False]


def test_a_known_key_is_redacted_from_every_logger_in_every_spelling() -> None:
    redactor = SecretRedactor()
    key = bytes(range(0x30, 0x40))  # printable: its bytes repr is plain text
    redactor.remember(key)
    for form in [*spellings(key), repr(key)[2:-1]]:
        record = logging.LogRecord(
            "aiosqlite", logging.DEBUG, __file__, 1, "executing %s", (f"(x, '{form}')",), None
        )
        assert redactor.filter(record)
        assert record.getMessage() == f"executing (x, '{KEY_PLACEHOLDER}')", form


def test_a_known_key_is_redacted_from_a_traceback() -> None:
    redactor = SecretRedactor()
    key = bytes(range(0xC0, 0xD0))
    redactor.remember(key)
    try:
        raise ValueError(f"bad frame {key.hex()}")
    except ValueError:
        record = logging.LogRecord(
            "gateway.app", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    assert redactor.filter(record)
    text = KeyValueFormatter().format(record)
    assert key.hex() not in text
    assert KEY_PLACEHOLDER in text


def test_forgetting_all_keys_lets_other_loggers_print_them_again() -> None:
    redactor = SecretRedactor()
    key = bytes(range(0xA0, 0xB0))
    redactor.remember(key)
    redactor.forget_all()
    record = logging.LogRecord("gateway.api", logging.INFO, __file__, 1, key.hex(), None, None)
    assert redactor.filter(record)
    assert record.getMessage() == key.hex()
    assert not redactor.knows(key)


def test_a_registered_key_outlives_any_number_of_learned_ones() -> None:
    redactor = SecretRedactor()
    network_key = bytes(range(0x50, 0x60))
    redactor.remember(network_key)
    first_learned = bytes(range(0x60, 0x70))
    redactor.remember(first_learned, learned=True)
    for n in range(SecretRedactor.MAX_LEARNED):
        redactor.remember(n.to_bytes(2, "big") * 8, learned=True)
    assert redactor.knows(network_key)
    assert not redactor.knows(first_learned)  # the oldest learned value made room
    assert redactor.knows((SecretRedactor.MAX_LEARNED - 1).to_bytes(2, "big") * 8)


def test_the_all_zero_placeholder_key_is_not_learned_for_other_loggers() -> None:
    redactor = SecretRedactor()
    zero = ":".join(["00"] * 16)
    radio = logging.LogRecord("zigpy.application", 10, __file__, 1, f"key={zero}", None, None)
    assert redactor.filter(radio)
    assert KEY_PLACEHOLDER in radio.getMessage()  # on a radio line it is hidden all the same
    assert not redactor.knows(bytes(16))

"""Structured, one-line-per-event logging without secrets.

Why a formatter of our own: journald keeps one line per record, and operators grep it.
``key=value`` pairs keep each event on one line and machine-readable; :func:`redact` is the
one place that turns a secret (API key, password) into something safe to log.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final, TextIO

# syslog priorities of the Python levels, for journald's ``SyslogLevelPrefix=`` ("<4>...").
SYSLOG_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


def redact(secret: str | None) -> str:
    """Show only the first four characters of a secret, as the design requires."""
    if not secret:
        return "<none>"
    return secret[:4] + "…"


class KeyValueFormatter(logging.Formatter):
    """``ts=... level=... logger=... msg="..."`` with the message kept on one line."""

    converter = staticmethod(time.gmtime)  # timestamps in UTC, like every API time

    def __init__(self, *, journal: bool = False) -> None:
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\n", "\\n")
        ts = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
        line = f'ts={ts}Z level={record.levelname} logger={record.name} msg="{message}"'
        if record.exc_info:
            text = record.exc_text or self.formatException(record.exc_info)
            exc = text.replace("\n", "\\n")
            line += f' exc="{exc}"'
        if self.journal:
            # journald reads "<N>" at the start of a line as its priority and strips it, so
            # `journalctl -p warning` finds our warnings (otherwise every line is "info").
            priority = SYSLOG_PRIORITY.get(record.levelno, 3 if record.levelno > 40 else 7)
            line = f"<{priority}>{line}"
        return line


RADIO_LOGGERS: Final = ("zigpy", "zigpy_znp", "zigpy_deconz", "bellows", "hil.emulators")
"""Loggers that print radio frames and network settings, and so may print keys (the
emulators of the virtual radio too)."""
_KEY_TEXT: Final = re.compile(
    r"(?<![0-9A-Fa-f:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){15}(?![0-9A-Fa-f:])"
)
"""A 16-byte colon-hex value: how zigpy prints ``KeyData`` (network, link and TC keys).
IEEE addresses are 8 bytes and stay readable."""
KEY_PLACEHOLDER: Final = "<key redacted>"
_NV_VALUE: Final = re.compile(r"(Value=)b'((?:\\x[0-9A-Fa-f]{2}){16,})'")
"""A raw NV item of 16 bytes or more in an NVRAM read/write command (zigpy-znp prints bytes
as ``\\xNN`` escapes): keys are NV items, and a read answer does not say which item it is."""


class SecretRedactor(logging.Filter):
    """Removes Zigbee key material from log records before they are written.

    Why a filter: at DEBUG zigpy-znp and zigpy print NVRAM items, network settings and raw
    frames, including the network key, and journald keeps them; other loggers print it too
    (aiosqlite shows the SQL parameters zigpy stores its network backups with). Rules for
    the radio loggers: raw NV items of 16 bytes or more in NVRAM commands are hidden (keys
    are NV items), and every 16-byte colon-hex value is treated as a key (and remembered).
    For every logger: keys the gateway knows (:meth:`remember`, called as soon as the Zigbee
    side reads, restores or forms the network) are removed in every spelling the libraries
    and our code use (colon hex, plain hex, ``\\xNN`` escapes, a ``bytes`` repr, either
    case), also from raw frames that contain them. The pattern rules stay on the radio
    loggers: elsewhere a 16-byte value (a UUID, a hash) is not a key.
    """

    MAX_LEARNED: Final = 64
    """Values learned from radio lines kept at most (the oldest go first); keys the
    gateway registers itself are few and always kept."""

    def __init__(self, prefixes: tuple[str, ...] = RADIO_LOGGERS) -> None:
        super().__init__()
        self._prefixes = prefixes
        self._spellings: dict[bytes, tuple[str, ...]] = {}
        self._learned: dict[bytes, None] = {}  # insertion order: the oldest first
        self._known: re.Pattern[str] | None = None

    def remember(self, secret: bytes, *, learned: bool = False) -> None:
        """Redact ``secret`` wherever it appears from now on (16 bytes or more).

        ``learned``: seen in a radio line rather than registered by the gateway. Learned
        values (link keys of devices, too) are capped; a registered network key stays
        however many of them a busy network brings.
        """
        secret = bytes(secret)
        if len(secret) < 16:
            return
        if secret in self._spellings:
            if not learned:
                self._learned.pop(secret, None)  # registered now: kept for good
            return
        if learned:
            if len(self._learned) >= self.MAX_LEARNED:
                oldest = next(iter(self._learned))
                del self._learned[oldest], self._spellings[oldest]
            self._learned[secret] = None
        self._spellings[secret] = spellings(secret)
        forms = sorted({f for fs in self._spellings.values() for f in fs}, key=len, reverse=True)
        # One alternation, longest first: a record costs one scan however many keys there are.
        self._known = re.compile("|".join(re.escape(form) for form in forms))

    def forget_all(self) -> None:
        """Know no key, as a freshly started process (tests start a "restart" from here)."""
        self._spellings.clear()
        self._learned.clear()
        self._known = None

    def knows(self, secret: bytes) -> bool:
        """Whether ``secret`` is redacted from every logger (for tests and status)."""
        return bytes(secret) in self._spellings

    def redact(self, text: str, *, radio: bool = True) -> str:
        """``text`` without known keys; with ``radio`` also without anything shaped like one."""
        if radio:
            if "NV" in text:
                text = _NV_VALUE.sub(_nv_placeholder, text)
            for match in _KEY_TEXT.findall(text):
                value = bytes.fromhex(match.replace(":", ""))
                if value.strip(b"\x00"):  # zigpy's "no key yet" is no secret anywhere
                    self.remember(value, learned=True)
            text = _KEY_TEXT.sub(KEY_PLACEHOLDER, text)
        known = self._known
        if known is not None:
            text = known.sub(KEY_PLACEHOLDER, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        radio = record.name.startswith(self._prefixes)
        if not radio and self._known is None:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: let logging report it
            return True
        redacted = self.redact(message, radio=radio)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and self._known is not None:
            # A traceback may quote the key (the repr of a frame or of a configuration);
            # KeyValueFormatter writes ``exc_text`` when it is set.
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = self._known.sub(KEY_PLACEHOLDER, text)
        return True


def spellings(secret: bytes) -> tuple[str, ...]:
    """How a key shows up in log text: zigpy's ``KeyData`` (colon hex), plain hex (JSON
    backups, SQL parameters), ``\\xNN`` escapes and the ``bytes`` repr (raw frames, NV
    items), each in either case."""
    forms: list[str] = []
    for case in (str.lower, str.upper):
        forms.append(case(":".join(f"{b:02x}" for b in secret)))
        forms.append(case(secret.hex()))
    forms.append("".join(f"\\x{b:02X}" for b in secret))
    forms.append("".join(f"\\x{b:02x}" for b in secret))
    forms.append(repr(secret)[2:-1])
    return tuple(dict.fromkeys(forms))


_DIGITS: Final = re.compile(r"\d+")


def _nv_placeholder(match: re.Match[str]) -> str:
    return f"{match.group(1)}<NV value redacted, {len(match.group(2)) // 4} bytes>"


STATE_CHANGE: dict[str, object] = {"state_change": True}
"""``extra=`` for a line that reports a state change (a radio running again, lost): never folded.

Why: a flapping stick repeats "running"/"lost" within a minute; folding the sixth
"running" away left a log that said the radio was lost when it was running (or the
reverse), which is the one thing a reader of the log must be able to trust.
"""


class RepeatFolder(logging.Filter):
    """Lets the same line through a few times per window, then counts instead of writing.

    Why: a fault that repeats per request or per accept (EMFILE: "socket.accept() out of
    system resource") wrote 143,000 ERROR lines (67 MB) in 45 s and buried everything else.
    A record is "the same" when logger, level and the first line of the formatted message
    match, numbers aside (asyncio puts descriptors and timer deadlines in its). Formatted,
    not the template: one template carries many different events (a link's state changes
    ``from=connecting to=connected``, ``to=lost``...), and each of those must be seen. The
    first record after a window that had suppressed ones says how many were left out.
    """

    def __init__(
        self,
        *,
        burst: int = 5,
        window: float = 60.0,
        max_keys: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._burst = burst
        self._window = window
        self._max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[tuple[str, int, str], list[float]] = OrderedDict()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "state_change", False):
            return True  # see STATE_CHANGE: never folded, and not counted either
        first_line = record.getMessage().split("\n", 1)[0][:160]
        key = (record.name, record.levelno, _DIGITS.sub("#", first_line))
        now = self._clock()
        state = self._seen.get(key)  # [window start, passed, suppressed]
        if state is None or now - state[0] >= self._window:
            suppressed = int(state[2]) if state else 0
            self._seen[key] = [now, 1, 0]
            self._seen.move_to_end(key)
            while len(self._seen) > self._max_keys:
                self._seen.popitem(last=False)
            if suppressed:
                record.msg = f"{record.getMessage()} [{suppressed} more like this suppressed]"
                record.args = None
            return True
        if state[1] < self._burst:
            state[1] += 1
            return True
        state[2] += 1
        return False


SECRETS = SecretRedactor()
"""The process-wide redactor; the Zigbee side may :meth:`~SecretRedactor.remember` keys."""


def stderr_is_the_journal(
    stream: TextIO | None = None, environ: dict[str, str] | None = None
) -> bool:
    """True when systemd connected our stderr to journald (``JOURNAL_STREAM`` = its dev:inode).

    Checking the device and inode, not just the variable, keeps a child whose stderr was
    redirected to a file or a pipe from writing ``<N>`` prefixes into it.
    """
    value = (os.environ if environ is None else environ).get("JOURNAL_STREAM", "")
    device, sep, inode = value.partition(":")
    if not sep or not device.isdigit() or not inode.isdigit():
        return False
    try:
        info = os.fstat((stream or sys.stderr).fileno())
    except (OSError, ValueError):
        return False
    return (info.st_dev, info.st_ino) == (int(device), int(inode))


def log_handler(stream: TextIO, *, journal: bool = False) -> logging.Handler:
    """The gateway's handler on ``stream``: key=value lines, no secrets, repeats folded.

    The redactor comes first, so a folded line's count never carries a key either.
    """
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter(journal=journal))
    handler.addFilter(SECRETS)
    handler.addFilter(RepeatFolder())
    return handler


def configure_logging(level: str = "INFO") -> None:
    """Send all logs to stderr (journald under systemd) in key=value form."""
    root = logging.getLogger()
    root.handlers[:] = [log_handler(sys.stderr, journal=stderr_is_the_journal())]
    root.setLevel(level)
    # Library chatter at INFO is noise on a Pi; our own modules follow the chosen level.
    for noisy in ("zigpy", "zigpy_znp", "zigpy_deconz", "xknx", "uvicorn", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))


class RepeatedWarning:
    """A warning that repeats (a stick that stays missing) logged at a slowing rate.

    Why: with no stick plugged in, a retry every 10 s would write ~8,600 identical lines a
    day to an SD card. The first occurrence is a WARNING; repeats of the same message are
    WARNINGs again only on the 2nd, 4th, 8th, ... time (saying how many there were), and
    DEBUG otherwise. A different message, or :meth:`clear` after success, starts over.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._message: str | None = None
        self._count = 0

    def warn(self, message: str) -> None:
        if message != self._message:
            self._message, self._count = message, 0
        self._count += 1
        if self._count & (self._count - 1) == 0:  # 1, 2, 4, 8, ...
            suffix = (
                ""
                if self._count == 1
                else f" ({self._count} times so far; next at {2 * self._count})"
            )
            self._logger.warning("%s%s", message, suffix)
        else:
            self._logger.debug("%s (%d times so far)", message, self._count)

    def clear(self) -> None:
        self._message, self._count = None, 0

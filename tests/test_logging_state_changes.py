"""State changes (the radio running, lost) are never folded away as repeats.

The soak's wedge was hard to read because the sixth "Zigbee radio running" line of a
minute was folded: the log said "connection lost" last while the radio was running.
"""

from __future__ import annotations

import logging

from gateway.logsetup import STATE_CHANGE, RepeatFolder


def record(message: str, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("gateway.zigbee.keeper", logging.INFO, __file__, 1, message, (), None)
    rec.__dict__.update(extra)
    return rec


def test_a_state_change_passes_however_often_it_repeats() -> None:
    folder = RepeatFolder(burst=5, window=60.0, clock=lambda: 0.0)
    passed = [
        folder.filter(record("Zigbee radio running: channel 15", **STATE_CHANGE)) for _ in range(20)
    ]
    assert all(passed)


def test_an_ordinary_repeat_is_still_folded_and_state_changes_do_not_use_up_its_burst() -> None:
    folder = RepeatFolder(burst=5, window=60.0, clock=lambda: 0.0)
    for _ in range(10):
        folder.filter(record("Zigbee radio running: channel 15", **STATE_CHANGE))
    passed = [folder.filter(record("Zigbee radio running: channel 15")) for _ in range(8)]
    assert passed == [True] * 5 + [False] * 3

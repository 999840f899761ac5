"""RetryPacer: a steady 1.5 s +-20 % while the interface is silent, back-off on refusals.

Pure policy, no sockets: the delays are what the TunnelKeeper waits from one attempt's
start to the next (docs/knx.md, "Start and reconnect").
"""

from __future__ import annotations

import random

import pytest
from xknx.exceptions import CommunicationError, RequestResponseError
from xknx.knxip import ErrorCode

from gateway.knx.reconnect import (
    JITTER,
    REFUSED_BACKOFF_MAX,
    RETRY_SPACING,
    Outcome,
    RetryPacer,
    classify,
)

UNREACHABLE, REFUSED = Outcome.UNREACHABLE, Outcome.REFUSED


class _Extreme(random.Random):
    """An rng whose uniform() always gives the low or the high end, to test the bounds."""

    def __init__(self, high: bool) -> None:
        super().__init__(0)
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a


def test_shipped_numbers_are_the_documented_ones() -> None:
    assert (RETRY_SPACING, JITTER, REFUSED_BACKOFF_MAX) == (1.5, 0.2, 10.0)


def test_unanswered_attempts_are_spaced_1_5_s_apart_however_many_fail() -> None:
    pacer = RetryPacer(rng=random.Random(1))
    delays = [pacer.next_delay(UNREACHABLE) for _ in range(200)]  # 200 attempts: ~5 minutes
    assert all(1.2 <= d <= 1.8 for d in delays)
    assert abs(sum(delays) / len(delays) - 1.5) < 0.05  # no drift towards a back-off


def test_jitter_stays_within_20_percent_and_spreads_the_attempts() -> None:
    pacer = RetryPacer(rng=random.Random(7))
    delays = [pacer.next_delay(UNREACHABLE) for _ in range(500)]
    assert min(delays) >= 1.5 * 0.8 and max(delays) <= 1.5 * 1.2
    assert max(delays) - min(delays) > 0.5  # two gateways do not ask in step
    assert RetryPacer(rng=_Extreme(high=False)).next_delay(UNREACHABLE) == pytest.approx(1.2)
    assert RetryPacer(rng=_Extreme(high=True)).next_delay(UNREACHABLE) == pytest.approx(1.8)


def test_refusals_back_off_doubling_up_to_10_s() -> None:
    pacer = RetryPacer(jitter=0.0)
    assert [pacer.next_delay(REFUSED) for _ in range(6)] == [3.0, 6.0, 10.0, 10.0, 10.0, 10.0]
    assert pacer.refusals == 6


def test_jitter_never_takes_a_refusal_delay_past_the_cap() -> None:
    pacer = RetryPacer(rng=_Extreme(high=True))
    delays = [pacer.next_delay(REFUSED) for _ in range(5)]
    assert delays[:2] == [pytest.approx(3.6), pytest.approx(7.2)]
    assert all(d <= 10.0 for d in delays) and delays[-1] == 10.0


def test_a_success_resets_the_back_off() -> None:
    pacer = RetryPacer(jitter=0.0)
    for _ in range(4):
        pacer.next_delay(REFUSED)
    pacer.reset()
    assert pacer.refusals == 0
    assert pacer.next_delay(REFUSED) == 3.0
    pacer.reset()
    assert pacer.next_delay(UNREACHABLE) == 1.5


def test_an_unanswered_attempt_after_refusals_goes_back_to_the_short_spacing() -> None:
    pacer = RetryPacer(jitter=0.0)
    for _ in range(3):
        pacer.next_delay(REFUSED)
    assert pacer.next_delay(UNREACHABLE) == 1.5
    assert pacer.next_delay(REFUSED) == 3.0  # the refusal count started over


@pytest.mark.parametrize(
    "kwargs", [{"spacing": 0}, {"jitter": 1.0}, {"jitter": -0.1}, {"refused_max": 1.0}]
)
def test_nonsense_settings_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPacer(**kwargs)


def _wrapped(inner: BaseException) -> CommunicationError:
    """What xknx's tunnel raises: CommunicationError from the CONNECT's error."""
    try:
        raise CommunicationError("Tunnel connection could not be established") from inner
    except CommunicationError as exc:
        return exc


def test_a_connect_response_with_an_error_status_is_a_refusal() -> None:
    refusal = RequestResponseError("refused", error_code=ErrorCode.E_NO_MORE_CONNECTIONS)
    assert classify(_wrapped(refusal)) is REFUSED
    assert classify(refusal) is REFUSED


@pytest.mark.parametrize(
    "exc",
    [
        _wrapped(RequestResponseError("KNX bus did not respond in time (1.0 secs)")),
        _wrapped(ConnectionRefusedError(111, "Connection refused")),
        TimeoutError(),
        OSError(101, "Network is unreachable"),
    ],
)
def test_silence_and_socket_errors_count_as_unreachable(exc: BaseException) -> None:
    assert classify(exc) is UNREACHABLE

"""The scan progress bar and the results table of ``gateway touchlink``."""

from __future__ import annotations

import io
from typing import Any

from gateway.cli.touchlink import progress_line, results_table, wait_for_scan


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class ScriptedApi:
    def __init__(self, bodies: list[dict[str, Any]]) -> None:
        self.bodies = bodies

    def call(self, method: str, path: str) -> dict[str, Any]:
        assert (method, path) == ("GET", "/touchlink/scan")
        return self.bodies.pop(0)


def test_progress_bar_follows_time_and_the_found_count_then_completes():
    scanning = {"scanstate": "scanning", "result": {"1": {}}}
    done = {"scanstate": "idle", "result": {"1": {}, "2": {}}}
    now = iter([0.0, 4.5, 4.5, 20.0, 20.0])
    out = Terminal()
    body = wait_for_scan(
        ScriptedApi([scanning, scanning, done]),  # type: ignore[arg-type]
        60,
        out,
        clock=lambda: next(now),
        sleep=lambda _: None,
    )
    assert body is done
    frames = out.getvalue().split("\r")[1:]
    assert frames[0] == progress_line(0.5, 1)
    assert " 50 %  scanning, 1 found" in frames[0]
    assert frames[-1] == progress_line(1.0, 2, done=True) + "\n"


def test_progress_bar_waits_at_99_percent_until_the_scan_is_done():
    assert progress_line(3.0, 0).startswith("[" + "#" * 30 + "]  99 %")
    assert progress_line(0.0, 0) == "[" + "." * 30 + "]   0 %  scanning, 0 found"


def test_no_progress_bar_when_not_on_a_terminal():
    out = io.StringIO()
    wait_for_scan(ScriptedApi([{"scanstate": "idle", "result": {}}]), 60, out)  # type: ignore[arg-type]
    assert out.getvalue() == ""


def test_results_table_orders_ids_numerically():
    item = {"address": "0x0017880100bfbfed", "factorynew": True, "channel": 11, "panid": 65535}
    body = {
        "lastscan": "2024-05-01T12:00:00",
        "result": {str(i): dict(item, rssi=-i) for i in (10, 2, 1)},
    }
    lines = results_table(body).splitlines()
    assert [line.split()[0] for line in lines[1:4]] == ["1", "2", "10"]
    assert lines[1].split()[-2:] == ["-1", "dBm"]
    assert lines[-1] == "3 device(s), last scan 2024-05-01T12:00:00 UTC"


def test_results_table_without_results_says_so():
    text = results_table({"lastscan": "none", "result": {}})
    assert text == "no touchlink devices found (last scan: none)"

"""The rules files load without a warning, and the harness itself: it sees a broken rules
file, and its runs leave the host's /dev and /run untouched."""

from __future__ import annotations

from pathlib import Path

from tests.lifecycle.udev.sandbox import RULES_FILES, needs_udev, run_udev
from tests.lifecycle.udev.sticks import CONBEE2

pytestmark = needs_udev


def test_rules_files_load_without_warnings(tmp_path: Path) -> None:
    run = run_udev(tmp_path, [CONBEE2])
    complaints = [
        line
        for line in run.output.splitlines()
        for rule in RULES_FILES
        if line.startswith(f"/etc/udev/rules.d/{rule.name}:")
    ]
    assert complaints == []
    assert all(f"Reading rules file: /etc/udev/rules.d/{r.name}" in run.output for r in RULES_FILES)


def test_harness_sees_a_broken_rules_file(tmp_path: Path) -> None:
    """Guards the test above: a parse error in a rules file does show up in the output."""
    broken = tmp_path / "50-broken.rules"
    broken.write_text('SUBSYSTEM=="tty", ATTRS{idVendor}="1cf1", SYMLINK+="x"\n')
    run = run_udev(tmp_path, [CONBEE2], rules=[*RULES_FILES, broken])
    assert "/etc/udev/rules.d/50-broken.rules:1 Invalid operator for ATTRS." in run.output


def test_udev_runs_leave_the_host_dev_and_run_untouched(tmp_path: Path) -> None:
    watched = [Path("/dev/zigbee"), Path("/dev/zigbee-conbee2"), Path("/run/udev/data/c166:0")]
    before = {p: p.exists() or p.is_symlink() for p in watched}
    run_udev(tmp_path, [CONBEE2])
    assert {p: p.exists() or p.is_symlink() for p in watched} == before
    assert (tmp_path / "ns" / "dev" / "zigbee").is_symlink()

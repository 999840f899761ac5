"""The README documents what a newcomer needs: the two commands and every setting."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import get_type_hints

from gateway.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_starts_with_the_two_commands():
    commands = README.index("## Two commands")
    assert README.index("make run", commands) < README.index("## Configuration")
    assert README.index("make test", commands) < README.index("## Configuration")


def test_every_setting_is_in_the_readme_table():
    missing = [
        f"{section}.{f.name}"
        for section, cls in get_type_hints(Settings).items()
        for f in dataclasses.fields(cls)
        if f"`{f.name}`" not in README
    ]
    assert missing == []


def test_ci_runs_exactly_the_readme_test_command():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert [line for line in ci.splitlines() if line.startswith("make")] == ["make test"]

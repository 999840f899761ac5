"""Which child processes of this test run are alive: for tests that prove a child ends
with its parent, or comes back after a kill."""

from __future__ import annotations

import os
from pathlib import Path


def our_children(*markers: bytes) -> list[int]:
    """The pids of this process's living (not zombie) children whose command line holds every
    one of ``markers`` (e.g. ``b"hil.virtual_rig"`` and a test's own directory, so children of
    fixtures that outlive one test, such as the HIL suite's session rig, are not counted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        # The command name in parentheses may hold spaces: read the fields after it.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        ours = int(ppid) == os.getpid() and state != "Z"
        if ours and all(marker in cmdline for marker in markers):
            found.append(int(entry.name))
    return found

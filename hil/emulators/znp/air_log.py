"""What a sniffer next to the rig would see: every APS frame put on the air.

Why next to the MT frame log: the MT log shows what the host asked for, this one shows
what went over the radio because of it. A groupcast is one frame on the air however
many lamps act on it; a test can count exactly that (``dst_mode == "group"`` with its
group id) instead of inferring it from lamp state. Records are plain dicts so the
control socket can hand them out unchanged.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from typing import Any

from .air import ApsFrame

#: "down" = sent by the coordinator, "up" = sent by a device.
Direction = str


class AirLog:
    """A bounded history of frames on the air, numbered from 1."""

    def __init__(self, maxlen: int = 2000) -> None:
        self._records: deque[dict[str, Any]] = deque(maxlen=maxlen)
        self._seq = itertools.count(1)
        self.last_seq = 0

    def record(self, direction: Direction, frame: ApsFrame) -> None:
        """An :class:`~.air.Air` observer: called once per frame put on the air."""
        self.last_seq = next(self._seq)
        self._records.append(
            {
                "seq": self.last_seq,
                "time": time.time(),
                "dir": direction,
                "src": frame.src,
                "src_ieee": None if frame.src_ieee is None else str(frame.src_ieee),
                "dst_mode": frame.dst_mode.value,
                "dst": frame.dst,
                "src_ep": frame.src_ep,
                "dst_ep": frame.dst_ep,
                "profile": frame.profile,
                "cluster": frame.cluster,
                "data": frame.data.hex(),
            }
        )

    def records(
        self,
        since: int = 0,
        *,
        dst_mode: str | None = None,
        group: int | None = None,
        cluster: int | None = None,
    ) -> list[dict[str, Any]]:
        """Frames after ``since``, optionally only one addressing mode, group or cluster
        (``group`` implies group addressing)."""
        mode = "group" if group is not None else dst_mode
        return [
            r
            for r in self._records
            if r["seq"] > since
            and (mode is None or r["dst_mode"] == mode)
            and (group is None or r["dst"] == group)
            and (cluster is None or r["cluster"] == cluster)
        ]

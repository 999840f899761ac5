"""Suite-wide rules for running the tests on two workers (pytest-xdist), as ``make test`` does.

``make test`` runs ``pytest -n 2 --dist loadgroup``. Here a work group is a test file, so a
file's module fixtures start once and its tests keep their order, except where more than a
file shares state and must stay on one worker, in order: the HIL scenarios (one rig per
session; later scenarios use what earlier ones paired) and the page's browser story
(``tests/web/page``, one gateway and one browser for its numbered steps).

Two things are done here rather than with xdist's ``xdist_group`` mark, because they do not
work with the pinned pytest (9.2 builds node ids from structured parts, so xdist's rewrite of
``item._nodeid`` is lost and schemathesis' items of one test share one node id):

* the scheduler groups node ids by :func:`work_group` itself (xdist's public
  ``pytest_xdist_make_scheduler`` hook);
* items that share a node id (schemathesis makes one per API operation) get the operation as
  their parameter, so each runs exactly once on some worker (xdist sends work by node id).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

_SHARED_GROUPS = ("hil", "tests/web/page")


def work_group(nodeid: str) -> str:
    """The unit of work a test belongs to: its shared group, or its file."""
    file = nodeid.split("::", 1)[0].split("@", 1)[0]
    for group in _SHARED_GROUPS:
        if file == group or file.startswith(group + "/"):
            return group
    return file


class WorkGroupScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with :func:`work_group` as the scope: whole groups per worker,
    in collection order (``testpaths`` lists ``hil`` first: the longest group starts first)."""

    def _split_scope(self, nodeid: str) -> str:
        return work_group(nodeid)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    """Our grouping for ``--dist loadgroup``; other modes keep xdist's own schedulers."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return WorkGroupScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give items that share a node id a parameter of their own (see the module docstring)."""
    counts = Counter(item.nodeid for item in items)
    seen: Counter[str] = Counter()
    for item in items:
        nodeid = item.nodeid
        if counts[nodeid] == 1:
            continue
        seen[nodeid] += 1
        label = getattr(item, "operation_label", None) or f"#{seen[nodeid]}"
        item._id = item.id.with_params(label)  # type: ignore[attr-defined]  # pytest 9.2's node id

"""The handler signature shared by all subsystem tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..zstack import ZStack

Handler = Callable[["ZStack", Any], list[Any]]

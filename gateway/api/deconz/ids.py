"""The one parser for numeric resource ids in deCONZ paths (``/lights/7``, ``/touchlink/2``).

Why: deCONZ ids are small decimal numbers ("1", "12"); "01" is not light 1 and "+1" is no
id at all. Converting with ``int()`` straight from the path turned an id of 4,301 digits
into a 500 (Python refuses to convert strings that long). Here anything that is not a plain
decimal of at most :data:`MAX_ID_DIGITS` digits is simply "no such resource" (error 3).
"""

from __future__ import annotations

from typing import Final

MAX_ID_DIGITS: Final = 10
"""deCONZ ids are unsigned 32-bit numbers: at most ten digits."""
MAX_PATH_PARAM: Final = 256
"""No path parameter of the API (ids, API keys, key ids) is longer; longer ones do not exist."""


def resource_number(text: str) -> int | None:
    """``"7"`` -> 7; None for ``"07"``, ``"-1"``, ``"1e3"``, ``"٣"`` or eleven digits and more."""
    if not 0 < len(text) <= MAX_ID_DIGITS or not text.isascii() or not text.isdigit():
        return None
    if len(text) > 1 and text[0] == "0":
        return None
    number = int(text)
    return number if number <= 0xFFFFFFFF else None


def resource_id(text: str) -> str | None:
    """``text`` itself when it is a valid id (for services that take the string), else None."""
    return text if resource_number(text) is not None else None

"""Group address parsing: one canonical string per address.

Why canonical strings: the Thinknx catalogue, the API and the bus may spell one address
differently ("1/0/1", "1/0/01", the free form "2049"); the status cache and subscriptions
are keyed by the three-level form so that all of them meet.
"""

from __future__ import annotations

from xknx.exceptions import CouldNotParseAddress
from xknx.telegram.address import GroupAddress

from .errors import KnxAddressError


def parse_group_address(text: str) -> GroupAddress:
    """The xknx address for ``text``; raises :class:`KnxAddressError` for anything else.

    0/0/0 is refused: it is the broadcast address, not a group anyone configured.
    """
    if not isinstance(text, str):
        raise KnxAddressError(f"group address must be a string, got {text!r}")
    try:
        address = GroupAddress(text.strip())
    except CouldNotParseAddress as exc:
        raise KnxAddressError(f"not a group address: {text!r} ({exc.message})") from None
    if address.raw == 0:
        raise KnxAddressError("group address 0/0/0 is the broadcast address")
    return address


def canonical(address: GroupAddress) -> str:
    """Three-level form ("1/0/1"), whatever xknx's global display format is set to."""
    raw = address.raw
    return f"{raw >> 11 & 0x1F}/{raw >> 8 & 0x07}/{raw & 0xFF}"


def normalize(text: str) -> str:
    """Canonical string of a group address given in any form xknx reads."""
    return canonical(parse_group_address(text))


__all__ = ["GroupAddress", "canonical", "normalize", "parse_group_address"]

"""Errors of the KNX layer, so the APIs can map each to its answer without importing xknx.

``KnxUnavailable`` and ``KnxTimeout`` are "impossible to execute" for the Thinknx API (the bus
is there but we cannot use it now); ``KnxAddressError`` and ``dpt.DptValueError`` are "params
errors" (the request itself is wrong), which is why those two are ``ValueError``s.
"""

from __future__ import annotations


class KnxError(Exception):
    """Base of every error the KNX layer raises on purpose."""


class KnxUnavailable(KnxError):
    """The link is down (connecting, lost, stopped or disabled): fail fast, do not wait."""


class KnxTimeout(KnxError):
    """A bounded wait ran out: a send not confirmed, a read not answered, no feedback."""


class KnxAddressError(KnxError, ValueError):
    """A group address string that KNX cannot carry."""


class KnxConfigError(KnxError, ValueError):
    """The ``[knx]`` settings cannot work together; the message names the key."""

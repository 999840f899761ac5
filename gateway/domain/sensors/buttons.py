"""deCONZ's button events: ``buttonevent = button * 1000 + event``.

Why a table of its own: apps and Home Assistant automations are written against these
numbers (deCONZ "Button events" page): 1002 is "button 1, short release" on every remote.
The radio side tells *which* button did *what*; this module turns that into the number,
and names each remote's buttons in the order deCONZ numbers them.
"""

from __future__ import annotations

from enum import IntEnum


class ButtonAction(IntEnum):
    """The event part of a ``buttonevent`` (its last three digits)."""

    INITIAL_PRESS = 0
    HOLD = 1
    SHORT_RELEASE = 2
    LONG_RELEASE = 3
    DOUBLE_PRESS = 4
    TREBLE_PRESS = 5
    QUADRUPLE_PRESS = 6
    SHAKE = 7
    DROP = 8
    TILT = 9
    MANY_PRESS = 10


# Button numbers per remote, as deCONZ numbers them.
HUE_DIMMER_BUTTONS = {"on": 1, "up": 2, "down": 3, "off": 4}
IKEA_REMOTE_BUTTONS = {"toggle": 1, "up": 2, "down": 3, "left": 4, "right": 5}


def button_event(button: int, action: ButtonAction) -> int:
    """The ``buttonevent`` value; buttons are numbered from 1."""
    if not 1 <= button <= 99:
        raise ValueError(f"button {button} out of range 1..99")
    return button * 1000 + int(action)


def split_button_event(value: int) -> tuple[int, ButtonAction]:
    """The inverse of :func:`button_event` (for rules and tests)."""
    button, action = divmod(value, 1000)
    return button, ButtonAction(action)

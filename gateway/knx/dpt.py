"""The datapoint types the gateway sends and reads, and the one table that maps them to xknx.

Why a table of our own on top of xknx's transcoders: the REST APIs hand us numbers taken from
query strings, and a value that cannot be represented must become a 400 before anything
reaches the bus. xknx accepts too much for that (``int(3.7)`` truncates to 3, ``struct``
overflows escape as ``OverflowError``, a NaN is packed into DPT 14 as is) and its DPT 2/3
transcoders take dataclasses, not numbers. So every entry here says what the API may pass
(kind, range, unit) and xknx does the bit work. The number forms follow the Thinknx
``sendKNX*`` commands: DPT 2 is the raw 2-bit value (control << 1 | value), DPT 3 the raw
nibble (bit 3 direction, bits 0-2 step code). The bindings' DPTs follow the same rule:
17.001 is the scene number as ETS shows it (1..64), 18.001 is ``64 * learn + scene - 1``
(the byte with its learn bit moved next to the number, so the range has no holes), 232.600
is ``0xRRGGBB``.

``encode(dpt, value)`` and ``decode(dpt, payload)`` accept ``"9"``, ``"9.001"``, ``"DPT9.001"``
and ``"DPST-9-1"``; a sub-number selects its own entry where its range differs (5.001 percent,
5.003 angle), otherwise the main number's entry applies (every 9.xxx is the same 2-byte float).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Final

from xknx.dpt.dpt import DPTBase
from xknx.dpt.dpt_1 import Bool, DPT1BitBoolean, Step
from xknx.dpt.dpt_2 import BoolControl, DPT2BitBoolean
from xknx.dpt.dpt_3 import ControlDimming, DPTControlDimming
from xknx.dpt.dpt_5 import DPTAngle, DPTScaling, DPTValue1ByteUnsigned
from xknx.dpt.dpt_6 import DPTSignedRelativeValue
from xknx.dpt.dpt_7 import DPTColorTemperature
from xknx.dpt.dpt_9 import DPT2ByteFloat
from xknx.dpt.dpt_14 import DPT4ByteFloat
from xknx.dpt.dpt_17 import DPTSceneNumber
from xknx.dpt.dpt_18 import DPTSceneControl, SceneControl
from xknx.dpt.dpt_232 import DPTColorRGB, RGBColor
from xknx.dpt.payload import DPTArray, DPTBinary
from xknx.exceptions import ConversionError, CouldNotParseTelegram

Payload = DPTBinary | DPTArray
Number = int | float

FLOAT32_MAX: Final = 3.4028234663852886e38
"""Largest finite IEEE 754 single; DPT 14 carries nothing beyond it."""


class DptError(ValueError):
    """Base of the DPT errors; a ``ValueError`` so callers may treat both as bad input."""


class DptValueError(DptError):
    """A value cannot be sent as that DPT (not a number, out of range, not integral)."""


class UnsupportedDpt(DptError):
    """The DPT is not one the gateway knows how to encode."""


class Kind(Enum):
    """What Python numbers a DPT accepts from the API."""

    BOOL = "bool"  # True/False or 0/1
    INT = "int"  # integral numbers only (3.0 is fine, 3.5 is not)
    FLOAT = "float"  # any finite real number in range


@dataclass(frozen=True)
class DptSpec:
    """One datapoint type: what the API may pass, and how xknx turns it into bits.

    ``to_knx``/``from_knx`` default to the xknx transcoder's own methods; DPT 1/2/3 override
    them because their xknx transcoders speak enums and dataclasses rather than numbers.
    ``precision`` is the largest difference a round trip may show for a given value (0 for
    exact formats); the property tests hold every entry to it.
    """

    dpt: str
    title: str
    kind: Kind
    minimum: Number
    maximum: Number
    unit: str
    transcoder: type[DPTBase]
    precision: Callable[[float], float]
    to_knx: Callable[[Number], Payload] | None = None
    from_knx: Callable[[Payload], Number] | None = None

    def encode(self, value: Number) -> Payload:
        """Bits for an already validated value."""
        if self.to_knx is not None:
            return self.to_knx(value)
        return self.transcoder.to_knx(value)

    def decode(self, payload: Payload) -> Number:
        """Number for a payload; xknx raises for a payload of the wrong type or length."""
        if self.from_knx is not None:
            return self.from_knx(payload)
        result = self.transcoder.from_knx(payload)
        if isinstance(result, bool) or not isinstance(result, int | float):
            raise DptValueError(f"DPT {self.dpt}: transcoder returned {result!r}")
        return result


# --- DPT 1/2/3: numbers in, xknx enums and dataclasses underneath -------------------------


def _bit_to_knx(value: Number) -> Payload:
    bits = DPT1BitBoolean.to_knx(Bool(bool(value)))
    # xknx keeps the enum's bool as the payload value; an int keeps reprs and logs uniform.
    return DPTBinary(1 if bits == DPTBinary(1) else 0)


def _bit_from_knx(payload: Payload) -> Number:
    return int(DPT1BitBoolean.from_knx(payload).value)


def _two_bit_to_knx(value: Number) -> Payload:
    return DPT2BitBoolean.to_knx(BoolControl.from_raw(int(value)))


def _two_bit_from_knx(payload: Payload) -> Number:
    data = DPT2BitBoolean.from_knx(payload)
    return int(data.control) << 1 | int(data.value.value)


def _nibble_to_knx(value: Number) -> Payload:
    raw = int(value)
    return DPTControlDimming.to_knx(ControlDimming(control=Step(bool(raw >> 3)), step_code=raw & 7))


def _nibble_from_knx(payload: Payload) -> Number:
    data = DPTControlDimming.from_knx(payload)
    return int(data.control.value) << 3 | data.step_code


def _scene_control_to_knx(value: Number) -> Payload:
    number = int(value)
    return DPTSceneControl.to_knx(SceneControl(scene_number=(number & 63) + 1, learn=number >= 64))


def _scene_control_from_knx(payload: Payload) -> Number:
    data = DPTSceneControl.from_knx(payload)
    return (64 if data.learn else 0) | (data.scene_number - 1)


def _rgb_to_knx(value: Number) -> Payload:
    number = int(value)
    color = RGBColor(red=number >> 16 & 0xFF, green=number >> 8 & 0xFF, blue=number & 0xFF)
    return DPTColorRGB.to_knx(color)


def _rgb_from_knx(payload: Payload) -> Number:
    color = DPTColorRGB.from_knx(payload)
    return color.red << 16 | color.green << 8 | color.blue


def _exact(_value: float) -> float:
    return 0.0


def _percent_precision(_value: float) -> float:
    # 0..100 % on 0..255: half a raw step (0.196 %), then xknx rounds to a whole percent.
    return 0.5 + 50 / 255


def _angle_precision(_value: float) -> float:
    # 0..360 ° on 0..255: half a raw step (0.706 °), then xknx rounds to a whole degree.
    return 0.5 + 180 / 255


def _float16_precision(value: float) -> float:
    # 11-bit mantissa of 0.01 * 2**exponent: half a step, which is 0.005 or |v|/2047 at most.
    return max(0.005, abs(value) / 2047) * (1 + 1e-9)


def _float32_precision(value: float) -> float:
    # IEEE single rounding (2**-24), then xknx rounds to 7 significant digits (5e-7);
    # below the normal range the absolute spacing of subnormals (1.4e-45) is what is left.
    return max(abs(value) * 1e-6, 1.5e-45)


# --- the table --------------------------------------------------------------------------------

_SPECS: Final[tuple[DptSpec, ...]] = (
    DptSpec("1", "1 bit (switch, up/down, enable, trigger)", Kind.BOOL, 0, 1, "",
            DPT1BitBoolean, _exact, _bit_to_knx, _bit_from_knx),
    DptSpec("2", "2 bit control (control << 1 | value)", Kind.INT, 0, 3, "",
            DPT2BitBoolean, _exact, _two_bit_to_knx, _two_bit_from_knx),
    DptSpec("3", "4 bit step (bit 3 direction, bits 0-2 step code)", Kind.INT, 0, 15, "",
            DPTControlDimming, _exact, _nibble_to_knx, _nibble_from_knx),
    DptSpec("3.007", "4 bit dimming control (bit 3 increase, bits 0-2 step code, 0 = stop)",
            Kind.INT, 0, 15, "", DPTControlDimming, _exact, _nibble_to_knx, _nibble_from_knx),
    DptSpec("5", "1 byte unsigned", Kind.INT, 0, 255, "",
            DPTValue1ByteUnsigned, _exact),
    DptSpec("5.001", "1 byte percent", Kind.FLOAT, 0, 100, "%",
            DPTScaling, _percent_precision),
    DptSpec("5.003", "1 byte angle", Kind.FLOAT, 0, 360, "°",
            DPTAngle, _angle_precision),
    DptSpec("6", "1 byte signed", Kind.INT, -128, 127, "",
            DPTSignedRelativeValue, _exact),
    DptSpec("7.600", "2 byte colour temperature", Kind.INT, 0, 65535, "K",
            DPTColorTemperature, _exact),
    DptSpec("9", "2 byte float", Kind.FLOAT, -671088.64, 670433.28, "",
            DPT2ByteFloat, _float16_precision),
    DptSpec("14", "4 byte IEEE float", Kind.FLOAT, -FLOAT32_MAX, FLOAT32_MAX, "",
            DPT4ByteFloat, _float32_precision),
    DptSpec("17.001", "scene number (scene 1 is 0 on the wire)", Kind.INT, 1, 64, "",
            DPTSceneNumber, _exact),
    DptSpec("18.001", "scene control (64 | scene - 1 to learn, scene - 1 to recall)",
            Kind.INT, 0, 127, "", DPTSceneControl, _exact,
            _scene_control_to_knx, _scene_control_from_knx),
    DptSpec("232.600", "RGB colour 0xRRGGBB", Kind.INT, 0, 0xFFFFFF, "",
            DPTColorRGB, _exact, _rgb_to_knx, _rgb_from_knx),
)  # fmt: skip

DPTS: Final[dict[str, DptSpec]] = {spec.dpt: spec for spec in _SPECS}
"""Every supported DPT by its canonical name ("1", "5.001", ...)."""

_DPT_RE: Final = re.compile(r"^(?:DPT[-_ ]?|DPST-)?(\d{1,3})(?:[.-](\d{1,3}))?$", re.IGNORECASE)


def spec(dpt: str) -> DptSpec:
    """The entry for ``dpt``; raises :class:`UnsupportedDpt` for anything not in the table."""
    if not isinstance(dpt, str):
        raise UnsupportedDpt(f"DPT must be a string like '9.001', got {dpt!r}")
    match = _DPT_RE.match(dpt.strip())
    if match is None:
        raise UnsupportedDpt(f"not a DPT: {dpt!r}")
    main, sub = int(match.group(1)), match.group(2)
    if sub is not None and (found := DPTS.get(f"{main}.{int(sub):03d}")) is not None:
        return found
    if (found := DPTS.get(str(main))) is not None:
        return found
    raise UnsupportedDpt(f"DPT {dpt} is not supported (supported: {', '.join(DPTS)})")


def check(dpt: str, value: object) -> Number:
    """Validate ``value`` for ``dpt`` and return it as the number that will be encoded."""
    entry = spec(dpt)
    if isinstance(value, bool):
        if entry.kind is not Kind.BOOL:
            raise DptValueError(f"DPT {entry.dpt}: expected a number, got a boolean")
        return int(value)
    if not isinstance(value, int | float):
        raise DptValueError(f"DPT {entry.dpt}: expected a number, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise DptValueError(f"DPT {entry.dpt}: {value} is not a finite number")
    if entry.kind is not Kind.FLOAT and isinstance(value, float):
        if not value.is_integer():
            raise DptValueError(f"DPT {entry.dpt}: {value} is not a whole number")
        value = int(value)
    if not entry.minimum <= value <= entry.maximum:
        raise DptValueError(
            f"DPT {entry.dpt}: {value} is out of range {entry.minimum:g}..{entry.maximum:g}"
        )
    return value


def encode(dpt: str, value: object) -> Payload:
    """The payload for ``value`` as ``dpt``; raises :class:`DptValueError` before any I/O."""
    number = check(dpt, value)
    try:
        return spec(dpt).encode(number)
    except (ConversionError, OverflowError, ValueError) as exc:  # pragma: no cover - check() guards
        raise DptValueError(f"DPT {dpt}: cannot encode {value!r} ({exc})") from None


def decode(dpt: str, payload: object) -> Number:
    """The number a bus payload carries as ``dpt``.

    Raises :class:`DptValueError` for a payload of the wrong shape (a sensor on the bus
    configured with another DPT) and for values that are not finite numbers (DPT 9's
    "invalid data" 0x7FFF, a NaN in DPT 14), so callers never have to guard JSON output.
    """
    entry = spec(dpt)
    if not isinstance(payload, DPTBinary | DPTArray):
        raise DptValueError(f"DPT {entry.dpt}: not a KNX payload: {payload!r}")
    try:
        value = entry.decode(payload)
    except (ConversionError, CouldNotParseTelegram) as exc:
        raise DptValueError(
            f"DPT {entry.dpt}: cannot decode {payload!r} ({exc.description})"
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise DptValueError(f"DPT {entry.dpt}: payload {payload!r} is not a finite number")
    return value

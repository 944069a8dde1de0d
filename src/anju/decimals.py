"""Decimal helpers: 四舍五入 (ROUND_HALF_UP) everywhere, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

HUNDRED = Decimal(100)
MAX_EXPONENT = 17
"""Every number anju reads stays below 10^18 in magnitude (figures have lower limits per kind:
:data:`anju.framework.models.FIGURE_LIMITS`), so no rounding or formatting can overflow."""
SHOWN_DECIMALS = 2
"""Places a figure, a score or a percent is shown with unless a rule declares otherwise."""


def round_half_up(value: Decimal, decimals: int = 2) -> Decimal:
    """Round ``value`` to ``decimals`` places, halves away from zero (四舍五入)."""
    exp = Decimal(1).scaleb(-decimals)
    return value.quantize(exp, rounding=ROUND_HALF_UP)


def round_fraction(value: Fraction, decimals: int = 2) -> Decimal:
    """An exact ratio rounded half up (四舍五入) to ``decimals`` places, once: 246999 / 2000000 × 1000
    = 123.4995 exactly, so 1.234995 → 1.23 (never 1.24 from rounding a rounded value again)."""
    scaled = value * 10**decimals
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return Decimal(-whole if scaled < 0 else whole).scaleb(-decimals)


def round_fraction_toward(value: Fraction, decimals: int, up: bool) -> Decimal:
    """``value`` rounded to ``decimals`` places toward +∞ (``up``) or −∞, for a display that must stay
    on one side of a bound."""
    scaled = value * 10**decimals
    whole = -((-scaled.numerator) // scaled.denominator) if up else scaled.numerator // scaled.denominator
    return Decimal(whole).scaleb(-decimals)


def plain(value: Decimal) -> str:
    """Format a Decimal without exponent and without trailing zeros: 88.00 → "88", 41256.620 → "41256.62"."""
    if not value.is_finite():
        raise ValueError(f"不是有限的数值：{value}")
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def rounded_text(value: Decimal, decimals: int = SHOWN_DECIMALS) -> str:
    """Rounded half up, then without trailing zeros: 32.8263 → "32.83", 88.00 → "88"."""
    return plain(round_half_up(value, decimals))


def percent_text(value: Decimal, decimals: int | None = SHOWN_DECIMALS) -> str:
    """A percent with its sign: 32.8263 → "32.83%"; ``decimals`` None keeps every digit."""
    return (plain(value) if decimals is None else rounded_text(value, decimals)) + "%"


def fixed(value: Decimal, decimals: int) -> str:
    """Format with exactly ``decimals`` places after rounding half up."""
    return format(round_half_up(value, decimals), "f")


def to_decimal(raw: object) -> Decimal:
    """Convert a scalar from YAML or a form to Decimal, refusing floats' binary noise.

    Raises ValueError with a Chinese message when the value is not a number.
    """
    if isinstance(raw, bool):
        raise ValueError(f"应为数值，实为布尔值“{raw}”")
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        # Only reachable from callers that bypass the Decimal-aware YAML loader.
        return Decimal(repr(raw))
    if isinstance(raw, str):
        text = raw.strip().replace(",", "").replace("，", "")
        if "_" in text:  # Python reads 1_000 as 1000; YAML 1.2 and a clerk do not
            raise ValueError(f"应为数值，实为“{raw}”")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"应为数值，实为“{raw}”") from None
        if not value.is_finite():
            raise ValueError(f"应为有限数值，实为“{raw}”")
        return value
    if isinstance(raw, dict):
        raise ValueError("应为数值，实为键值映射")
    if isinstance(raw, list | tuple):
        raise ValueError("应为数值，实为列表")
    if hasattr(raw, "isoformat"):
        raise ValueError(f"应为数值，实为日期“{raw.isoformat()}”")
    raise ValueError("应为数值")

"""Decimal helpers: 四舍五入 (ROUND_HALF_UP) everywhere, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)
SHOWN_DECIMALS = 2
"""Places a figure, a score or a percent is shown with unless a rule declares otherwise."""


def round_half_up(value: Decimal, decimals: int = 2) -> Decimal:
    """Round ``value`` to ``decimals`` places, halves away from zero (四舍五入)."""
    exp = Decimal(1).scaleb(-decimals)
    return value.quantize(exp, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """Format a Decimal without exponent and without trailing zeros: 88.00 → "88", 41256.620 → "41256.62"."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
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
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"应为数值，实为“{raw}”") from None
        if not value.is_finite():
            raise ValueError(f"应为有限数值，实为“{raw}”")
        return value
    raise ValueError(f"应为数值，实为“{raw!r}”")

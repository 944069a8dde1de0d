"""The one reader of a value a unit enters: a workbook cell, a web form field or an API field.

:func:`read_value` turns what was typed (text, or what calamine read from a cell: a number, a
boolean, a date) into a figure (blank ``None``, a Decimal, or 不适用) or a yes/no answer, with the
same accepted spellings, the same limits (:data:`anju.framework.models.FIGURE_LIMITS`) and the same
Chinese messages whichever way it came in. It raises :class:`EntryError` with a code from
:class:`anju.problems.EntryCode`; the caller adds where (sheet and cell, form row, API field).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from anju.collect.rows import NO, NOT_APPLICABLE_TEXT, YES, EntryRow
from anju.dataset.models import NA_SPELLINGS, NOT_APPLICABLE, FigureValue
from anju.decimals import plain
from anju.framework.models import FIGURE_LIMITS, PERCENT_MAX, FigureSpec, limit_breach
from anju.problems import EntryCode

YES_WORDS = frozenset({YES, "是的", "有", "yes", "y", "true", "1"})
NO_WORDS = frozenset({NO, "没有", "无", "no", "n", "false", "0"})
FLOAT_NOISE = Decimal("1e-9")
"""A computed cell's binary noise (0.30000000000000004) below this is rounded away."""
THOUSANDS = (",", "，")
EXACT_FLOAT = 1e16
"""Floats below this magnitude that hold a whole number are shown without ".0"."""
SHOWN_EXPONENT = 30
"""Decimals beyond this exponent are shown in scientific form rather than written out."""

Entered = FigureValue | bool
_FLOAT_MAXIMUM = {kind: float(min(limit.maximum, PERCENT_MAX + 1 if kind == "percent" else limit.maximum))
                  for kind, limit in FIGURE_LIMITS.items()}
"""The exclusive bound below which a whole float is within its kind's limits (percent: up to 100)."""


class EntryError(ValueError):
    """A value that cannot be accepted; ``message`` names the row and says what to type instead."""

    def __init__(self, code: EntryCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def shown(raw: object) -> str:
    """What the user sees of a raw value, for messages (no Python reprs)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        if math.isfinite(raw) and raw == int(raw) and abs(raw) < EXACT_FLOAT:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, Decimal):
        return plain(raw) if raw.is_finite() and abs(raw.adjusted()) < SHOWN_EXPONENT else str(raw)
    if isinstance(raw, dt.datetime | dt.date | dt.time):
        return raw.isoformat()
    return str(raw).strip()


def normalized_text(raw: object) -> str:
    """Full-width forms folded (NFKC: １２３ → 123, ： → :), surrounding spaces removed."""
    if type(raw) is str:
        return _normalized_str(raw)
    return unicodedata.normalize("NFKC", shown(raw)).strip()


@lru_cache(maxsize=8192)
def _normalized_str(text: str) -> str:
    """:func:`normalized_text` of a string: labels and answers recur in every workbook of a batch."""
    return unicodedata.normalize("NFKC", text.strip()).strip()


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def read_value(row: EntryRow, raw: object, *, not_applicable: bool = False) -> Entered:
    """The value of one row; ``None`` for a blank (the caller decides whether that is allowed).

    ``not_applicable`` is the web form's 不适用 tick; typing 不适用 means the same.
    """
    if row.question:
        return None if is_blank(raw) else _answer(row, raw)
    spec = row.spec
    text = normalized_text(raw) if isinstance(raw, str) else ""
    if not_applicable or (isinstance(raw, str) and (text in NA_SPELLINGS or text == NOT_APPLICABLE_TEXT)):
        return _not_applicable(row, spec, text, not_applicable)
    if is_blank(raw):
        return None
    return _number(row, spec, raw)


def _answer(row: EntryRow, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    word = normalized_text(raw).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise EntryError(EntryCode.ANSWER_INVALID, f"“{row.label}”应选择“{YES}”或“{NO}”，实为“{shown(raw)}”")


def _not_applicable(row: EntryRow, spec: FigureSpec, text: str, ticked: bool) -> FigureValue:
    if not spec.allow_not_applicable:
        raise EntryError(
            EntryCode.NOT_APPLICABLE_REFUSED,
            f"“{row.label}”不能填“{NOT_APPLICABLE_TEXT}”：没有发生的填 0；本单位没有该项目任务的，选择“无此项任务”",
        )
    if ticked and text and text not in NA_SPELLINGS and text != NOT_APPLICABLE_TEXT:
        raise EntryError(EntryCode.NOT_APPLICABLE_WITH_VALUE, f"“{row.label}”已选“{NOT_APPLICABLE_TEXT}”，数值栏应为空（现为“{text}”）")
    return NOT_APPLICABLE


def expected(spec: FigureSpec) -> str:
    if spec.kind == "count":
        return f"应为非负整数（{spec.unit}）"
    if spec.kind == "percent":
        return "应为0—100之间的数（按百分数填写）"
    return f"应为非负数（{spec.unit}）"


def _number(row: EntryRow, spec: FigureSpec, raw: object) -> Decimal:
    if type(raw) is float and raw.is_integer() and math.copysign(1.0, raw) > 0 and raw < _FLOAT_MAXIMUM[spec.kind]:
        return Decimal(int(raw))  # a whole number within its limits (most cells): what the checks below return
    name = f"“{row.label}”"
    value = _decimal(raw)
    if value is None:
        raise EntryError(EntryCode.NOT_A_NUMBER, f"{name}{expected(spec)}，实为“{shown(raw)}”")
    if value < 0:
        raise EntryError(EntryCode.NEGATIVE, f"{name}{expected(spec)}，实为“{shown(raw)}”")
    breach = limit_breach(spec.kind, spec.unit, value)
    if breach is not None and breach.code is EntryCode.TOO_MANY_DECIMALS and isinstance(raw, float):
        rounded = value.quantize(Decimal(1).scaleb(-FIGURE_LIMITS[spec.kind].decimals))
        if abs(rounded - value) < FLOAT_NOISE:  # a computed cell's binary noise, not a typed decimal
            value, breach = rounded, None
    if breach is not None:
        raise EntryError(breach.code, f"{name}{breach.reason}，实为“{shown(raw)}”")
    if value == value.to_integral_value():
        return value.to_integral_value()
    return value


def as_decimal(raw: object) -> Decimal | None:
    """A finite Decimal from what was typed or read from a cell (full-width digits, thousands
    separators and a float's repr accepted), or None when ``raw`` is not a number at all."""
    return _decimal(raw)


def _decimal(raw: object) -> Decimal | None:
    """A finite Decimal, or None when ``raw`` is not a number at all."""
    if isinstance(raw, bool | dt.datetime | dt.date | dt.time | dt.timedelta):
        return None
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw)) if math.isfinite(raw) else None
    text = normalized_text(raw)
    for sep in THOUSANDS:
        text = text.replace(sep, "")
    if "_" in text or not text:
        return None  # Python accepts 1_328; a clerk did not mean it
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None

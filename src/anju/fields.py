"""Field types with the limits a user's input must respect, shared by every model read from YAML.

* :data:`Year` — a whole number between :data:`MIN_YEAR` and :data:`MAX_YEAR` (never ``true``, never 10^20);
* :data:`Date` / :data:`DateTime` — a date written as ISO text (``2023-01-20``) or read as a date,
  never a number (``as_of: 0`` is not 1970-01-01);
* :data:`Title`, :data:`RegionName`, :data:`Narrative` — text no longer than the documents and
  file names built from it allow (python-docx refuses core properties over 255 characters; a file
  name holds at most 255 bytes);
* :func:`bounded_decimal` — the magnitude every Decimal of a model must stay under
  (:data:`anju.decimals.MAX_EXPONENT`), so no arithmetic or formatting can overflow.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from anju.decimals import MAX_EXPONENT

REGION_CODE_PATTERN = r"^[0-9]{6}$"
"""A GB/T 2260 code: six ASCII digits (``\\d`` would also match full-width ２２００００)."""
MIN_YEAR = 1990
MAX_YEAR = 2100
TITLE_MAX_CHARS = 200
"""A report title: python-docx allows 255 characters in the document's core properties."""
REGION_NAME_MAX_CHARS = 40
"""The longest official name of a Chinese administrative unit has about 20 characters."""
UNIT_NAME_MAX_CHARS = 60
"""A reporting unit's name with its scope, e.g. 长春市（市本级及市辖区）."""
NARRATIVE_MAX_CHARS = 20_000
"""One indicator's narrative, reason or explanation: several pages of text."""
NOTE_MAX_CHARS = 2_000
"""A short note (情况说明, source, note)."""


def _year(raw: Any) -> Any:
    if isinstance(raw, bool):
        raise ValueError(f"年度应为4位数字（如 2022），实为“{'true' if raw else 'false'}”")
    if isinstance(raw, int | Decimal) and not MIN_YEAR <= raw <= MAX_YEAR:
        raise ValueError(f"年度应在 {MIN_YEAR}—{MAX_YEAR} 之间，实为“{raw}”")
    return raw


def _date(raw: Any) -> Any:
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, dt.date | str) or raw is None:
        return raw
    raise ValueError(f"应为日期（如 2023-01-20），实为“{raw}”")


RegionCode = Annotated[str, Field(pattern=REGION_CODE_PATTERN)]
Year = Annotated[int, BeforeValidator(_year)]
Date = Annotated[dt.date, BeforeValidator(_date)]
DateTime = Annotated[dt.datetime, BeforeValidator(_date)]
Title = Annotated[str, Field(max_length=TITLE_MAX_CHARS)]
RegionName = Annotated[str, Field(min_length=1, max_length=REGION_NAME_MAX_CHARS)]
UnitName = Annotated[str, Field(max_length=UNIT_NAME_MAX_CHARS)]
Narrative = Annotated[str, Field(max_length=NARRATIVE_MAX_CHARS)]
Note = Annotated[str, Field(max_length=NOTE_MAX_CHARS)]


def too_large(value: object) -> bool:
    """Whether ``value`` is a Decimal beyond :data:`MAX_EXPONENT` (or not finite)."""
    if not isinstance(value, Decimal):
        return False
    return not value.is_finite() or (value != 0 and value.adjusted() > MAX_EXPONENT)


def bounded_decimal(value: Any, field: str) -> Any:
    """``value`` unchanged, or ValueError when it (or a value in it) is a Decimal too large to compute with."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else (value,)
    for item in items:
        if too_large(item):
            raise ValueError(f"字段“{field}”的数值过大（须小于 10 的 {MAX_EXPONENT + 1} 次方）")
    return value

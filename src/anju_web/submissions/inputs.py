"""Read what a user typed in one row: a figure (blank, a number, or 不适用 where the figure allows
it) or a yes/no answer — with a Chinese message naming the row when it is not acceptable. The
rules mirror the Excel import (:mod:`anju.adapters.xlsx_import`), so the web form and the workbook
accept exactly the same values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from anju.adapters.workbook_layout import FigureRow
from anju.dataset import NOT_APPLICABLE, FigureValue
from anju.dataset.models import NA_SPELLINGS, parse_figure

MAX_DECIMALS = {"amount": 2, "quantity": 2, "percent": 2, "count": 0}
MAX_ABS = Decimal("1e15")
YES_WORDS = frozenset({"是", "是的", "有", "yes", "true", "1"})
NO_WORDS = frozenset({"否", "没有", "无", "no", "false", "0"})


class FigureInputError(ValueError):
    pass


@dataclass(frozen=True)
class RowInput:
    """One row of the form: the typed text, the 不适用 tick, the 情况说明."""

    text: str | None = None
    not_applicable: bool = False
    explanation: str | None = None


Parsed = FigureValue | bool


def parse_row(row: FigureRow, given: RowInput) -> Parsed:
    raw = (given.text or "").strip()
    label = f"“{row.label}”"
    if row.question:
        if raw == "":
            return None
        if raw.lower() in YES_WORDS:
            return True
        if raw.lower() in NO_WORDS:
            return False
        raise FigureInputError(f"{label}应选择“是”或“否”，实为“{raw}”")
    spec = row.spec
    if given.not_applicable or raw in NA_SPELLINGS:
        if not spec.allow_not_applicable:
            raise FigureInputError(f"{label}不能选“不适用”：没有发生的填 0；本单位没有该项目任务的，勾选“无此项任务”")
        if raw and raw not in NA_SPELLINGS:
            raise FigureInputError(f"{label}已选“不适用”，数值栏应为空（现为“{raw}”）")
        return NOT_APPLICABLE
    try:
        value = parse_figure(raw)
    except ValueError as exc:
        raise FigureInputError(f"{label}{exc}") from None
    if not isinstance(value, Decimal):
        return value
    if value < 0:
        raise FigureInputError(f"{label}不能为负数（现为{raw}）")
    if abs(value) >= MAX_ABS:
        raise FigureInputError(f"{label}数值过大（现为{raw}）")
    places = MAX_DECIMALS[spec.kind]
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places:
        if places == 0:
            raise FigureInputError(f"{label}以{spec.unit}计，应为整数（现为{raw}）")
        raise FigureInputError(f"{label}最多保留{places}位小数（现为{raw}）")
    if spec.kind == "percent" and value > 100:
        raise FigureInputError(f"{label}是百分比，应在0到100之间（现为{raw}）")
    return value

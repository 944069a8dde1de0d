"""Read what a user typed for one figure: blank, a number, or 不适用 — with a Chinese message
naming the figure when it is not acceptable. This is input parsing, not validation of content:
content is checked by :func:`anju.checks.run_checks` after saving."""

from __future__ import annotations

from decimal import Decimal

from anju.dataset import NOT_APPLICABLE, FigureValue
from anju.dataset.models import parse_figure
from anju.framework.models import FigureSpec

MAX_DECIMALS = {"amount": 2, "quantity": 2, "percent": 2, "count": 0}
MAX_ABS = Decimal("1e15")


class FigureInputError(ValueError):
    pass


def parse_input(spec: FigureSpec, text: str | None, not_applicable: bool = False) -> FigureValue:
    raw = (text or "").strip()
    if not_applicable:
        if raw and raw not in {"不适用"}:
            raise FigureInputError(f"“{spec.label}”已选“不适用”，数值栏应为空（现为“{raw}”）")
        return NOT_APPLICABLE
    try:
        value = parse_figure(raw)
    except ValueError as exc:
        raise FigureInputError(f"“{spec.label}”{exc}") from None
    if not isinstance(value, Decimal):
        return value
    if value < 0:
        raise FigureInputError(f"“{spec.label}”不能为负数（现为{raw}）")
    if abs(value) >= MAX_ABS:
        raise FigureInputError(f"“{spec.label}”数值过大（现为{raw}）")
    places = MAX_DECIMALS[spec.kind]
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places:
        if places == 0:
            raise FigureInputError(f"“{spec.label}”以{spec.unit}计，应为整数（现为{raw}）")
        raise FigureInputError(f"“{spec.label}”最多保留{places}位小数（现为{raw}）")
    if spec.kind == "percent" and value > 100:
        raise FigureInputError(f"“{spec.label}”是百分比，应在0到100之间（现为{raw}）")
    return value

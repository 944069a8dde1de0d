"""Compute a rule's metric from a program's figures (pure, Decimal)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from anju.dataset.models import NOT_APPLICABLE, FigureValue
from anju.decimals import round_fraction, round_half_up
from anju.framework.models import Metric, Program

METRIC_DECIMALS = 4


@dataclass(frozen=True)
class MetricValue:
    """The outcome of computing a metric.

    ``value`` is in percent, rounded half up to four places, or ``None`` when the metric cannot
    be computed; then ``blank``, ``not_applicable`` or ``zero_denominator`` says why. ``exact`` is the
    same value without rounding (numerator × 100 ÷ denominator as a fraction): rules compare and
    compute with it, never with ``value``.
    """

    value: Decimal | None
    exact: Fraction | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    blank: tuple[str, ...] = ()
    not_applicable: tuple[str, ...] = ()
    zero_denominator: bool = False
    inputs: dict[str, FigureValue] = field(default_factory=dict)


def _sum(ids: list[str], figures: Mapping[str, FigureValue]) -> tuple[Decimal, list[str], list[str]]:
    total = Decimal(0)
    blank: list[str] = []
    na: list[str] = []
    for fid in ids:
        value = figures.get(fid)
        if value is None:
            blank.append(fid)
        elif value == NOT_APPLICABLE:
            na.append(fid)
        else:
            assert isinstance(value, Decimal)
            total += value
    return total, blank, na


def exact_percent(numerator: Decimal, denominator: Decimal) -> Fraction:
    return Fraction(numerator) * 100 / Fraction(denominator)


def ratio_percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    """numerator ÷ denominator in percent, rounded half up (once, from the exact ratio) to four places."""
    return round_fraction(exact_percent(numerator, denominator), METRIC_DECIMALS)


def compute_metric(
    metric: Metric, figures: Mapping[str, FigureValue], denominator: list[str] | None = None
) -> MetricValue:
    """Evaluate ``metric`` over ``figures``; ``denominator`` overrides the declared one."""
    den_ids = denominator if denominator is not None else metric.denominator
    ids = [*metric.numerator, *(den_ids or [])]
    inputs = {fid: figures.get(fid) for fid in ids}
    num, blank_n, na_n = _sum(metric.numerator, figures)
    blank, na = list(blank_n), list(na_n)
    den: Decimal | None = None
    if den_ids:
        den, blank_d, na_d = _sum(den_ids, figures)
        blank += blank_d
        na += na_d
    if na:
        return MetricValue(None, not_applicable=tuple(na), blank=tuple(blank), inputs=inputs)
    if blank:
        return MetricValue(None, blank=tuple(blank), inputs=inputs)
    if den is None:
        return MetricValue(round_half_up(num, METRIC_DECIMALS), Fraction(num), numerator=num, inputs=inputs)
    if den == 0:
        return MetricValue(None, numerator=num, denominator=den, zero_denominator=True, inputs=inputs)
    return MetricValue(ratio_percent(num, den), exact_percent(num, den), numerator=num, denominator=den, inputs=inputs)


def formula_text(metric: Metric, program: Program, denominator: list[str] | None = None) -> str:
    """A readable formula: ``实际支出 ÷ 中央财政补助资金预算 × 100%``."""

    def names(ids: list[str]) -> str:
        labels = [program.figure(fid).label for fid in ids]
        return labels[0] if len(labels) == 1 else "（" + " + ".join(labels) + "）"

    den_ids = denominator if denominator is not None else metric.denominator
    if not den_ids:
        return names(metric.numerator)
    return f"{names(metric.numerator)} ÷ {names(den_ids)} × 100%"

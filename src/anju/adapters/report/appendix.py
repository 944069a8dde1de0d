"""The values of the appendix tables a framework declares (附件1–4 in 2022; ``appendix.yaml``).

A table is a row per unit (a city or county, or only the province) and the columns its declaration
names: reported figures, sums of them across programs, and ratios recomputed from them. The rows
are a parameter (:data:`UnitRow`), so per-city breakdowns plug in without touching the declaration.

Cell values follow the data rules: blank (not reported) and 不适用 are shown as such, never as 0;
a sum with a blank part is itself blank (unknown); ratios are recomputed from the figures (on the
totals row, from the summed figures — never an average of ratios).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from anju.dataset.models import NOT_APPLICABLE, Dataset, FigureValue, sum_figures
from anju.framework.models import AppendixTable, FigureColumn, RatioColumn, SumColumn

ProgramFigures = Mapping[str, Mapping[str, FigureValue]]
"""program id → figure id → value, as in ``Dataset.programs[…].figures``."""
UnitRow = tuple[str, ProgramFigures]
"""(unit name, its figures): one table row."""

NOT_COMPUTABLE: Literal["not_computable"] = "not_computable"
CellValue = FigureValue | Literal["not_computable"]
"""A number, blank (not reported), 不适用, or — (a ratio whose denominator is 0)."""


def province_rows(dataset: Dataset) -> list[UnitRow]:
    """The only row available without per-city data: the province's own figures."""
    return [(dataset.region.name, {pid: data.figures for pid, data in dataset.programs.items()})]


def rate_value(numerator: CellValue, denominator: CellValue) -> CellValue:
    """numerator ÷ denominator as a fraction (0.6493 for 64.93%), never a rounded percentage."""
    if numerator is None or denominator is None:
        return None
    if NOT_APPLICABLE in (numerator, denominator):
        return NOT_APPLICABLE
    if not isinstance(numerator, Decimal) or not isinstance(denominator, Decimal) or denominator == 0:
        return NOT_COMPUTABLE
    return numerator / denominator


def _ratios(table: AppendixTable, sums: Mapping[str, FigureValue]) -> dict[str, CellValue]:
    values: dict[str, CellValue] = dict(sums)
    for column in table.columns():
        if isinstance(column, RatioColumn):
            values[column.id] = rate_value(sums[column.numerator], sums[column.denominator])
    return values


def row_values(table: AppendixTable, figures: ProgramFigures) -> dict[str, CellValue]:
    """Every column's value for one unit."""
    sums: dict[str, FigureValue] = {}
    for column in table.columns():
        if isinstance(column, FigureColumn):
            sums[column.id] = figures.get(column.program, {}).get(column.figure)
    for column in table.columns():
        if isinstance(column, SumColumn):
            sums[column.id] = sum_figures(sums[part] for part in column.sum)
    return _ratios(table, sums)


def totals_values(table: AppendixTable, rows: Sequence[Mapping[str, CellValue]]) -> dict[str, CellValue]:
    """The totals row: figure and sum columns summed down the rows, ratios recomputed from the sums."""
    sums: dict[str, FigureValue] = {}
    for column in table.columns():
        if not isinstance(column, RatioColumn):
            sums[column.id] = sum_figures(_figure(row[column.id]) for row in rows)
    return _ratios(table, sums)


def _figure(value: CellValue) -> FigureValue:
    """A figure or sum column's value; only ratios can be — (not computable), which would count as unknown."""
    if value is None or isinstance(value, Decimal):
        return value
    return NOT_APPLICABLE if value == NOT_APPLICABLE else None

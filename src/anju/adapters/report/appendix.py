"""The four appendix tables the explanation lists (附件1–4), declared as data.

A table is a row per unit (a city or county, or only the province) and column groups of reported
figures, rates recomputed from them, and totals across programs. The rows are a parameter
(:data:`UnitRow`), so per-city breakdowns plug in without touching the declarations.

Cell values follow the data rules: blank (not reported) and 不适用 are shown as such, never as 0;
a total with a blank part is itself blank (unknown); rates are recomputed from the figures (on the
totals row, from the summed figures — never an average of rates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from anju.dataset.models import NOT_APPLICABLE, Dataset, FigureValue

ProgramFigures = Mapping[str, Mapping[str, FigureValue]]
"""program id → figure id → value, as in ``Dataset.programs[…].figures``."""
UnitRow = tuple[str, ProgramFigures]
"""(unit name, its figures): one table row."""

NumberKind = Literal["amount", "count", "quantity"]
NOT_COMPUTABLE: Literal["not_computable"] = "not_computable"
CellValue = Decimal | None | Literal["not_applicable", "not_computable"]
"""A number, blank (not reported), 不适用, or — (a rate whose denominator is 0)."""


@dataclass(frozen=True)
class FigureColumn:
    key: str
    label: str
    program: str
    figure: str
    kind: NumberKind


@dataclass(frozen=True)
class RateColumn:
    """numerator ÷ denominator of two other columns of the same row, shown as a percentage."""

    key: str
    label: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class TotalColumn:
    """The sum of other columns of the same row (e.g. the three programs)."""

    key: str
    label: str
    parts: tuple[str, ...]
    kind: NumberKind


Column = FigureColumn | RateColumn | TotalColumn


@dataclass(frozen=True)
class ColumnGroup:
    label: str | None
    """Header over the group's columns; ``None``: each column's label spans both header rows."""
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class AppendixTable:
    number: int
    sheet: str
    unit: str
    groups: tuple[ColumnGroup, ...]
    notes: tuple[str, ...] = ()

    def columns(self) -> list[Column]:
        return [column for group in self.groups for column in group.columns]

    def column(self, key: str) -> Column:
        for column in self.columns():
            if column.key == key:
                return column
        raise KeyError(key)


def _completion(prefix: str, program: str, *, planned: tuple[str, str], actual: tuple[str, str], rate: str,
                kind: NumberKind = "count") -> tuple[Column, ...]:
    return (
        FigureColumn(f"{prefix}_planned", planned[0], program, planned[1], kind),
        FigureColumn(f"{prefix}_actual", actual[0], program, actual[1], kind),
        RateColumn(f"{prefix}_rate", rate, f"{prefix}_actual", f"{prefix}_planned"),
    )


def _execution(program: str) -> tuple[Column, ...]:
    return (
        FigureColumn(f"{program}_budget", "预算", program, "central_budget", "amount"),
        FigureColumn(f"{program}_spent", "实际支出", program, "central_spent", "amount"),
        RateColumn(f"{program}_rate", "预算执行率", f"{program}_spent", f"{program}_budget"),
    )


PROGRAM_LABELS = {"rental": "住房租赁保障", "renovation": "城镇老旧小区改造", "shantytown": "城市棚户区改造"}

CENTRAL_SPENDING = AppendixTable(
    number=1,
    sheet="附件1 中央财政资金支出",
    unit="单位：万元",
    groups=(
        ColumnGroup(
            "合计",
            (
                TotalColumn("budget_total", "预算", ("rental_budget", "renovation_budget", "shantytown_budget"), "amount"),
                TotalColumn("spent_total", "实际支出", ("rental_spent", "renovation_spent", "shantytown_spent"), "amount"),
                RateColumn("rate_total", "预算执行率", "spent_total", "budget_total"),
            ),
        ),
        *(ColumnGroup(label, _execution(program)) for program, label in PROGRAM_LABELS.items()),
    ),
    notes=("预算执行率 = 实际支出 ÷ 预算；合计行和合计列按合计数重新计算，不取平均。",),
)

LOCAL_SPENDING = AppendixTable(
    number=2,
    sheet="附件2 市县财政资金支出",
    unit="单位：万元",
    groups=(
        ColumnGroup(None, (TotalColumn("total", "合计", ("rental", "renovation", "shantytown"), "amount"),)),
        ColumnGroup(
            "其中",
            (
                FigureColumn("rental", "住房租赁保障", "rental", "county_funds", "amount"),
                FigureColumn("renovation", "城镇老旧小区改造", "renovation", "county_spending", "amount"),
                FigureColumn("shantytown", "城市棚户区改造", "shantytown", "local_funds", "amount"),
            ),
        ),
    ),
)

HOUSING_COMPLETION = AppendixTable(
    number=3,
    sheet="附件3 棚改和租赁住房完成情况",
    unit="单位：套、户",
    groups=(
        ColumnGroup("城市棚户区改造", _completion("shanty", "shantytown", planned=("计划改造（套）", "planned_units"),
                                                  actual=("实际开工（套）", "started_units"), rate="完成率")),
        ColumnGroup("棚改安置住房", _completion("resettle", "shantytown", planned=("达到交付使用条件（套）", "ready_units"),
                                                  actual=("已分配（套）", "allocated_units"), rate="分配率")),
        ColumnGroup("保障性租赁住房", _completion("rental", "rental", planned=("计划筹集（套）", "rental_housing_planned"),
                                                  actual=("实际筹集（套）", "rental_housing_raised"), rate="完成率")),
        ColumnGroup("公租房", _completion("public", "rental", planned=("计划筹集（套）", "public_housing_planned"),
                                                  actual=("实际开工（套）", "public_housing_started"), rate="完成率")),
        ColumnGroup("住房租赁补贴", _completion("subsidy", "rental", planned=("计划发放（户）", "subsidy_planned"),
                                                  actual=("实际发放（户）", "subsidy_paid"), rate="完成率")),
    ),
    notes=("完成率 = 实际 ÷ 计划；分配率 = 已分配 ÷ 达到交付使用条件；合计行按合计数重新计算。",),
)

RENOVATION_TASKS = AppendixTable(
    number=4,
    sheet="附件4 老旧小区改造任务",
    unit="单位：个、户、平方米、栋",
    groups=(
        ColumnGroup("小区（个）", _completion("communities", "renovation", planned=("计划改造", "planned_communities"),
                                                  actual=("实际开工", "started_communities"), rate="完成率")),
        ColumnGroup("户数（户）", _completion("households", "renovation", planned=("计划改造", "planned_households"),
                                                  actual=("实际开工", "started_households"), rate="完成率")),
        ColumnGroup("面积（平方米）", _completion("area", "renovation", planned=("计划改造", "planned_area"),
                                                  actual=("实际开工", "started_area"), rate="完成率", kind="quantity")),
        ColumnGroup("楼栋（栋）", _completion("buildings", "renovation", planned=("计划改造", "planned_buildings"),
                                                  actual=("实际开工", "started_buildings"), rate="完成率")),
    ),
    notes=("完成率 = 实际开工 ÷ 计划改造；合计行按合计数重新计算。",),
)

APPENDIX_TABLES = (CENTRAL_SPENDING, LOCAL_SPENDING, HOUSING_COMPLETION, RENOVATION_TASKS)


def province_rows(dataset: Dataset) -> list[UnitRow]:
    """The only row available today: the province's own figures."""
    return [(dataset.region.name, {pid: data.figures for pid, data in dataset.programs.items()})]


def sum_values(values: Sequence[CellValue]) -> CellValue:
    """Blank if any part is blank (the total is unknown); 不适用 if every part is; else the sum of the
    numbers (a 不适用 part contributes nothing)."""
    if any(v is None for v in values):
        return None
    numbers = [v for v in values if isinstance(v, Decimal)]
    if not numbers:
        return NOT_APPLICABLE if values and all(v == NOT_APPLICABLE for v in values) else None
    return sum(numbers, Decimal(0))


def rate_value(numerator: CellValue, denominator: CellValue) -> CellValue:
    """numerator ÷ denominator as a fraction (0.6493 for 64.93%), never a rounded percentage."""
    if numerator is None or denominator is None:
        return None
    if NOT_APPLICABLE in (numerator, denominator):
        return NOT_APPLICABLE
    if not isinstance(numerator, Decimal) or not isinstance(denominator, Decimal) or denominator == 0:
        return NOT_COMPUTABLE
    return numerator / denominator


def row_values(table: AppendixTable, figures: ProgramFigures) -> dict[str, CellValue]:
    """Every column's value for one unit."""
    values: dict[str, CellValue] = {}
    columns = table.columns()
    for column in columns:
        if isinstance(column, FigureColumn):
            program = figures.get(column.program, {})
            values[column.key] = program.get(column.figure)
    for column in columns:
        if isinstance(column, TotalColumn):
            values[column.key] = sum_values([values[p] for p in column.parts])
    for column in columns:
        if isinstance(column, RateColumn):
            values[column.key] = rate_value(values[column.numerator], values[column.denominator])
    return values


def totals_values(table: AppendixTable, rows: Sequence[dict[str, CellValue]]) -> dict[str, CellValue]:
    """The totals row: figure and total columns summed down the rows, rates recomputed from the sums."""
    values: dict[str, CellValue] = {}
    for column in table.columns():
        if not isinstance(column, RateColumn):
            values[column.key] = sum_values([row[column.key] for row in rows])
    for column in table.columns():
        if isinstance(column, RateColumn):
            values[column.key] = rate_value(values[column.numerator], values[column.denominator])
    return values

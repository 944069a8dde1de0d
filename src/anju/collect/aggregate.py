"""Aggregate what the cities and counties reported up the region tree (pure, Decimal).

Each figure declares how it aggregates (:class:`anju.framework.models.Aggregation`):

* ``sum`` — amounts, counts and quantities add up exactly;
* ``weighted_mean`` — a percent averaged with each unit's weight figures, rounded half up;
* ``min`` / ``max`` — a percent the province reaches only if every unit does;
* ``count_units`` — the number of units of the declared kinds that have a task for the program
  and (when the figure asks a question) answered 是.

Ratios are never averaged: the scoring engine recomputes them from the summed figures.

States stay distinct: a blank in any unit makes the total blank (and is reported); 不适用 is left
out of a sum, and a total over units that are all 不适用 or all without a task is 不适用; a unit
marked "no task" (无此项任务) for a program is left out of that program entirely, including the
denominators of unit counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Final, Literal

from anju.collect.regions import KIND_LABEL, RegionTree, RegionUnit
from anju.collect.units import UnitProgram, UnitsFile
from anju.dataset.models import NOT_APPLICABLE, Dataset, FigureValue, sum_figures
from anju.decimals import round_half_up
from anju.framework.models import FigureSpec, Framework, Program
from anju.problems import AggregationCode, Problem, Severity, Where

ZERO = Decimal(0)


def _problem(
    code: AggregationCode, message: str, *, unit: str | None = None, program: str | None = None,
    figure: str | None = None, severity: Severity = Severity.error,
) -> Problem:
    """Why a total is blank or incomplete; ``unit`` is a GB/T 2260 code."""
    return Problem(code, severity, message, Where(program=program, figure=figure, unit=unit))


ProgramFigures = dict[str, FigureValue]


@dataclass(frozen=True)
class AggregateResult:
    """Totals for every node of the tree (the root is the province) and what kept them blank."""

    region: str
    year: int
    totals: dict[str, dict[str, ProgramFigures]]
    """node code → program id → figure id → value."""
    problems: list[Problem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Reporting units without a report."""

    def province(self) -> dict[str, ProgramFigures]:
        return self.totals[self.region]

    def figure(self, code: str, program: str, figure_id: str) -> FigureValue:
        return self.totals[code][program].get(figure_id)


class _NoTask(Enum):
    SKIP = "skip"


_SKIP: Final = _NoTask.SKIP
"""The unit has no task for the program: leave it out."""


def _program_data(units: UnitsFile, code: str, program_id: str) -> UnitProgram | None:
    report = units.units.get(code)
    if report is None:
        return None
    return report.program(program_id)


def aggregate_units(
    framework: Framework,
    tree: RegionTree,
    units: UnitsFile,
    *,
    partial: bool = False,
) -> AggregateResult:
    """Totals for every node of ``tree`` in ``units.year``.

    With ``partial`` the units that have not reported are left out (for monitoring during the
    year); otherwise each of them makes every total it belongs to blank.
    """
    year = units.year
    expected = tree.reporting_units(year)
    missing = [u.code for u in expected if u.code not in units.units]
    problems: list[Problem] = []
    for code in missing:
        unit = tree.unit(code)
        problems.append(
            _problem(
                AggregationCode.UNIT_MISSING,
                f"{unit.display_name}（{code}）未报送" + ("，汇总时未计入" if partial else "，有关合计为空"),
                unit=code, severity=Severity.warning if partial else Severity.error,
            )
        )
    present = [u for u in expected if u.code in units.units] if partial else expected
    for unit in present:
        if unit.code in missing:
            continue
        for program in framework.programs:
            problems.extend(_unit_blanks(program, unit, _program_data(units, unit.code, program.id)))

    totals: dict[str, dict[str, ProgramFigures]] = {}
    considered = {u.code for u in present}
    for node in tree.walk(year=year):
        members = [u for u in tree.reporting_units(year, node.code) if u.code in considered]
        totals[node.code] = {
            program.id: {spec.id: _aggregate(spec, program, members, units) for spec in program.figures}
            for program in framework.programs
        }
    problems.extend(_zero_weights(framework, tree, totals))
    return AggregateResult(tree.code, year, totals, problems, missing)


def _unit_blanks(program: Program, unit: RegionUnit, data: UnitProgram | None) -> list[Problem]:
    name = f"{unit.display_name}（{unit.code}）"
    if data is None:
        return [
            _problem(
                AggregationCode.PROGRAM_NOT_REPORTED,
                f"{name}未填报“{program.label}”（既无数据，也未选择“无此项任务”），该项目各项合计为空",
                unit=unit.code,
                program=program.id,
            )
        ]
    if data.no_task:
        return []
    problems: list[Problem] = []
    for spec in program.figures:
        agg = spec.aggregation
        if agg.method == "count_units":
            if agg.question is None or unit.kind not in (agg.kinds or []):
                continue
            if spec.id not in data.answers:
                problems.append(
                    _problem(
                        AggregationCode.ANSWER_BLANK,
                        f"{name}{program.label}：未回答“{agg.question}”，“{spec.label}”合计为空",
                        unit=unit.code,
                        program=program.id,
                        figure=spec.id,
                    )
                )
            continue
        if data.figures.get(spec.id) is None:
            problems.append(
                _problem(
                    AggregationCode.FIGURE_BLANK,
                    f"{name}{program.label}：“{spec.label}”未填报，合计为空",
                    unit=unit.code,
                    program=program.id,
                    figure=spec.id,
                )
            )
    return problems


def _value(units: UnitsFile, unit: RegionUnit, program_id: str, figure_id: str) -> FigureValue | Literal[_NoTask.SKIP]:
    data = _program_data(units, unit.code, program_id)
    if data is None:
        return None
    if data.no_task:
        return _SKIP
    return data.figures.get(figure_id)


def _aggregate(spec: FigureSpec, program: Program, members: list[RegionUnit], units: UnitsFile) -> FigureValue:
    method = spec.aggregation.method
    if method == "count_units":
        return _count_units(spec, program, members, units)
    values = [(u, _value(units, u, program.id, spec.id)) for u in members]
    if method == "sum":
        return sum_figures(v for _, v in values if v is not _SKIP)
    if method in ("min", "max"):
        numbers: list[Decimal] = []
        for _, v in values:
            if v is _SKIP or v == NOT_APPLICABLE:
                continue
            if not isinstance(v, Decimal):
                return None
            numbers.append(v)
        if not numbers:
            return NOT_APPLICABLE
        return min(numbers) if method == "min" else max(numbers)
    # weighted_mean
    weighted = ZERO
    total_weight = ZERO
    seen = False
    for unit, v in values:
        if v is _SKIP or v == NOT_APPLICABLE:
            continue
        if not isinstance(v, Decimal):
            return None
        weights = (_value(units, unit, program.id, wid) for wid in spec.aggregation.weight or [])
        weight = sum_figures(w for w in weights if w is not _SKIP)
        if not isinstance(weight, Decimal):
            return None if weight is None else NOT_APPLICABLE
        weighted += weight * v
        total_weight += weight
        seen = True
    if not seen:
        return NOT_APPLICABLE
    if total_weight == 0:
        return None
    return round_half_up(weighted / total_weight, spec.aggregation.decimals)


def _count_units(spec: FigureSpec, program: Program, members: list[RegionUnit], units: UnitsFile) -> FigureValue:
    agg = spec.aggregation
    count = 0
    for unit in members:
        if unit.kind not in (agg.kinds or []):
            continue
        data = _program_data(units, unit.code, program.id)
        if data is None:
            return None
        if data.no_task:
            continue
        if agg.question is None:
            count += 1
            continue
        answer = data.answers.get(spec.id)
        if answer is None:
            return None
        count += 1 if answer else 0
    return Decimal(count)


def _zero_weights(
    framework: Framework, tree: RegionTree, totals: dict[str, dict[str, ProgramFigures]]
) -> list[Problem]:
    """A weighted mean over units whose weights sum to zero is blank: say so for the province."""
    problems: list[Problem] = []
    province = totals[tree.code]
    for program in framework.programs:
        for spec in program.figures:
            if spec.aggregation.method != "weighted_mean" or province[program.id].get(spec.id) is not None:
                continue
            weights = [province[program.id].get(w) for w in spec.aggregation.weight or []]
            if all(isinstance(w, Decimal) for w in weights) and sum(w for w in weights if isinstance(w, Decimal)) == 0:
                names = "、".join(program.figure(w).label for w in spec.aggregation.weight or [])
                problems.append(
                    _problem(
                        AggregationCode.WEIGHT_ZERO,
                        f"{program.label}：“{spec.label}”按{names}加权平均，但权重合计为 0，无法汇总",
                        program=program.id,
                        figure=spec.id,
                    )
                )
    return problems


def describe_aggregation(spec: FigureSpec, program: Program) -> str:
    """A Chinese sentence saying how the figure is aggregated (for templates and reports)."""
    agg = spec.aggregation
    if agg.method == "sum":
        return "各单位相加"
    if agg.method == "weighted_mean":
        names = "、".join(program.figure(w).label for w in agg.weight or [])
        return f"按{names}加权平均"
    if agg.method == "min":
        return "取各单位最低值"
    if agg.method == "max":
        return "取各单位最高值"
    kinds = "、".join(KIND_LABEL[k] for k in agg.kinds or [])
    if agg.question:
        return f"统计回答“是”的{kinds}个数（有任务的单位）"
    return f"统计有任务的{kinds}个数"


def with_unit_figures(dataset: Dataset, result: AggregateResult) -> Dataset:
    """The dataset with every program's figures replaced by the aggregated province figures;
    judgements, narrative and stated values are kept."""
    province = result.province()
    programs = {
        pid: data.model_copy(update={"figures": dict(province[pid])})
        for pid, data in dataset.programs.items()
    }
    return dataset.model_copy(update={"programs": programs})


def figure_differences(dataset: Dataset, result: AggregateResult) -> list[tuple[str, str, FigureValue, FigureValue]]:
    """(program, figure, dataset value, aggregated value) where the two differ."""
    province = result.province()
    diffs: list[tuple[str, str, FigureValue, FigureValue]] = []
    for pid, data in dataset.programs.items():
        aggregated = province.get(pid, {})
        for fid in sorted(set(data.figures) | set(aggregated)):
            left, right = data.figures.get(fid), aggregated.get(fid)
            if left != right:
                diffs.append((pid, fid, left, right))
    return diffs

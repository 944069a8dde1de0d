"""Assess one monitoring round: time progress, budget execution, target progress, deviation warnings
and the year-end score each unit and the province is heading for.

* 时序进度 (time progress) on a date is the share of the year's days elapsed by the end of that day
  (6月30日: 181/365 = 49.59%).
* 预算执行率 is spending ÷ budget. Projected year-end execution assumes the pace so far continues:
  execution ÷ time progress (at most 100%).
* Target progress is the share of the unit's target done (progress ÷ target). The share expected by
  the date is declared (``dates[].expected``), by default the time progress; the projected year-end
  value of a target whose parts add up is progress ÷ expected share; of any other target, the value
  reported.
* The projected score is the framework's own rule applied to the projected value: the item whose
  metric is spending ÷ budget for execution; the item a target names (``item``) for a target — so a
  warning speaks in points (按当前进度，年末执行率预计约58%，预算执行指标将得0分).

The projections are linear and tagged ``assumed`` in the ADR (0013): a unit that spends most of its
money in the fourth quarter is warned early, which is the point of the warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from anju.collect.regions import RegionTree, RegionUnit
from anju.dates import chinese_date
from anju.decimals import plain, round_fraction
from anju.framework.models import Framework, Item, Program, Proportional, RatioTiers, Rounding, Threshold
from anju.monitoring.models import (
    ExecutionBehind,
    Explanation,
    Level,
    Monitoring,
    ProgramReport,
    Returned,
    TargetBehind,
    TargetProjection,
)
from anju.problems import MonitoringCode, Problem, Severity, Where
from anju.scoring.rules import score_metric_rule
from anju.targets.models import Comparison, Indicator, Targets

HUNDRED = Decimal(100)
SHOWN = 1
"""Decimals of a percentage in a message."""
TOTAL_CODE = "total"


def time_progress(day: dt.date) -> Decimal:
    """Share (%) of the year elapsed by the end of ``day``, to two decimals."""
    days = (dt.date(day.year, 12, 31) - dt.date(day.year, 1, 1)).days + 1
    return round_fraction(Fraction(day.timetuple().tm_yday * 100, days), 2)


def _pct(value: Decimal | Fraction, decimals: int = SHOWN) -> str:
    return plain(round_fraction(Fraction(value), decimals))


@dataclass(frozen=True)
class Projection:
    """A projected year-end value and the score the framework gives it."""

    value: Decimal
    item_label: str
    score: Decimal
    points: Decimal

    def text(self) -> str:
        return f"“{self.item_label}”指标将得{plain(self.score)}分（满分{plain(self.points)}分）"


@dataclass(frozen=True)
class Warning:
    unit: str
    unit_name: str
    program: str
    program_label: str
    rule: str
    rule_label: str
    level: Level
    message: str
    indicator: str | None = None
    indicator_label: str | None = None
    reason: str = ""
    measure: str = ""

    @property
    def explained(self) -> bool:
        return bool(self.reason.strip() and self.measure.strip())

    @property
    def subject(self) -> str:
        return self.indicator_label or "预算执行"


@dataclass(frozen=True)
class ExecutionStatus:
    budget: Decimal
    spent: Decimal
    rate: Decimal | None
    """预算执行率 (%), two decimals; None when there is no budget."""
    behind: Decimal | None
    """Percentage points behind time progress (negative: ahead)."""
    projection: Projection | None
    level: Level


@dataclass(frozen=True)
class IndicatorStatus:
    indicator: Indicator
    target: Decimal | None
    progress: Decimal | None
    share: Decimal | None
    """Share (%) of the target done."""
    expected: Decimal
    """Share (%) expected by the date."""
    projected: Decimal | None
    projection: Projection | None
    level: Level


@dataclass(frozen=True)
class ProgramStatus:
    program: str
    label: str
    execution: ExecutionStatus | None
    indicators: list[IndicatorStatus]
    warnings: list[Warning]

    @property
    def level(self) -> Level:
        levels = [s.level for s in self.indicators] + ([self.execution.level] if self.execution else [])
        return max(levels, key=lambda lv: lv.rank, default=Level.green)


@dataclass(frozen=True)
class UnitStatus:
    code: str
    name: str
    reported: bool
    submitted: dt.date | None
    programs: dict[str, ProgramStatus]
    returned: Returned | None = None
    """The reviewer's 退回 (date and reason) while the unit has not submitted again."""

    @property
    def is_total(self) -> bool:
        return self.code == TOTAL_CODE


@dataclass(frozen=True)
class RoundAssessment:
    date: dt.date
    time_progress: Decimal
    units: list[UnitStatus]
    total: UnitStatus
    problems: list[Problem] = field(default_factory=list)
    """What keeps the round from being submitted (warnings without reason or measure)."""

    @property
    def warnings(self) -> list[Warning]:
        return [w for u in self.units for p in u.programs.values() for w in p.warnings]

    @property
    def blocked(self) -> bool:
        return any(p.is_error for p in self.problems)

    def unit(self, code: str) -> UnitStatus:
        for status in [*self.units, self.total]:
            if status.code == code:
                return status
        raise KeyError(code)


MetricRule = RatioTiers | Proportional | Threshold


def _metric_item(program: Program, path: str) -> Item | None:
    for item_path, item in program.items():
        if item_path == path and isinstance(item.rule, RatioTiers | Proportional | Threshold):
            return item
    return None


def execution_item(program: Program, budget: str, spent: str) -> Item | None:
    """The framework item that scores spending ÷ budget (预算执行率)."""
    for _, item in program.items():
        rule = item.rule
        if isinstance(rule, RatioTiers | Proportional | Threshold) and rule.metric.numerator == [spent] \
                and rule.metric.denominator == [budget]:
            return item
    return None


def _project(item: Item | None, value: Decimal | Fraction, rounding: Rounding) -> Projection | None:
    if item is None or not isinstance(item.rule, RatioTiers | Proportional | Threshold):
        return None
    outcome = score_metric_rule(item.rule, item.points, value, rounding)
    return Projection(round_fraction(Fraction(value), 2), item.label, outcome.score, item.points)


class _Assessor:
    def __init__(self, monitoring: Monitoring, targets: Targets, framework: Framework, tree: RegionTree,
                 day: dt.date) -> None:
        self.monitoring = monitoring
        self.targets = targets
        self.framework = framework
        self.tree = tree
        self.day = day
        self.declared = monitoring.date(day)
        self.progress = time_progress(day)
        self.rules = monitoring.rules

    def expected(self, program: str, indicator: str) -> Decimal:
        return self.declared.expected.get(program, {}).get(indicator, self.progress)

    def execution(self, program: Program, report: ProgramReport) -> tuple[ExecutionStatus, list[tuple[ExecutionBehind, str]]]:
        figures = self.monitoring.programs[program.id]
        item = execution_item(program, figures.budget, figures.spent)
        if report.budget == 0:
            return ExecutionStatus(report.budget, report.spent, None, None, None, Level.green), []
        exact = Fraction(report.spent) * 100 / Fraction(report.budget)
        rate = round_fraction(exact, 2)
        behind = round_fraction(Fraction(self.progress) - exact, 2)
        projected = min(exact * 100 / Fraction(self.progress), Fraction(100)) if self.progress else exact
        projection = _project(item, projected, self.framework.rounding)
        fired: list[tuple[ExecutionBehind, str]] = []
        level = Level.green
        for rule in self.rules:
            if isinstance(rule, ExecutionBehind) and behind > rule.behind:
                text = (f"截至{chinese_date(self.day)}预算执行率{_pct(exact)}%，落后时序进度（{_pct(self.progress)}%）"
                        f"{_pct(behind)}个百分点；按当前进度，年末执行率预计约{_pct(projected, 0)}%")
                if projection is not None:
                    text += f"，{projection.text()}"
                fired.append((rule, text))
                level = max(level, rule.level, key=lambda lv: lv.rank)
        fired = _worst_only(fired)
        return ExecutionStatus(report.budget, report.spent, rate, behind, projection, level), fired

    def indicator(self, program: Program, indicator: Indicator, target: Decimal | None, progress: Decimal | None
                  ) -> tuple[IndicatorStatus, list[tuple[TargetBehind | TargetProjection, str]]]:
        expected = self.expected(program.id, indicator.id)
        if target is None or progress is None or indicator.comparison is Comparison.qualitative:
            return IndicatorStatus(indicator, target, progress, None, expected, None, None, Level.green), []
        share = round_fraction(Fraction(progress) * 100 / Fraction(target), 2) if target else None
        if indicator.adds_up:
            projected_exact = Fraction(progress) * 100 / Fraction(expected) if expected else Fraction(progress)
        else:
            projected_exact = Fraction(progress)
        projected = round_fraction(projected_exact, 2)
        item = _metric_item(program, indicator.item) if indicator.item else None
        projection = None
        if item is not None and isinstance(item.rule, RatioTiers | Proportional | Threshold):
            has_denominator = bool(item.rule.metric.denominator)
            if not has_denominator:
                projection = _project(item, projected_exact, self.framework.rounding)
            elif target:
                projection = _project(item, projected_exact * 100 / Fraction(target), self.framework.rounding)
        fired: list[tuple[TargetBehind | TargetProjection, str]] = []
        level = Level.green
        unit = indicator.unit
        for rule in self.rules:
            if isinstance(rule, ExecutionBehind):
                continue
            text = ""
            if isinstance(rule, TargetBehind) and share is not None and indicator.adds_up and expected - share > rule.behind:
                text = (f"“{indicator.label}”完成{plain(progress)}{unit}，占目标{plain(target)}{unit}的{_pct(share)}%，"
                        f"落后于本期应完成进度（{_pct(expected)}%）{_pct(expected - share)}个百分点")
            elif isinstance(rule, TargetProjection) and indicator.comparison is not Comparison.at_most \
                    and not indicator.met(projected, target):
                text = (f"按当前进度，“{indicator.label}”年末预计约{_pct(projected_exact, 0)}{unit}，"
                        f"达不到目标{indicator.value_text(target)}")
            if text:
                if projection is not None:
                    text += f"，{projection.text()}"
                fired.append((rule, text))
                level = max(level, rule.level, key=lambda lv: lv.rank)
        return IndicatorStatus(indicator, target, progress, share, expected, projected, projection, level), _worst_only(fired)


RuleT = TypeVar("RuleT", bound=ExecutionBehind | TargetBehind | TargetProjection)


def _worst_only(fired: list[tuple[RuleT, str]]) -> list[tuple[RuleT, str]]:
    """Of several rules that fire on one subject (10 and 20 points behind; behind the path and
    projected to miss), only the most severe one: one deviation, one explanation."""
    if len(fired) <= 1:
        return fired
    return [max(fired, key=lambda f: f[0].level.rank)]


def _explanation(explanations: Iterable[Explanation], rule: str, indicator: str | None) -> Explanation | None:
    return next((e for e in explanations if e.rule == rule and e.indicator == indicator), None)


Fired = tuple[ExecutionBehind | TargetBehind | TargetProjection, str, Indicator | None]


def _missing_words(answer: Explanation | None) -> str:
    if answer is None or not (answer.reason.strip() or answer.measure.strip()):
        return "原因和纠偏措施"
    return "原因" if not answer.reason.strip() else "纠偏措施"


def _unit_program(assessor: _Assessor, region_unit: RegionUnit, program: Program, data: ProgramReport, *,
                  total: dict[str, Decimal], problems: list[Problem]) -> ProgramStatus:
    """One unit's status on one program; adds its figures to ``total`` and its blocking problems to ``problems``."""
    total["budget"] += data.budget
    total["spent"] += data.spent
    execution, fired_exec = assessor.execution(program, data)
    fired_all: list[Fired] = [(rule, text, None) for rule, text in fired_exec]
    statuses: list[IndicatorStatus] = []
    program_targets = assessor.targets.programs.get(program.id)
    for indicator in program_targets.indicators if program_targets is not None else []:
        assert program_targets is not None
        unit_target = program_targets.units.get(region_unit.code, {}).get(indicator.id)
        progress = data.progress.get(indicator.id)
        if indicator.adds_up and progress is not None:
            total[indicator.id] = total.get(indicator.id, Decimal(0)) + progress
        status, fired = assessor.indicator(program, indicator, unit_target, progress)
        statuses.append(status)
        fired_all.extend((rule, text, indicator) for rule, text in fired)
    warnings: list[Warning] = []
    where = Where(program=program.id, unit=region_unit.code)
    for rule, text, subject in fired_all:
        answer = _explanation(data.explanations, rule.id, subject.id if subject else None)
        warning = Warning(region_unit.code, region_unit.display_name, program.id, program.label, rule.id,
                          rule.label, rule.level, text, subject.id if subject else None,
                          subject.label if subject else None,
                          answer.reason if answer else "", answer.measure if answer else "")
        warnings.append(warning)
        if not warning.explained:
            problems.append(Problem(
                MonitoringCode.EXPLANATION_MISSING, Severity.error,
                f"{region_unit.display_name}{program.label}：预警“{rule.label}”（{warning.subject}）缺少"
                f"{_missing_words(answer)}，本轮监控情况不能报送", where))
    if data.spent > data.budget:
        problems.append(Problem(MonitoringCode.SPENT_ABOVE_BUDGET, Severity.error,
                                f"{region_unit.display_name}{program.label}：实际支出{plain(data.spent)}万元超过预算"
                                f"{plain(data.budget)}万元", where))
    return ProgramStatus(program.id, program.label, execution, statuses, warnings)


def assess_round(monitoring: Monitoring, targets: Targets, framework: Framework, tree: RegionTree,
                 day: dt.date) -> RoundAssessment:
    """The board of the round at ``day``: every unit, every program, every indicator, with warnings."""
    assessor = _Assessor(monitoring, targets, framework, tree, day)
    round_ = monitoring.round(day)
    reports = round_.reports if round_ is not None else {}
    units: list[UnitStatus] = []
    problems: list[Problem] = []
    sums: dict[str, dict[str, Decimal]] = {}
    for region_unit in tree.reporting_units(monitoring.year):
        if region_unit.level == "province":
            continue
        report = reports.get(region_unit.code)
        programs: dict[str, ProgramStatus] = {}
        for program_id in monitoring.programs:
            data = report.programs.get(program_id) if report is not None else None
            if data is not None:
                total = sums.setdefault(program_id, {"budget": Decimal(0), "spent": Decimal(0)})
                programs[program_id] = _unit_program(assessor, region_unit, framework.program(program_id), data,
                                                     total=total, problems=problems)
        if report is None:
            problems.append(Problem(MonitoringCode.UNIT_MISSING, Severity.warning,
                                    f"{region_unit.display_name}尚未报送{chinese_date(day)}的监控情况",
                                    Where(unit=region_unit.code)))
        elif report.returned is not None:
            problems.append(Problem(MonitoringCode.REPORT_RETURNED, Severity.warning,
                                    f"{region_unit.display_name}{chinese_date(day)}的监控情况已于"
                                    f"{chinese_date(report.returned.date)}退回（{report.returned.reason.rstrip('。')}），"
                                    "待修改后重新报送", Where(unit=region_unit.code)))
        units.append(UnitStatus(region_unit.code, region_unit.display_name, report is not None,
                                report.submitted if report is not None else None, programs,
                                report.returned if report is not None else None))
    return RoundAssessment(day, assessor.progress, units, _total(assessor, sums), problems)


def _total(assessor: _Assessor, sums: dict[str, dict[str, Decimal]]) -> UnitStatus:
    """The province's row: sums of the units' budget, spending and progress on targets that add up."""
    programs: dict[str, ProgramStatus] = {}
    for program_id, total in sums.items():
        program = assessor.framework.program(program_id)
        report = ProgramReport(budget=total["budget"], spent=total["spent"])
        execution, _ = assessor.execution(program, report)
        statuses = []
        program_targets = assessor.targets.programs.get(program_id)
        for indicator in program_targets.indicators if program_targets is not None else []:
            status, _ = assessor.indicator(program, indicator, indicator.value, total.get(indicator.id))
            statuses.append(status)
        programs[program_id] = ProgramStatus(program_id, program.label, execution, statuses, [])
    return UnitStatus(TOTAL_CODE, "全省合计", True, None, programs)


def assess_year(monitoring: Monitoring, targets: Targets, framework: Framework, tree: RegionTree
                ) -> list[RoundAssessment]:
    """Every round that has reports, in date order."""
    return [assess_round(monitoring, targets, framework, tree, r.date)
            for r in sorted(monitoring.rounds, key=lambda r: r.date)]

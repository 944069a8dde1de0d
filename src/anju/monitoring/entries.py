"""What a unit enters for a monitoring date, in one place for every face that asks for it (the
monitoring workbook, the web form): which programs, which values (预算, 实际支出 and the cumulative
progress on each target that adds up, with the unit's yearly target), and which warnings may need
a reason and a 纠偏措施 from it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from anju.collect.rows import EntryRow
from anju.framework.models import Framework
from anju.monitoring.models import ExecutionBehind, Monitoring
from anju.targets.models import Targets

BUDGET, SPENT, PROGRESS = "budget", "spent", "progress:"
"""Keys of :class:`ReportValue`: ``budget``, ``spent``, ``progress:<indicator>``."""


@dataclass(frozen=True)
class ReportValue:
    """One number the unit enters, read through the one value reader with ``entry``."""

    key: str
    label: str
    unit: str
    target: Decimal | None
    """The unit's yearly target (its part of the breakdown, else the whole target); None for money."""
    entry: EntryRow

    @property
    def indicator(self) -> str | None:
        return self.key.removeprefix(PROGRESS) if self.key.startswith(PROGRESS) else None


@dataclass(frozen=True)
class WarningSubject:
    """A warning the unit may have to explain: a rule, and the target it is about (None: the budget)."""

    rule: str
    indicator: str | None
    label: str


def unit_programs(monitoring: Monitoring, targets: Targets, unit: str) -> list[str]:
    """The monitored programs the unit has targets for (all, where a program's targets are not broken down to units)."""
    found = []
    for program_id in monitoring.programs:
        program_targets = targets.programs.get(program_id)
        if program_targets is None or (program_targets.units and unit not in program_targets.units):
            continue
        found.append(program_id)
    return found


def report_values(framework: Framework, monitoring: Monitoring, targets: Targets, program_id: str,
                  unit: str) -> list[ReportValue]:
    """预算, 实际支出 (cumulative from 1 January), then the cumulative progress on each target that adds up."""
    program = framework.program(program_id)
    figures = monitoring.programs[program_id]
    rows = [ReportValue(BUDGET, "预算（中央补助）", "万元", None, EntryRow(program.figure(figures.budget), False)),
            ReportValue(SPENT, "实际支出（自年初累计）", "万元", None, EntryRow(program.figure(figures.spent), False))]
    program_targets = targets.programs.get(program_id)
    if program_targets is None:
        return rows
    parts = program_targets.units.get(unit, {})
    for indicator in program_targets.indicators:
        if indicator.adds_up and indicator.figure is not None:
            rows.append(ReportValue(f"{PROGRESS}{indicator.id}", f"{indicator.label}（自年初累计完成）", indicator.unit,
                                    parts.get(indicator.id, indicator.value), EntryRow(program.figure(indicator.figure), False)))
    return rows


def warning_subjects(monitoring: Monitoring, targets: Targets, program_id: str) -> list[WarningSubject]:
    """Every (rule, subject) a round may raise for the program: the budget for an execution rule, each
    target that adds up for a target rule."""
    program_targets = targets.programs.get(program_id)
    indicators = [i for i in program_targets.indicators if i.adds_up and i.figure is not None] \
        if program_targets is not None else []
    found: list[WarningSubject] = []
    for rule in monitoring.rules:
        subjects: list[tuple[str | None, str]] = \
            [(None, "预算执行")] if isinstance(rule, ExecutionBehind) else [(i.id, i.label) for i in indicators]
        found.extend(WarningSubject(rule.id, indicator, f"{subject}：{rule.label}") for indicator, subject in subjects)
    return found

"""The monitoring file (``monitoring.yaml``): 双监控 of budget execution and target progress.

It declares, as data: which framework figures hold each program's budget and spending
(``programs``), the monitoring dates (``dates``, each with an optional submission deadline and the
share of each yearly target expected by then — the declared yearly path), the deviation rules
(``rules``) and the rounds: at each date, each unit's report of its budget, its spending and its
progress on each target, with a reason and a correction measure (纠偏措施) for every warning.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from anju.fields import Date, Note, RegionCode, Title, Year
from anju.framework.models import ID_PATTERN, ProgramId, Strict

RuleId = Annotated[str, Field(pattern=ID_PATTERN)]
IndicatorId = Annotated[str, Field(pattern=ID_PATTERN)]
Text = Annotated[str, Field(max_length=2000)]
NonNegative = Annotated[Decimal, Field(ge=0)]
Percent = Annotated[Decimal, Field(ge=0, le=100)]


class Level(StrEnum):
    """The board's colour: 绿 on track, 黄 to watch, 红 to correct."""

    green = "green"
    amber = "amber"
    red = "red"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self]


LEVEL_LABELS = {Level.green: "绿", Level.amber: "黄", Level.red: "红"}
LEVEL_RANK = {Level.green: 0, Level.amber: 1, Level.red: 2}


class ExecutionFigures(Strict):
    """The framework figures a program's budget execution is read from."""

    budget: IndicatorId
    spent: IndicatorId


class ExecutionBehind(Strict):
    """Budget execution more than ``behind`` percentage points behind the time elapsed (时序进度)."""

    id: RuleId
    kind: Literal["execution_behind"]
    label: Annotated[str, Field(min_length=1, max_length=100)]
    behind: Annotated[Decimal, Field(ge=0, le=100)]
    level: Literal[Level.amber, Level.red]


class TargetBehind(Strict):
    """Progress on a target more than ``behind`` percentage points behind the declared path."""

    id: RuleId
    kind: Literal["target_behind"]
    label: Annotated[str, Field(min_length=1, max_length=100)]
    behind: Annotated[Decimal, Field(ge=0, le=100)]
    level: Literal[Level.amber, Level.red]


class TargetProjection(Strict):
    """At the current pace (progress ÷ the share expected by the date), the target will be missed."""

    id: RuleId
    kind: Literal["target_projection"]
    label: Annotated[str, Field(min_length=1, max_length=100)]
    level: Literal[Level.amber, Level.red]


Rule = Annotated[ExecutionBehind | TargetBehind | TargetProjection, Field(discriminator="kind")]


class MonitoringDate(Strict):
    date: Date
    deadline: Date | None = None
    """When the units' reports for this date are due."""
    expected: dict[ProgramId, dict[IndicatorId, Percent]] = Field(default_factory=dict)
    """The share (%) of each yearly target expected to be done by this date; default the time elapsed."""


class Explanation(Strict):
    """A unit's answer to one warning."""

    rule: RuleId
    indicator: IndicatorId | None = None
    """For a target warning: the indicator it is about."""
    reason: Text = ""
    measure: Text = ""
    """纠偏措施."""


class ProgramReport(Strict):
    budget: NonNegative
    spent: NonNegative
    progress: dict[IndicatorId, NonNegative] = Field(default_factory=dict)
    explanations: list[Explanation] = Field(default_factory=list)


class Returned(Strict):
    """A reviewer sent the unit's report back (退回): it counts as not submitted until the unit submits again."""

    date: Date
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class UnitReport(Strict):
    submitted: Date | None = None
    returned: Returned | None = None
    programs: dict[ProgramId, ProgramReport] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _submitted_or_returned(self) -> UnitReport:
        if self.submitted is not None and self.returned is not None:
            raise ValueError("已退回的监控情况不能同时标为已报送（submitted 与 returned 只能有一个）")
        return self


class Round(Strict):
    date: Date
    reports: dict[RegionCode, UnitReport] = Field(default_factory=dict)


class Monitoring(Strict):
    region: RegionCode
    year: Year
    framework: Annotated[str, Field(min_length=1, max_length=40)]
    title: Title | None = None
    note: Note | None = None
    programs: Annotated[dict[ProgramId, ExecutionFigures], Field(min_length=1)]
    rules: list[Rule] = Field(default_factory=list)
    dates: Annotated[list[MonitoringDate], Field(min_length=1)]
    rounds: list[Round] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Monitoring:
        rule_ids = [r.id for r in self.rules]
        duplicate = next((r for r in rule_ids if rule_ids.count(r) > 1), None)
        if duplicate:
            raise ValueError(f"偏离规则编号“{duplicate}”重复")
        days = [d.date for d in self.dates]
        if days != sorted(set(days)):
            raise ValueError("监控日期（dates）应按时间先后排列且不重复")
        for day in days:
            if day.year != self.year:
                raise ValueError(f"监控日期 {day.isoformat()} 不在{self.year}年内")
        declared = set(days)
        for round_ in self.rounds:
            if round_.date not in declared:
                shown = "、".join(d.isoformat() for d in days)
                raise ValueError(f"监控轮次的日期 {round_.date.isoformat()} 不是声明的监控日期（{shown}）")
        return self

    def date(self, day: object) -> MonitoringDate:
        for declared in self.dates:
            if declared.date == day:
                return declared
        raise KeyError(day)

    def round(self, day: object) -> Round | None:
        return next((r for r in self.rounds if r.date == day), None)

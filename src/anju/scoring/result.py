"""The evaluation: every score with its trace. Serialises to the JSON result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from pydantic import Field

from anju.dataset.models import FigureValue
from anju.framework.models import MetricKind, Provenance, RuleKind
from anju.framework.models import Strict as Frozen


class MetricResult(Frozen):
    label: str
    formula: str
    inputs: dict[str, FigureValue]
    value: Decimal | None
    """Percent, rounded half up to four places; None when not computable."""
    kind: MetricKind


class ClauseResult(Frozen):
    id: str
    label: str
    points: Decimal
    score: Decimal


class ItemResult(Frozen):
    path: str
    id: str
    label: str
    level: int
    """1 一级指标 (dimension), 2 二级指标 (indicator), 3+ 评分要点 (criterion)."""
    points: Decimal
    score: Decimal
    deduction: Decimal
    rule_kind: RuleKind
    provenance: Provenance
    branch: str
    explanation: str = ""
    narrative: str | None = None
    metric: MetricResult | None = None
    clauses: list[ClauseResult] = Field(default_factory=list)
    reason: str | None = None
    note: str | None = None
    """The evaluator's internal note (核对清单 only, never an official document)."""
    evidence: list[str] = Field(default_factory=list)
    ref: str | None = None
    children: list[ItemResult] = Field(default_factory=list)

    def walk(self) -> Iterator[ItemResult]:
        yield self
        for child in self.children:
            yield from child.walk()


class ProgramResult(Frozen):
    id: str
    label: str
    points: Decimal
    score: Decimal
    grade: str | None
    grade_scheme: str | None = None
    """The scheme's own words and boundaries (财政部预算绩效评价等级：优（≥90）、…)."""
    dimensions: list[ItemResult]

    def items(self) -> Iterator[ItemResult]:
        for dimension in self.dimensions:
            yield from dimension.walk()

    def item(self, path: str) -> ItemResult:
        for item in self.items():
            if item.path == path:
                return item
        raise KeyError(path)


class Evaluation(Frozen):
    anju_version: str
    framework_id: str
    framework_label: str
    framework_hash: str
    dataset_hash: str
    input_hash: str
    """sha256 over the framework and dataset hashes: same inputs, same result."""
    region_code: str
    region_name: str
    year: int
    as_of: dt.date | None
    programs: list[ProgramResult]

    def program(self, program_id: str) -> ProgramResult:
        for program in self.programs:
            if program.id == program_id:
                return program
        raise KeyError(program_id)

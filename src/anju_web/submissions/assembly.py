"""Assemble the engine's :class:`~anju.dataset.Dataset` from the database — the one place where
stored rows become the engine's input. Views and services never score anything themselves:
they call :func:`anju.scoring.evaluate` and :func:`anju.checks.run_checks` on what this returns.

The province's figures are the units' reports aggregated up the region tree by the collection
module (:func:`anju.collect.aggregate.aggregate_units`: sums, weighted means, unit counts; ratios
are recomputed by the engine, never averaged); the judgements, explanation text and what a
document stated come from the provincial evaluators' tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anju.collect.aggregate import AggregateResult, aggregate_units, with_unit_figures
from anju.dataset import Dataset, Judgement, ProgramData, StatedProgram
from anju.dataset.models import Region as DatasetRegion
from anju.framework import Framework
from anju_web.regions.source import region_tree
from anju_web.submissions.frameworks import framework_by_id
from anju_web.submissions.models import DONE, Cycle, Submission


class AssemblyError(Exception):
    """The data needed for a dataset is not there (message in Chinese)."""


def cycle_framework(cycle: Cycle) -> Framework:
    return framework_by_id(cycle.framework_id)


@dataclass(frozen=True)
class Assembly:
    dataset: Dataset
    aggregation: AggregateResult
    source: str
    """Where the figures come from, in Chinese (how many units, how many approved)."""

    @property
    def problems(self) -> list[str]:
        return [str(p) for p in self.aggregation.problems]


def unit_submissions(cycle: Cycle) -> list[Submission]:
    return list(Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).select_related("region", "cycle"))


def assemble(cycle: Cycle) -> Assembly:
    """The province's dataset for ``cycle``: every unit's current report aggregated, plus the
    evaluators' judgements and narrative."""
    from anju_web.submissions.units import units_file

    framework = cycle_framework(cycle)
    submissions = unit_submissions(cycle)
    if not submissions:
        raise AssemblyError(f"{cycle}还没有任何单位的填报，无法汇总计分")
    batch = units_file(framework, cycle.region_id, cycle.year, submissions)
    result = aggregate_units(framework, region_tree(cycle.region_id), batch)
    judgements = _judgements(cycle)
    narrative = _narrative(cycle)
    programs: dict[str, ProgramData] = {}
    for program in framework.programs:
        stated: dict[str, Any] = cycle.stated.get(program.id, {})
        programs[program.id] = ProgramData(
            judgements=judgements.get(program.id, {}),
            narrative=narrative.get(program.id, {}),
            stated=StatedProgram.model_validate(stated),
        )
    base = Dataset.model_validate({
        "region": DatasetRegion(code=cycle.region.code, name=cycle.region.name),
        "year": cycle.year,
        "framework": cycle.framework_id,
        "as_of": cycle.as_of,
        "title": cycle.title,
        "source": cycle.source or None,
        "programs": programs,
    })
    done = sum(1 for s in submissions if s.status in DONE)
    source = f"{len(submissions)} 个报表单位的填报汇总（省级已审定 {done} 个）"
    return Assembly(with_unit_figures(base, result), result, source)


def assemble_dataset(cycle: Cycle) -> Dataset:
    return assemble(cycle).dataset


def _judgements(cycle: Cycle) -> dict[str, dict[str, Judgement]]:
    from anju_web.reviews.models import Judgement as JudgementRow

    out: dict[str, dict[str, Judgement]] = {}
    for row in JudgementRow.objects.filter(cycle=cycle):
        out.setdefault(row.program, {})[row.item_path] = row.as_engine()
    return out


def _narrative(cycle: Cycle) -> dict[str, dict[str, str]]:
    from anju_web.reviews.models import Narrative

    out: dict[str, dict[str, str]] = {}
    for row in Narrative.objects.filter(cycle=cycle).exclude(text=""):
        out.setdefault(row.program, {})[row.item_path] = row.text
    return out

"""Assemble the engine's :class:`~anju.dataset.Dataset` from the database — the one place where
stored rows become the engine's input. Views and services never score anything themselves:
they call :func:`anju.scoring.evaluate` and :func:`anju.checks.run_checks` on what this returns.

The province's figures are the units' reports put together by the collection pipeline
(:func:`anju.collect.pipeline.dataset_from_units`: sums, weighted means and unit counts up the
region tree; ratios are recomputed by the engine, never averaged), exactly as the command line's
``evaluate --from-units`` does; the judgements, explanation text and what a document stated come
from the provincial evaluators' tables. The units' batch is kept with the assembly so that a run
can store it and its documents can rebuild the per-prefecture appendix rows from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from anju.collect.pipeline import CollectError, PrefectureRows, dataset_from_units, partial_prefecture_rows
from anju.collect.units import UnitsFile
from anju.dataset import Dataset, Judgement, ProgramData, StatedProgram
from anju.dataset.models import Region as DatasetRegion
from anju.problems import CollectCode, Problem, ProblemsError, Severity
from anju_web.regions.source import region_tree
from anju_web.reviews.models import Judgement as JudgementRow
from anju_web.reviews.models import Narrative
from anju_web.submissions.models import DONE, Cycle, Submission
from anju_web.submissions.units import units_file


class AssemblyError(ProblemsError):
    """The province's dataset cannot be put together: no unit has reported yet, or the units'
    reports do not give every total (each reason a :class:`~anju.problems.Problem`)."""


@dataclass(frozen=True)
class Assembly:
    dataset: Dataset
    units: UnitsFile
    """Every unit's report as aggregated (what a run stores for its documents)."""
    source: str
    """Where the figures come from, in Chinese (how many units, how many approved)."""


def unit_submissions(cycle: Cycle) -> list[Submission]:
    return list(Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).select_related("region", "cycle"))


def assemble(cycle: Cycle) -> Assembly:
    """The province's dataset for ``cycle``: every unit's current report aggregated, plus the
    evaluators' judgements and narrative. Raises :class:`AssemblyError`."""
    framework = cycle.framework
    submissions = unit_submissions(cycle)
    if not submissions:
        raise AssemblyError([Problem(CollectCode.UNITS_MISSING, Severity.error,
                                     f"{cycle}还没有任何单位的填报，无法汇总计分")])
    units = units_file(framework, cycle.region_id, cycle.year, submissions)
    try:
        from_units = dataset_from_units(evaluators_dataset(cycle), framework, units, region_tree(cycle.region_id))
    except CollectError as exc:
        raise AssemblyError(exc.problems) from None
    done = sum(1 for s in submissions if s.status in DONE)
    source = f"{len(submissions)} 个报表单位的填报汇总（省级已审定 {done} 个）"
    return Assembly(from_units.dataset, units, source)


def appendix_rows(cycle: Cycle, units: UnitsFile) -> PrefectureRows:
    """One row per prefecture-level unit (its subtree's totals) for the appendix tables."""
    return partial_prefecture_rows(cycle.framework, units, region_tree(cycle.region_id))


def evaluators_dataset(cycle: Cycle, program_ids: Iterable[str] | None = None) -> Dataset:
    """The cycle's dataset without figures: what the province itself states and judges (for the
    given programs, every program by default)."""
    judgements = _judgements(cycle)
    narrative = _narrative(cycle)
    wanted = set(program_ids) if program_ids is not None else None
    programs: dict[str, ProgramData] = {}
    for program in cycle.framework.programs:
        if wanted is not None and program.id not in wanted:
            continue
        stated: dict[str, Any] = cycle.stated.get(program.id, {})
        programs[program.id] = ProgramData(
            judgements=judgements.get(program.id, {}),
            narrative=narrative.get(program.id, {}),
            stated=StatedProgram.model_validate(stated),
        )
    return Dataset.model_validate({
        "region": DatasetRegion(code=cycle.region.code, name=cycle.region.name),
        "year": cycle.year,
        "framework": cycle.framework_id,
        "as_of": cycle.as_of,
        "title": cycle.title,
        "source": cycle.source or None,
        "programs": programs,
    })


def _judgements(cycle: Cycle) -> dict[str, dict[str, Judgement]]:
    out: dict[str, dict[str, Judgement]] = {}
    for row in JudgementRow.objects.filter(cycle=cycle):
        out.setdefault(row.program, {})[row.item_path] = row.as_engine()
    return out


def _narrative(cycle: Cycle) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for row in Narrative.objects.filter(cycle=cycle).exclude(text=""):
        out.setdefault(row.program, {})[row.item_path] = row.text
    return out

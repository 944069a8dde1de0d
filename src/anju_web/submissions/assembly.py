"""Assemble an engine :class:`~anju.dataset.Dataset` from the database — the one place where
stored rows become the engine's input. Views and services never score anything themselves:
they call :func:`anju.scoring.evaluate` and :func:`anju.checks.run_checks` on what this returns.
"""

from __future__ import annotations

from typing import Any

from anju.dataset import Dataset, FigureValue, Judgement, ProgramData, StatedProgram
from anju.dataset.models import Region as DatasetRegion
from anju.framework import Framework
from anju_web.regions.models import Region
from anju_web.submissions.frameworks import framework_by_id
from anju_web.submissions.models import Cycle, FigureEntry, Submission


class AssemblyError(Exception):
    """The data needed for a dataset is not there (message in Chinese)."""


def cycle_framework(cycle: Cycle) -> Framework:
    return framework_by_id(cycle.framework_id)


def entry_figures(submission: Submission, framework: Framework) -> dict[str, dict[str, FigureValue]]:
    """Every declared figure of every program: the stored value, or blank when never entered."""
    stored: dict[tuple[str, str], FigureValue] = {
        (e.program, e.figure_id): e.figure_value for e in FigureEntry.objects.filter(submission=submission)
    }
    return {
        program.id: {spec.id: stored.get((program.id, spec.id)) for spec in program.figures}
        for program in framework.programs
    }


def province_figures(cycle: Cycle, framework: Framework) -> tuple[dict[str, dict[str, FigureValue]], str]:
    """The figures the province is scored on, and where they come from.

    Province-level figures entered or loaded for the province itself are used as they are.
    (When the collection module's aggregation is available, units' approved figures are summed
    here instead.)"""
    own = Submission.objects.filter(cycle=cycle, region=cycle.region).first()
    if own is not None and own.entries.exists():
        return entry_figures(own, framework), own.source or "省级数据"
    raise AssemblyError(f"{cycle}：没有省级数据，无法计分（请先导入省级汇总数据）")


def assemble_dataset(cycle: Cycle, region: Region | None = None) -> Dataset:
    """The dataset of ``region`` (default: the cycle's province) for ``cycle``.

    For a reporting unit: its own figures. For the province: the province's figures plus the
    provincial evaluators' judgements, the explanation text and what a document stated."""
    framework = cycle_framework(cycle)
    target = region or cycle.region
    is_province = target.pk == cycle.region_id
    if is_province:
        figures, _source = province_figures(cycle, framework)
    else:
        submission = Submission.objects.filter(cycle=cycle, region=target).first()
        if submission is None:
            raise AssemblyError(f"{target.display_name}没有{cycle.year}年度的填报")
        figures = entry_figures(submission, framework)
    programs: dict[str, ProgramData] = {}
    judgements = _judgements(cycle) if is_province else {}
    narrative = _narrative(cycle) if is_province else {}
    for program in framework.programs:
        stated: dict[str, Any] = cycle.stated.get(program.id, {}) if is_province else {}
        programs[program.id] = ProgramData(
            figures=figures[program.id],
            judgements=judgements.get(program.id, {}),
            narrative=narrative.get(program.id, {}),
            stated=StatedProgram.model_validate(stated),
        )
    return Dataset.model_validate(
        {
            "region": DatasetRegion(code=target.code, name=target.name),
            "year": cycle.year,
            "framework": cycle.framework_id,
            "as_of": cycle.as_of,
            "title": cycle.title if is_province else None,
            "source": cycle.source if is_province else None,
            "programs": programs,
        }
    )


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

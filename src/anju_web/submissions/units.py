"""A unit's submission as the collection module sees it: the rows it answers
(:func:`anju.collect.rows.entry_rows`), its :class:`~anju.collect.units.UnitReport`, and the
validation rules run over it.

The web form shows exactly the rows of the unit's Excel template: every figure the unit reports,
and the yes/no questions asked of its kind of unit. Validation is the collection module's: the rule
set (:func:`anju.collect.validation.check_program`) plus completeness — a blank row is an error
unless the program is marked 无此项任务. Problems are stored as :meth:`Problem.as_dict`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from anju.adapters.excel.layout import Layout, build_layout
from anju.collect.rows import EntryRow, entry_rows
from anju.collect.units import UnitProgram, UnitReport, UnitsFile
from anju.collect.validation import RuleSet, builtin_rules, check_program
from anju.dataset import NOT_APPLICABLE, FigureValue
from anju.dataset.models import figure_text
from anju.framework import Framework
from anju.framework.models import Program
from anju.problems import EntryCode, Problem, ProblemDict, Severity, Where
from anju_web.regions.source import region_tree
from anju_web.submissions.frameworks import framework_by_id
from anju_web.submissions.models import EntryState, FigureEntry, Submission


@cache
def layout(framework_id: str, province: str, unit: str, year: int) -> Layout:
    tree = region_tree(province)
    return build_layout(framework_by_id(framework_id), tree, tree.unit(unit), year)


def layout_of(submission: Submission) -> Layout:
    cycle = submission.cycle
    return layout(cycle.framework_id, cycle.region_id, submission.region_id, cycle.tree_year)


@cache
def ruleset(framework_id: str) -> RuleSet:
    return builtin_rules(framework_by_id(framework_id))


@cache
def _rows(framework_id: str, province: str, unit: str) -> tuple[tuple[Program, tuple[EntryRow, ...]], ...]:
    tree = region_tree(province)
    region = tree.unit(unit)
    return tuple((p, entry_rows(p, region)) for p in framework_by_id(framework_id).programs)


def program_rows(submission: Submission) -> tuple[tuple[Program, tuple[EntryRow, ...]], ...]:
    """Every program with the rows this unit answers, in the framework's order."""
    cycle = submission.cycle
    return _rows(cycle.framework_id, cycle.region_id, submission.region_id)


def rows_of(submission: Submission) -> dict[tuple[str, str], EntryRow]:
    return {(program.id, row.spec.id): row for program, rows in program_rows(submission) for row in rows}


def entries_of(submission: Submission) -> dict[tuple[str, str], FigureEntry]:
    return {(e.program, e.figure_id): e for e in FigureEntry.objects.filter(submission=submission)}


def unit_report(submission: Submission, entries: dict[tuple[str, str], FigureEntry] | None = None) -> UnitReport:
    """The submission in the collection module's terms (blank rows are absent)."""
    stored = entries if entries is not None else entries_of(submission)
    programs: dict[str, UnitProgram] = {}
    for program, rows in program_rows(submission):
        pid = program.id
        if pid in submission.no_task:
            programs[pid] = UnitProgram(no_task=True)
            continue
        figures: dict[str, FigureValue] = {}
        answers: dict[str, bool] = {}
        explanations: dict[str, str] = {}
        for row in rows:
            entry = stored.get((pid, row.spec.id))
            if entry is None:
                continue
            if entry.explanation.strip():
                explanations[row.spec.id] = entry.explanation.strip()
            if entry.answer is not None:
                answers[row.spec.id] = entry.answer
            elif entry.state != EntryState.blank:
                figures[row.spec.id] = entry.figure_value
        programs[pid] = UnitProgram(figures=figures, answers=answers, explanations=explanations)
    return UnitReport.model_validate({
        "name": submission.region.display_name,
        "submitted_at": submission.report_date or (submission.submitted_at.date() if submission.submitted_at else None),
        "reporter": submission.reporter or None,
        "phone": submission.phone or None,
        "source": submission.source or None,
        "programs": programs,
    })


def units_file(framework: Framework, province: str, year: int, submissions: list[Submission]) -> UnitsFile:
    """Every given unit's report as one batch, for aggregation up the region tree (one query for
    all their rows)."""
    entries: dict[int, dict[tuple[str, str], FigureEntry]] = {s.pk: {} for s in submissions}
    for entry in FigureEntry.objects.filter(submission__in=submissions):
        entries[entry.submission_id][(entry.program, entry.figure_id)] = entry
    return UnitsFile.model_validate({
        "framework": framework.id,
        "region": province,
        "year": year,
        "units": {s.region_id: unit_report(s, entries[s.pk]) for s in submissions},
    })


def validate(submission: Submission, entries: dict[tuple[str, str], FigureEntry] | None = None) -> list[Problem]:
    """Errors, warnings and advisories for the submission as it is stored (``entries``: its rows,
    when the caller has just read and written them)."""
    framework = submission.cycle.framework
    report = unit_report(submission, entries)
    before = baseline_report(submission)
    rules = ruleset(framework.id)
    problems: list[Problem] = []
    for program, rows in program_rows(submission):
        data = report.program(program.id)
        if data is None or data.no_task:
            continue
        for row in rows:
            fid = row.spec.id
            if fid in data.figures or fid in data.answers:
                continue
            if row.question:
                message = f"{program.label}：“{row.label}”未回答：请选择“是”或“否”"
            else:
                hint = "没有发生的填 0" + ("，不适用的填“不适用”" if row.spec.allow_not_applicable else "")
                message = f"{program.label}：“{row.label}”未填写（必填）：{hint}"
            problems.append(Problem(EntryCode.REQUIRED_BLANK, Severity.error, message,
                                    Where(program=program.id, figure=fid, unit=submission.region_id)))
        last = before.program(program.id) if before is not None else None
        for finding in check_program(rules, framework, program, data, last, unit=submission.region_id):
            problems.append(finding.with_message(f"{program.label}：{finding.message}"))
    return problems


def baseline_report(submission: Submission) -> UnitReport | None:
    """Last year's report of the unit, as copied when the cycle was opened (None without one)."""
    if not submission.baseline:
        return None
    return UnitReport.model_validate(submission.baseline)


def baseline_texts(submission: Submission) -> dict[tuple[str, str], str]:
    """Last year's value of each row as the form shows it beside the field (是/否, 不适用, a number)."""
    report = baseline_report(submission)
    if report is None:
        return {}
    out: dict[tuple[str, str], str] = {}
    for pid, data in report.programs.items():
        if data.no_task:
            continue
        for fid, value in data.figures.items():
            out[(pid, fid)] = "不适用" if value == NOT_APPLICABLE else figure_text(value, blank="")
        for fid, answer in data.answers.items():
            out[(pid, fid)] = "是" if answer else "否"
    return out


def value_texts(submission: Submission) -> dict[str, str]:
    """Each stored row as the form shows it (``"program.figure"`` → 是/否, 不适用, a number; blank rows
    and 无此项任务 programs left out): what a submission is compared with later (上次提交)."""
    return {f"{pid}.{fid}": entry.display for (pid, fid), entry in entries_of(submission).items()
            if pid not in submission.no_task and entry.state != EntryState.blank}


def stored(problems: Iterable[ProblemDict | dict[str, Any]]) -> list[Problem]:
    """Problems as stored in a JSON field, back as :class:`Problem`."""
    return [Problem.from_dict(p) for p in problems]


def unexplained(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.warning and not p.explained]


def figure_value_text(value: FigureValue) -> str:
    """A stored figure as the form's text box shows it (不适用 is the tick, blank is empty)."""
    return "" if value == NOT_APPLICABLE else figure_text(value, blank="")

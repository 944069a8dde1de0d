"""A unit's submission as the collection module sees it: the rows of its workbook layout, its
:class:`~anju.dataset.units.UnitReport`, and the validation rules run over it.

The web form shows exactly the rows of the unit's Excel template (:func:`build_layout`): every
figure the unit reports, and the yes/no questions asked of its kind of unit. Validation is the
collection module's: the rule set (:func:`anju.checks.rules.check_program`) plus completeness —
a blank row is an error unless the program is marked 无此项任务.
"""

from __future__ import annotations

from functools import cache

from anju.adapters.workbook_layout import FigureRow, Layout, build_layout
from anju.checks.rules import RuleSet, RuleSeverity, builtin_rules, check_program
from anju.dataset import NOT_APPLICABLE, FigureValue
from anju.dataset.units import UnitProgram, UnitReport, UnitsFile
from anju.framework import Framework
from anju_web.regions.source import region_tree
from anju_web.submissions.frameworks import framework_by_id
from anju_web.submissions.models import EntryState, FigureEntry, Submission

Issue = dict[str, str]


@cache
def layout(framework_id: str, province: str, unit: str, year: int) -> Layout:
    tree = region_tree(province)
    return build_layout(framework_by_id(framework_id), tree, tree.unit(unit), year)


def layout_of(submission: Submission) -> Layout:
    cycle = submission.cycle
    return layout(cycle.framework_id, cycle.region_id, submission.region_id, cycle.year)


@cache
def ruleset(framework_id: str) -> RuleSet:
    return builtin_rules(framework_by_id(framework_id))


def rows_of(submission: Submission) -> dict[tuple[str, str], FigureRow]:
    return {(sheet.program.id, row.spec.id): row for sheet in layout_of(submission).sheets for row in sheet.rows}


def entries_of(submission: Submission) -> dict[tuple[str, str], FigureEntry]:
    return {(e.program, e.figure_id): e for e in FigureEntry.objects.filter(submission=submission)}


def unit_report(submission: Submission, entries: dict[tuple[str, str], FigureEntry] | None = None) -> UnitReport:
    """The submission in the collection module's terms (blank rows are absent)."""
    stored = entries if entries is not None else entries_of(submission)
    programs: dict[str, UnitProgram] = {}
    for sheet in layout_of(submission).sheets:
        pid = sheet.program.id
        if pid in submission.no_task:
            programs[pid] = UnitProgram(no_task=True)
            continue
        figures: dict[str, FigureValue] = {}
        answers: dict[str, bool] = {}
        explanations: dict[str, str] = {}
        for row in sheet.rows:
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
        "submitted_at": submission.submitted_at.date() if submission.submitted_at else None,
        "source": submission.source or None,
        "programs": programs,
    })


def units_file(cycle_framework: Framework, province: str, year: int, submissions: list[Submission]) -> UnitsFile:
    """Every given unit's report as one batch, for aggregation up the region tree."""
    return UnitsFile.model_validate({
        "framework": cycle_framework.id,
        "region": province,
        "year": year,
        "units": {s.region_id: unit_report(s) for s in submissions},
    })


def validate(submission: Submission) -> list[Issue]:
    """Errors, warnings and advisories for the submission as it is stored."""
    framework = framework_by_id(submission.cycle.framework_id)
    report = unit_report(submission)
    rules = ruleset(framework.id)
    issues: list[Issue] = []
    for sheet in layout_of(submission).sheets:
        program = sheet.program
        data = report.program(program.id)
        if data is None or data.no_task:
            continue
        for row in sheet.rows:
            fid = row.spec.id
            if fid in data.figures or fid in data.answers:
                continue
            if row.question:
                message = f"{program.label}：“{row.label}”未回答：请选择“是”或“否”"
            else:
                hint = "没有发生的填 0" + ("，不适用的勾选“不适用”" if row.spec.allow_not_applicable else "")
                message = f"{program.label}：“{row.label}”未填写（必填）：{hint}"
            issues.append({"code": "BLANK", "severity": "error", "program": program.id, "where": fid,
                           "message": message, "explained": ""})
        for finding in check_program(rules, framework, program, data, unit=submission.region_id):
            issues.append({
                "code": finding.rule,
                "severity": finding.severity.value,
                "program": program.id,
                "where": finding.figure,
                "message": f"{program.label}：{finding.message}",
                "explained": "1" if finding.explained else "",
            })
    return issues


def unexplained(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i["severity"] == RuleSeverity.warning.value and not i.get("explained")]


def figure_value_text(value: FigureValue) -> str:
    if value is None or value == NOT_APPLICABLE:
        return ""
    from anju.decimals import plain

    return plain(value)  # type: ignore[arg-type]

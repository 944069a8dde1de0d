"""Verbs on a submission's content. Each takes the acting user, checks permission and scope,
runs in one transaction and writes the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anju.collect.units import UnitReport
from anju.dataset import NOT_APPLICABLE, FigureValue
from anju.dataset.models import BLANK_TEXT
from anju.problems import Problem
from anju_web.accounts.policy import authorize
from anju_web.audit.services import record
from anju_web.submissions.assembly import cycle_framework
from anju_web.submissions.frameworks import figure_label, program_label
from anju_web.submissions.inputs import EntryError, RowInput, parse_row
from anju_web.submissions.models import (
    EntryState,
    FigureEntry,
    ItemReturn,
    ReturnMessage,
    ReturnStatus,
    Submission,
    display_value,
)
from anju_web.submissions.units import program_rows, rows_of, validate


class StaleVersion(Exception):
    """Someone saved the submission after this form was opened."""


class NotEditable(PermissionDenied):
    pass


@dataclass
class SaveResult:
    changed: int
    issues: list[Problem] = field(default_factory=list)


class FigureErrors(Exception):
    """Rows that could not be read; nothing was saved. Keys are (program, figure id)."""

    def __init__(self, errors: dict[tuple[str, str], str]) -> None:
        self.errors = errors
        super().__init__("；".join(errors.values()))


def lock(submission: Submission) -> Submission:
    """Re-read the submission with a row lock for the rest of the transaction."""
    return Submission.objects.select_for_update().select_related("cycle", "region").get(pk=submission.pk)


Parsed = FigureValue | bool


def parse_inputs(
    submission: Submission, raw: dict[tuple[str, str], RowInput], no_task: set[str]
) -> dict[tuple[str, str], tuple[Parsed, str | None]]:
    """Every row read, or :class:`FigureErrors` naming each row that could not be."""
    rows = rows_of(submission)
    framework = cycle_framework(submission.cycle)
    parsed: dict[tuple[str, str], tuple[Parsed, str | None]] = {}
    errors: dict[tuple[str, str], str] = {}
    for key, given in raw.items():
        row = rows.get(key)
        if row is None:
            errors[key] = f"本单位的填报表中没有数据项“{key[0]}.{key[1]}”"
            continue
        try:
            value = parse_row(row, given)
        except EntryError as exc:
            errors[key] = exc.message
            continue
        if key[0] in no_task and value is not None:
            label = framework.program(key[0]).label
            errors[key] = f"{label}已选择“无此项任务”，但“{row.label}”仍填有数据：请清空，或取消“无此项任务”"
            continue
        explanation = given.explanation.strip() if given.explanation is not None else None
        parsed[key] = (value, explanation)
    for program_id in no_task:
        try:
            framework.program(program_id)
        except KeyError:
            errors[(program_id, "")] = f"未知的项目“{program_id}”"
    if errors:
        raise FigureErrors(errors)
    return parsed


def save_figures(
    user: Any,
    submission: Submission,
    raw: dict[tuple[str, str], RowInput],
    *,
    no_task: set[str] | None = None,
    expected_version: int | None = None,
    source: str = "网页填报",
) -> SaveResult:
    """Save the given rows and the 无此项任务 switches (all or nothing), then validate.

    ``no_task`` None leaves the switches as they are."""
    authorize(user, "submissions.fill_submission", submission.region)
    switches = set(no_task) if no_task is not None else set(submission.no_task)
    parsed = parse_inputs(submission, raw, switches)
    return _save(user, submission, parsed, switches if no_task is not None else None, expected_version, source)


def _save(
    user: Any,
    submission: Submission,
    parsed: dict[tuple[str, str], tuple[Parsed, str | None]],
    switches: set[str] | None,
    expected_version: int | None,
    source: str,
) -> SaveResult:
    """Write read values and (when given) the 无此项任务 switches in one transaction, then validate once."""
    with transaction.atomic():
        sub = lock(submission)
        if not sub.is_editable:
            raise NotEditable(f"{sub}处于“{sub.get_status_display()}”状态，不能修改（须先退回或重新打开）")
        if expected_version is not None and expected_version != sub.version:
            raise StaleVersion(f"{sub}已被他人修改（当前版本 {sub.version}，您打开的是版本 {expected_version}），请刷新后再保存")
        changed = _write_switches(user, sub, switches) if switches is not None else 0
        changed += _write_entries(user, sub, parsed)
        if changed:
            sub.version += 1
            sub.source = source
        problems = check_submission(sub)
        sub.issues = [p.as_dict() for p in problems]
        sub.checked_at = timezone.now()
        sub.save()
        submission.refresh_from_db()
        return SaveResult(changed=changed, issues=problems)


def save_unit_report(
    user: Any, submission: Submission, report: UnitReport, source: str, expected_version: int | None = None
) -> SaveResult:
    """Replace the submission's rows with an imported workbook's report (all or nothing): the values
    the importer read are written as they are, and validation runs once."""
    authorize(user, "submissions.fill_submission", submission.region)
    parsed: dict[tuple[str, str], tuple[Parsed, str | None]] = {}
    no_task: set[str] = set()
    for program, rows in program_rows(submission):
        data = report.program(program.id)
        if data is not None and data.no_task:
            no_task.add(program.id)
        for row in rows:
            fid = row.spec.id
            value: Parsed = None
            if data is not None and fid in data.answers:
                value = data.answers[fid]
            elif data is not None:
                value = data.figures.get(fid)
            explanation = data.explanations.get(fid, "") if data is not None else ""
            parsed[(program.id, fid)] = (value, explanation)
    return _save(user, submission, parsed, no_task, expected_version, source)


def _write_switches(user: Any, sub: Submission, switches: set[str]) -> int:
    framework = cycle_framework(sub.cycle)
    old = set(sub.no_task)
    if old == switches:
        return 0
    for pid in sorted(old ^ switches):
        record(user, "修改无此项任务", object_type="submission", object_id=sub.pk,
               object_label=f"{sub} › {program_label(framework, pid)}", field=f"{pid}.无此项任务",
               old="是" if pid in old else "否", new="是" if pid in switches else "否",
               region=sub.region, cycle_id=sub.cycle_id)
    sub.no_task = sorted(switches)
    # A program without a task carries no figures: clear what was there (each change audited).
    for entry in FigureEntry.objects.filter(submission=sub, program__in=switches).exclude(state=EntryState.blank):
        before = entry.display
        entry.state, entry.value, entry.updated_by = EntryState.blank, None, user
        entry.save()
        record(user, "修改数据", object_type="figure", object_id=entry.pk,
               object_label=f"{sub} › {program_label(framework, entry.program)} › "
                            f"{figure_label(framework, entry.program, entry.figure_id)}",
               field=f"{entry.program}.{entry.figure_id}", old=before, new=BLANK_TEXT, note="无此项任务",
               region=sub.region, cycle_id=sub.cycle_id)
    return len(old ^ switches)


def _write_entries(user: Any, sub: Submission, parsed: dict[tuple[str, str], tuple[Parsed, str | None]]) -> int:
    framework = cycle_framework(sub.cycle)
    existing = {(e.program, e.figure_id): e for e in FigureEntry.objects.filter(submission=sub)}
    changed = 0
    for (program_id, figure_id), (value, explanation) in parsed.items():
        entry = existing.get((program_id, figure_id))
        old_value: Parsed = (entry.answer if entry.answer is not None else entry.figure_value) if entry else None
        old_note = entry.explanation if entry else ""
        value_changed = not _same(old_value, value)
        note_changed = explanation is not None and explanation != old_note
        if not value_changed and not note_changed:
            continue
        if entry is None:
            entry = FigureEntry(submission=sub, program=program_id, figure_id=figure_id)
        if value_changed:
            entry.state, entry.value = _state(value)
        if note_changed:
            assert explanation is not None
            entry.explanation = explanation
        entry.updated_by = user
        entry.save()
        changed += 1
        label = f"{sub} › {program_label(framework, program_id)} › {figure_label(framework, program_id, figure_id)}"
        if value_changed:
            record(user, "修改数据", object_type="figure", object_id=entry.pk, object_label=label,
                   field=f"{program_id}.{figure_id}", old=display_value(old_value), new=display_value(value),
                   region=sub.region, cycle_id=sub.cycle_id)
        if note_changed:
            record(user, "修改情况说明", object_type="figure", object_id=entry.pk, object_label=label,
                   field=f"{program_id}.{figure_id}.情况说明", old=old_note, new=explanation or "",
                   region=sub.region, cycle_id=sub.cycle_id)
    return changed


def _same(a: Parsed, b: Parsed) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return a == b and type(a) is type(b)


def _state(value: Parsed) -> tuple[str, Decimal | None]:
    if value is True:
        return EntryState.yes, None
    if value is False:
        return EntryState.no, None
    if value is None:
        return EntryState.blank, None
    if value == NOT_APPLICABLE:
        return EntryState.not_applicable, None
    assert isinstance(value, Decimal)
    return EntryState.value, value


def check_submission(submission: Submission) -> list[Problem]:
    """The collection module's validation of the stored rows (errors, warnings, advisories)."""
    return validate(submission)


def reply_to_return(user: Any, item_return: ItemReturn, text: str) -> ReturnMessage:
    """Add to a return's thread: the unit explains its fix, the reviewer answers."""
    submission = item_return.submission
    authorize(user, "submissions.view_submission", submission.region)
    if not (user.has_perm("submissions.fill_submission") or user.has_perm("submissions.review_submission")
            or user.has_perm("submissions.approve_submission")):
        raise PermissionDenied("您的角色不能在退回说明中回复")
    text = text.strip()
    if not text:
        raise ValueError("回复内容不能为空")
    if item_return.status != ReturnStatus.open:
        raise ValueError("该退回项已解决，不能再回复")
    with transaction.atomic():
        message = ReturnMessage.objects.create(item_return=item_return, author=user, text=text)
        framework = cycle_framework(submission.cycle)
        record(
            user,
            "回复退回说明",
            object_type="return",
            object_id=item_return.pk,
            object_label=f"{submission} › {figure_label(framework, item_return.program, item_return.figure_id)}",
            field="往来说明",
            new=text,
            region=submission.region,
            cycle_id=submission.cycle_id,
        )
        return message

"""Verbs on a submission's content. Each takes the acting user, checks permission and scope,
runs in one transaction and writes the audit log. A write that changes what the evaluation is
computed from counts it on the cycle (:meth:`~anju_web.submissions.models.Cycle.inputs_changed`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anju.collect.entry import Entered
from anju.collect.units import UnitReport
from anju.dataset import NOT_APPLICABLE
from anju.dataset.models import BLANK_TEXT
from anju.problems import EntryCode, LoadCode, Problem, ProblemsError, Severity, Where
from anju.text import clean_text
from anju_web.accounts.policy import authorize
from anju_web.audit.models import AuditAction, AuditObject
from anju_web.audit.services import record
from anju_web.submissions.cycles import ensure_not_archived
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

Key = tuple[str, str]
"""(program id, figure id): one row of a unit's form."""
Parsed = dict[Key, tuple[Entered, str | None]]
"""Each row's value as read, and its 情况说明 (None leaves the stored one)."""


class StaleVersion(Exception):
    """Someone saved the submission after this form was opened."""


class NotEditable(PermissionDenied):
    pass


class ReplyRefused(ValueError):
    """A reply the return's thread cannot take (empty, or the return already resolved)."""


@dataclass
class SaveResult:
    changed: int
    issues: list[Problem] = field(default_factory=list)


class FigureErrors(ProblemsError):
    """Rows that could not be read; nothing was saved. Each problem names its program and figure."""

    @property
    def errors(self) -> dict[Key, str]:
        """The message of each row, keyed by (program, figure) — what the form shows beside the row."""
        return {(p.where.program or "", p.where.figure or ""): p.message for p in self.problems}


def lock(submission: Submission) -> Submission:
    """Re-read the submission with a row lock for the rest of the transaction."""
    return Submission.objects.select_for_update().select_related("cycle", "region").get(pk=submission.pk)


def parse_inputs(submission: Submission, raw: dict[Key, RowInput], no_task: set[str]) -> Parsed:
    """Every row read, or :class:`FigureErrors` naming each row that could not be."""
    rows = rows_of(submission)
    framework = submission.cycle.framework
    parsed: Parsed = {}
    problems: list[Problem] = []

    def refuse(key: Key, code: str, message: str) -> None:
        problems.append(Problem(code, Severity.error, message,
                                Where(program=key[0], figure=key[1] or None, unit=submission.region_id)))

    for key, given in raw.items():
        row = rows.get(key)
        if row is None:
            refuse(key, LoadCode.REFERENCE_UNKNOWN, f"本单位的填报表中没有数据项“{key[0]}.{key[1]}”")
            continue
        try:
            value = parse_row(row, given)
        except EntryError as exc:
            refuse(key, exc.code, exc.message)
            continue
        if key[0] in no_task and value is not None:
            refuse(key, EntryCode.NO_TASK_WITH_DATA, f"{framework.program(key[0]).label}已选择“无此项任务”，"
                                                     f"但“{row.label}”仍填有数据：请清空，或取消“无此项任务”")
            continue
        parsed[key] = (value, clean_text(given.explanation).strip() if given.explanation is not None else None)
    for program_id in sorted(no_task - {p.id for p in framework.programs}):
        refuse((program_id, ""), LoadCode.REFERENCE_UNKNOWN, f"未知的项目“{program_id}”")
    if problems:
        raise FigureErrors(problems)
    return parsed


def save_figures(
    user: Any,
    submission: Submission,
    raw: dict[Key, RowInput],
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
    return _save(user, submission, parsed, switches=switches if no_task is not None else None,
                 expected_version=expected_version, source=source)


def save_unit_report(
    user: Any, submission: Submission, report: UnitReport, source: str, expected_version: int | None = None
) -> SaveResult:
    """Replace the submission's rows with an imported workbook's report (all or nothing): the values
    the importer read are written as they are, and validation runs once."""
    authorize(user, "submissions.fill_submission", submission.region)
    parsed: Parsed = {}
    no_task: set[str] = set()
    for program, rows in program_rows(submission):
        data = report.program(program.id)
        if data is not None and data.no_task:
            no_task.add(program.id)
        for row in rows:
            fid = row.spec.id
            value: Entered = None
            if data is not None and fid in data.answers:
                value = data.answers[fid]
            elif data is not None:
                value = data.figures.get(fid)
            explanation = data.explanations.get(fid, "") if data is not None else ""
            parsed[(program.id, fid)] = (value, explanation)
    cover: dict[str, str | dt.date | None] = {
        "reporter": report.reporter or "", "phone": report.phone or "", "report_date": report.submitted_at}
    return _save(user, submission, parsed, switches=no_task, expected_version=expected_version, source=source,
                 cover=cover)


def _save(user: Any, submission: Submission, parsed: Parsed, *, switches: set[str] | None,
          expected_version: int | None, source: str, cover: dict[str, str | dt.date | None] | None = None) -> SaveResult:
    """Write read values and (when given) the 无此项任务 switches in one transaction, then validate once."""
    with transaction.atomic():
        sub = lock(submission)
        ensure_not_archived(sub.cycle)
        if not sub.is_editable:
            raise NotEditable(f"{sub}处于“{sub.get_status_display()}”状态，不能修改（须先退回或重新打开）")
        if expected_version is not None and expected_version != sub.version:
            raise StaleVersion(f"{sub}已被他人修改（当前版本 {sub.version}，您打开的是版本 {expected_version}），请刷新后再保存")
        changed = _write_switches(user, sub, switches) if switches is not None else 0
        entries = {(e.program, e.figure_id): e for e in FigureEntry.objects.filter(submission=sub)}
        changed += _write_entries(user, sub, parsed, entries)
        if cover:
            _write_cover(user, sub, cover)
        if changed:
            sub.version += 1
            sub.source = source
            sub.cycle.inputs_changed()
        problems = validate(sub, entries)
        sub.issues = [p.as_dict() for p in problems]
        sub.checked_at = timezone.now()
        sub.save()
        submission.refresh_from_db()
        return SaveResult(changed=changed, issues=problems)


COVER_FIELDS = {"reporter": "填报人", "phone": "联系电话", "report_date": "填报日期", "unit_head": "单位负责人"}
"""The cover (封面) of a unit's 填报表: who filled it, how to reach them, when, and who signs for the unit."""
COVER_CHARS = 100
PHONE_CHARS = frozenset("0123456789-+()（） 转,，、/")
EARLIEST_REPORT_YEAR = 2000
LATEST_REPORT_YEAR = 2100


class CoverErrors(ValueError):
    """Cover fields that could not be read; nothing was saved (the message names each, in Chinese)."""


def read_cover(raw: dict[str, str]) -> dict[str, str | dt.date | None]:
    """The cover fields as typed (only those given), checked: short text, a phone number, a date."""
    out: dict[str, str | dt.date | None] = {}
    problems: list[str] = []
    for name, label in COVER_FIELDS.items():
        if name not in raw:
            continue
        text = clean_text(raw[name]).strip()
        if len(text) > COVER_CHARS:
            problems.append(f"{label}不能超过 {COVER_CHARS} 个字")
        elif name == "phone" and text and not set(text) <= PHONE_CHARS:
            problems.append(f"联系电话“{text}”只能包含数字、空格和 - + ( ) 转")
        elif name == "report_date":
            if not text:
                out[name] = None
                continue
            try:
                day = dt.date.fromisoformat(text.replace("/", "-"))
            except ValueError:
                problems.append(f"填报日期应为日期（如 2023-01-10），实为“{text}”")
                continue
            if not EARLIEST_REPORT_YEAR <= day.year <= LATEST_REPORT_YEAR:
                problems.append(f"填报日期“{text}”不在合理范围内")
                continue
            out[name] = day
            continue
        out[name] = text
    if problems:
        raise CoverErrors("；".join(problems))
    return out


def _write_cover(user: Any, sub: Submission, cover: dict[str, str | dt.date | None]) -> int:
    changed = 0
    for name, value in cover.items():
        old = getattr(sub, name)
        if (old or None) == (value or None):
            continue
        setattr(sub, name, value if name == "report_date" else (value or ""))
        record(user, AuditAction.cover_changed, sub.audit_target(label=f"{sub} › 封面"), field=f"封面.{COVER_FIELDS[name]}",
               old="" if old is None else str(old), new="" if value is None else str(value))
        changed += 1
    return changed


def save_cover(user: Any, submission: Submission, raw: dict[str, str]) -> int:
    """Store the cover fields typed on the form (audited); the number changed. Raises :class:`CoverErrors`."""
    authorize(user, "submissions.fill_submission", submission.region)
    cover = read_cover(raw)
    with transaction.atomic():
        sub = lock(submission)
        ensure_not_archived(sub.cycle)
        if not sub.is_editable:
            raise NotEditable(f"{sub}处于“{sub.get_status_display()}”状态，不能修改（须先退回或重新打开）")
        changed = _write_cover(user, sub, cover)
        if changed:
            sub.save(update_fields=[*cover.keys(), "updated_at"])
        submission.refresh_from_db()
        return changed


def _figure_target_label(sub: Submission, program_id: str, figure_id: str) -> str:
    framework = sub.cycle.framework
    return f"{sub} › {program_label(framework, program_id)} › {figure_label(framework, program_id, figure_id)}"


def _write_switches(user: Any, sub: Submission, switches: set[str]) -> int:
    framework = sub.cycle.framework
    old = set(sub.no_task)
    if old == switches:
        return 0
    for pid in sorted(old ^ switches):
        record(user, AuditAction.no_task_changed, sub.audit_target(label=f"{sub} › {program_label(framework, pid)}"),
               field=f"{pid}.无此项任务", old="是" if pid in old else "否", new="是" if pid in switches else "否")
    sub.no_task = sorted(switches)
    # A program without a task carries no figures: clear what was there (each change audited).
    for entry in FigureEntry.objects.filter(submission=sub, program__in=switches).exclude(state=EntryState.blank):
        before = entry.display
        entry.state, entry.value, entry.updated_by = EntryState.blank, None, user
        entry.save()
        record(user, AuditAction.figure_changed,
               sub.audit_target(AuditObject.figure, entry.pk, _figure_target_label(sub, entry.program, entry.figure_id)),
               field=f"{entry.program}.{entry.figure_id}", old=before, new=BLANK_TEXT, note="无此项任务")
    return len(old ^ switches)


def _write_entries(user: Any, sub: Submission, parsed: Parsed, existing: dict[Key, FigureEntry]) -> int:
    """Write what changed; ``existing`` (the unit's rows, read after ``_write_switches``) is kept
    up to date, rows created included."""
    changed = 0
    for (program_id, figure_id), (value, explanation) in parsed.items():
        entry = existing.get((program_id, figure_id))
        old_value: Entered = entry.entered if entry else None
        old_note = entry.explanation if entry else ""
        value_changed = not _same(old_value, value)
        note_changed = explanation is not None and explanation != old_note
        if not value_changed and not note_changed:
            continue
        if entry is None:
            entry = existing[(program_id, figure_id)] = FigureEntry(submission=sub, program=program_id, figure_id=figure_id)
        if value_changed:
            entry.state, entry.value = _state(value)
        if explanation is not None:
            entry.explanation = explanation
        entry.updated_by = user
        entry.save()
        changed += 1
        target = sub.audit_target(AuditObject.figure, entry.pk, _figure_target_label(sub, program_id, figure_id))
        if value_changed:
            record(user, AuditAction.figure_changed, target, field=f"{program_id}.{figure_id}",
                   old=display_value(old_value), new=display_value(value))
        if note_changed:
            record(user, AuditAction.explanation_changed, target, field=f"{program_id}.{figure_id}.情况说明",
                   old=old_note, new=explanation or "")
    return changed


def _same(a: Entered, b: Entered) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return a == b and type(a) is type(b)


def _state(value: Entered) -> tuple[str, Decimal | None]:
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
        label = figure_label(submission.cycle.framework, item_return.program, item_return.figure_id)
        record(user, AuditAction.return_replied,
               submission.audit_target(AuditObject.item_return, item_return.pk, f"{submission} › {label}"),
               field="往来说明", new=text)
        return message

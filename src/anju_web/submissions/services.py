"""Verbs on a submission's content. Each takes the acting user, checks permission and scope,
runs in one transaction and writes the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anju.checks import run_checks
from anju.dataset import NOT_APPLICABLE, FigureValue
from anju_web.accounts.policy import authorize
from anju_web.audit.services import record
from anju_web.submissions.assembly import assemble_dataset, cycle_framework
from anju_web.submissions.frameworks import figure_label, program_label
from anju_web.submissions.inputs import FigureInputError, parse_input
from anju_web.submissions.models import (
    EntryState,
    FigureEntry,
    ItemReturn,
    ReturnMessage,
    ReturnStatus,
    Submission,
    WarningExplanation,
    display_value,
)

RawInput = tuple[str | None, bool]
"""What a form field holds: the typed text and whether 不适用 was ticked."""


class StaleVersion(Exception):
    """Someone saved the submission after this form was opened."""


class NotEditable(PermissionDenied):
    pass


@dataclass
class SaveResult:
    changed: int
    issues: list[dict[str, str]] = field(default_factory=list)


class FigureErrors(Exception):
    def __init__(self, errors: dict[tuple[str, str], str]) -> None:
        self.errors = errors
        super().__init__("；".join(errors.values()))


def lock(submission: Submission) -> Submission:
    """Re-read the submission with a row lock for the rest of the transaction."""
    return Submission.objects.select_for_update().select_related("cycle", "region").get(pk=submission.pk)


def parse_inputs(submission: Submission, raw: dict[tuple[str, str], RawInput]) -> dict[tuple[str, str], FigureValue]:
    framework = cycle_framework(submission.cycle)
    parsed: dict[tuple[str, str], FigureValue] = {}
    errors: dict[tuple[str, str], str] = {}
    for (program_id, figure_id), (text, na) in raw.items():
        try:
            spec = framework.program(program_id).figure(figure_id)
        except KeyError:
            errors[(program_id, figure_id)] = f"未知的数据项“{program_id}.{figure_id}”"
            continue
        try:
            parsed[(program_id, figure_id)] = parse_input(spec, text, na)
        except FigureInputError as exc:
            errors[(program_id, figure_id)] = str(exc)
    if errors:
        raise FigureErrors(errors)
    return parsed


def save_figures(
    user: Any,
    submission: Submission,
    raw: dict[tuple[str, str], RawInput],
    expected_version: int | None = None,
    source: str = "网页填报",
) -> SaveResult:
    """Save the given figures (all or nothing), then validate the whole submission."""
    authorize(user, "submissions.fill_submission", submission.region)
    parsed = parse_inputs(submission, raw)
    with transaction.atomic():
        sub = lock(submission)
        if not sub.is_editable:
            raise NotEditable(f"{sub}处于“{sub.get_status_display()}”状态，不能修改（须先退回或重新打开）")
        if expected_version is not None and expected_version != sub.version:
            raise StaleVersion(f"{sub}已被他人修改（当前版本 {sub.version}，您打开的是版本 {expected_version}），请刷新后再保存")
        changed = _write_entries(user, sub, parsed)
        if changed:
            sub.version += 1
            sub.source = source
        sub.issues = check_submission(sub)
        sub.checked_at = timezone.now()
        sub.save()
        submission.refresh_from_db()
        return SaveResult(changed=changed, issues=list(sub.issues))


def _write_entries(user: Any, sub: Submission, parsed: dict[tuple[str, str], FigureValue]) -> int:
    framework = cycle_framework(sub.cycle)
    existing = {(e.program, e.figure_id): e for e in FigureEntry.objects.filter(submission=sub)}
    changed = 0
    for (program_id, figure_id), value in parsed.items():
        entry = existing.get((program_id, figure_id))
        old: FigureValue = entry.figure_value if entry else None
        if _same(old, value):
            continue
        if entry is None:
            entry = FigureEntry(submission=sub, program=program_id, figure_id=figure_id)
        state, number = _state(value)
        entry.state, entry.value, entry.updated_by = state, number, user
        entry.save()
        changed += 1
        record(
            user,
            "修改数据",
            object_type="figure",
            object_id=entry.pk,
            object_label=f"{sub} › {program_label(framework, program_id)} › {figure_label(framework, program_id, figure_id)}",
            field=f"{program_id}.{figure_id}",
            old=display_value(old),
            new=display_value(value),
            region=sub.region,
            cycle_id=sub.cycle_id,
        )
    return changed


def _same(a: FigureValue, b: FigureValue) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return a == b and type(a) is type(b)


def _state(value: FigureValue) -> tuple[str, Decimal | None]:
    if value is None:
        return EntryState.blank, None
    if value == NOT_APPLICABLE:
        return EntryState.not_applicable, None
    assert isinstance(value, Decimal)
    return EntryState.value, value


def check_submission(submission: Submission) -> list[dict[str, str]]:
    """Run the engine's checks over the submission's figures (errors and warnings)."""
    framework = cycle_framework(submission.cycle)
    dataset = assemble_dataset(submission.cycle, submission.region)
    return [issue.as_dict() for issue in run_checks(framework, dataset)]


def unexplained_warnings(submission: Submission) -> list[dict[str, str]]:
    explained = {
        (e.program, e.code, e.where)
        for e in WarningExplanation.objects.filter(submission=submission).exclude(text="")
    }
    return [
        i for i in submission.issues
        if i["severity"] == "warning" and (i["program"], i["code"], i["where"]) not in explained
    ]


def explain_warning(user: Any, submission: Submission, *, program: str, code: str, where: str, text: str) -> WarningExplanation:
    authorize(user, "submissions.fill_submission", submission.region)
    text = text.strip()
    if not text:
        raise ValueError("说明不能为空")
    with transaction.atomic():
        sub = lock(submission)
        if not sub.is_editable:
            raise NotEditable(f"{sub}处于“{sub.get_status_display()}”状态，不能修改")
        if not any(i["program"] == program and i["code"] == code and i["where"] == where for i in sub.issues):
            raise ValueError("该警告已不存在，请刷新页面")
        explanation, created = WarningExplanation.objects.get_or_create(
            submission=sub, program=program, code=code, where=where, defaults={"text": text, "author": user}
        )
        old = "" if created else explanation.text
        if not created:
            explanation.text, explanation.author = text, user
            explanation.save()
        record(
            user,
            "说明警告",
            object_type="warning_explanation",
            object_id=explanation.pk,
            object_label=f"{sub} › {program_label(cycle_framework(sub.cycle), program)} › {code}（{where}）",
            field="说明",
            old=old,
            new=text,
            region=sub.region,
            cycle_id=sub.cycle_id,
        )
        return explanation


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

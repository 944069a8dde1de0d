"""The submission workflow: one declared transition table, and verbs that take the acting user.

    draft ──submit──▶ submitted ──accept (地级市)──▶ accepted ──approve (省级)──▶ approved ──lock──▶ locked
      ▲                  │                              │                          │               │
      │               return (地级市，逐项说明理由)     return (省级)               └──── reopen ────┘
      │                  ▼                              ▼                          （须说明理由，记录在案）
      └──(edit)──── returned ◀──────────────────────────┘                                │
      ▲                                                                                  │
      └──────────────────────────────────────────────────────────────────────────────────┘

Every change goes through :func:`perform`, inside a transaction with the submission row locked,
and is written to the audit log with the old and new state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anju_web.accounts.policy import authorize, has
from anju_web.audit.services import record
from anju_web.submissions.assembly import cycle_framework
from anju_web.submissions.frameworks import figure_label
from anju_web.submissions.models import ItemReturn, ReturnMessage, ReturnStatus, Status, Submission
from anju_web.submissions.services import check_submission, lock
from anju_web.submissions.units import unexplained


class TransitionError(Exception):
    """The transition is not possible now; the message (Chinese) says why."""


@dataclass(frozen=True)
class ReturnItem:
    program: str
    figure_id: str
    reason: str


@dataclass(frozen=True)
class Transition:
    verb: str
    label: str
    sources: frozenset[Status]
    target: Status
    permission: str
    needs_reason: bool = False
    needs_items: bool = False
    timestamp: str | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", "提交", frozenset({Status.draft, Status.returned}), Status.submitted,
               "submissions.submit_submission", timestamp="submitted_at"),
    Transition("return", "退回", frozenset({Status.submitted}), Status.returned,
               "submissions.review_submission", needs_items=True),
    Transition("accept", "审核通过", frozenset({Status.submitted}), Status.accepted,
               "submissions.review_submission", timestamp="accepted_at"),
    Transition("return", "退回", frozenset({Status.accepted}), Status.returned,
               "submissions.approve_submission", needs_items=True),
    Transition("approve", "审定", frozenset({Status.accepted}), Status.approved,
               "submissions.approve_submission", timestamp="approved_at"),
    Transition("lock", "锁定", frozenset({Status.approved}), Status.locked,
               "submissions.lock_submission", timestamp="locked_at"),
    Transition("reopen", "重新打开", frozenset({Status.approved, Status.locked}), Status.draft,
               "submissions.reopen_submission", needs_reason=True),
)

VERB_LABELS = {t.verb: t.label for t in TRANSITIONS}


def transition_for(verb: str, status: str) -> Transition | None:
    for t in TRANSITIONS:
        if t.verb == verb and status in t.sources:
            return t
    return None


def available(user: Any, submission: Submission) -> list[Transition]:
    """Transitions the user may attempt on the submission now (for showing buttons)."""
    return [
        t for t in TRANSITIONS
        if submission.status in t.sources and has(user, t.permission, submission.region)
    ]


MAX_LISTED = 5
"""Problems quoted in a refusal; the rest are counted."""

Guard = Callable[[Any, Submission, str, Sequence[ReturnItem]], None]


def _guard_submit(user: Any, sub: Submission, reason: str, items: Sequence[ReturnItem]) -> None:
    found = check_submission(sub)
    sub.issues = [p.as_dict() for p in found]
    sub.checked_at = timezone.now()
    errors = [p for p in found if p.is_error]
    problems: list[str] = []
    if errors:
        problems.append(f"有 {len(errors)} 个错误须先改正：" + "；".join(p.message for p in errors[:MAX_LISTED])
                        + ("……" if len(errors) > MAX_LISTED else ""))
    warnings = unexplained(found)
    if warnings:
        problems.append(f"有 {len(warnings)} 个警告尚未在“情况说明”中说明：" + "；".join(p.message for p in warnings[:MAX_LISTED]))
    for item in sub.returns.filter(status=ReturnStatus.open):
        answered = ReturnMessage.objects.filter(item_return=item, created_at__gte=item.created_at).exclude(
            author=item.created_by
        ).exists()
        if not answered:
            label = figure_label(cycle_framework(sub.cycle), item.program, item.figure_id)
            problems.append(f"退回项“{label}”尚未回复修改情况")
    if problems:
        raise TransitionError("不能提交：" + "；".join(problems))


def _guard_return(user: Any, sub: Submission, reason: str, items: Sequence[ReturnItem]) -> None:
    if not items:
        raise TransitionError("退回时须至少指明一个数据项并说明理由")
    framework = cycle_framework(sub.cycle)
    for item in items:
        try:
            framework.program(item.program).figure(item.figure_id)
        except KeyError:
            raise TransitionError(f"未知的数据项“{item.program}.{item.figure_id}”") from None
        if not item.reason.strip():
            raise TransitionError(f"退回“{figure_label(framework, item.program, item.figure_id)}”须说明理由")


def _guard_accept(user: Any, sub: Submission, reason: str, items: Sequence[ReturnItem]) -> None:
    found = check_submission(sub)
    sub.issues = [p.as_dict() for p in found]
    errors = [p for p in found if p.is_error]
    if errors:
        raise TransitionError(f"该填报仍有 {len(errors)} 个错误，不能审核通过")


def _guard_approve(user: Any, sub: Submission, reason: str, items: Sequence[ReturnItem]) -> None:
    if sub.accepted_at is None:
        raise TransitionError("须先经地级市审核通过，省级才能审定")
    _guard_accept(user, sub, reason, items)


def _no_guard(user: Any, sub: Submission, reason: str, items: Sequence[ReturnItem]) -> None:
    return None


GUARDS: dict[str, Guard] = {
    "submit": _guard_submit,
    "return": _guard_return,
    "accept": _guard_accept,
    "approve": _guard_approve,
    "lock": _no_guard,
    "reopen": _no_guard,
}


def perform(user: Any, submission: Submission, verb: str, *, reason: str = "",
            items: Sequence[ReturnItem] = ()) -> Submission:
    """Carry out ``verb`` on ``submission`` as ``user`` or raise (404/403/TransitionError)."""
    authorize(user, "submissions.view_submission", submission.region)
    with transaction.atomic():
        sub = lock(submission)
        transition = transition_for(verb, sub.status)
        if transition is None:
            known = any(t.verb == verb for t in TRANSITIONS)
            if not known:
                raise TransitionError(f"未知的操作“{verb}”")
            # Check the permission first so that a role without it gets 403 whatever the state.
            if not any(user.has_perm(t.permission) for t in TRANSITIONS if t.verb == verb):
                raise PermissionDenied("您的角色无权执行此操作")
            allowed = "、".join(f"“{Status(src).label}”" for t in TRANSITIONS if t.verb == verb for src in sorted(t.sources))
            raise TransitionError(
                f"{sub}处于“{sub.get_status_display()}”状态，不能{VERB_LABELS[verb]}（须在{allowed}状态）"
            )
        authorize(user, transition.permission, sub.region)
        reason = reason.strip()
        if transition.needs_reason and not reason:
            raise TransitionError(f"{transition.label}须说明理由")
        GUARDS[verb](user, sub, reason, items)
        old_status = sub.get_status_display()
        sub.status = transition.target
        now = timezone.now()
        if transition.timestamp:
            setattr(sub, transition.timestamp, now)
        if verb == "reopen":
            sub.accepted_at = sub.approved_at = sub.locked_at = None
            _unsign_cycle(user, sub, reason)
        sub.save()
        note = reason
        if verb == "return":
            note = _open_returns(user, sub, items)
        if verb in ("accept", "approve"):
            _resolve_returns(user, sub)
        record(
            user,
            transition.label,
            object_type="submission",
            object_id=sub.pk,
            object_label=str(sub),
            field="状态",
            old=old_status,
            new=sub.get_status_display(),
            note=note,
            region=sub.region,
            cycle_id=sub.cycle_id,
        )
        submission.refresh_from_db()
        return sub


def _open_returns(user: Any, sub: Submission, items: Sequence[ReturnItem]) -> str:
    framework = cycle_framework(sub.cycle)
    notes = []
    for item in items:
        row = ItemReturn.objects.create(
            submission=sub, program=item.program, figure_id=item.figure_id, reason=item.reason.strip(), created_by=user
        )
        label = figure_label(framework, item.program, item.figure_id)
        notes.append(f"{label}：{row.reason}")
        record(
            user,
            "退回数据项",
            object_type="return",
            object_id=row.pk,
            object_label=f"{sub} › {label}",
            field="退回理由",
            new=row.reason,
            region=sub.region,
            cycle_id=sub.cycle_id,
        )
    return "；".join(notes)


def _resolve_returns(user: Any, sub: Submission) -> None:
    framework = cycle_framework(sub.cycle)
    for item in sub.returns.filter(status=ReturnStatus.open):
        item.status = ReturnStatus.resolved
        item.resolved_at = timezone.now()
        item.resolved_by = user
        item.save()
        record(
            user,
            "确认退回项已解决",
            object_type="return",
            object_id=item.pk,
            object_label=f"{sub} › {figure_label(framework, item.program, item.figure_id)}",
            field="状态",
            old=ReturnStatus.open.label,
            new=ReturnStatus.resolved.label,
            region=sub.region,
            cycle_id=sub.cycle_id,
        )


def _unsign_cycle(user: Any, sub: Submission, reason: str) -> None:
    cycle = sub.cycle
    if cycle.signed_at is None:
        return
    old = cycle.signed_at
    cycle.signed_at = None
    cycle.signed_by = None
    cycle.save(update_fields=["signed_at", "signed_by"])
    record(
        user,
        "撤销审定",
        object_type="cycle",
        object_id=cycle.pk,
        object_label=str(cycle),
        field="省级审定时间",
        old=timezone.localtime(old).strftime("%Y-%m-%d %H:%M:%S"),
        new="",
        note=f"因重新打开{sub}：{reason}",
        region=cycle.region,
        cycle_id=cycle.pk,
    )


def submit(user: Any, submission: Submission) -> Submission:
    return perform(user, submission, "submit")


def return_items(user: Any, submission: Submission, items: Sequence[ReturnItem]) -> Submission:
    return perform(user, submission, "return", items=items)


def accept(user: Any, submission: Submission) -> Submission:
    return perform(user, submission, "accept")


def approve(user: Any, submission: Submission) -> Submission:
    return perform(user, submission, "approve")


def lock_submission(user: Any, submission: Submission) -> Submission:
    return perform(user, submission, "lock")


def reopen(user: Any, submission: Submission, reason: str) -> Submission:
    return perform(user, submission, "reopen", reason=reason)

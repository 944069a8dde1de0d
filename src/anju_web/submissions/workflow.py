"""The submission workflow: one declared transition table, and verbs that take the acting user.

    draft ◀─withdraw (填报单位，审核前)─┐
    draft ──submit──▶ submitted ──accept (地级市)──▶ accepted ──approve (省级)──▶ approved ──lock──▶ locked
      ▲                  │                              │                          │               │
      │               return (地级市，逐项说明理由)     return (省级)               └──── reopen ────┘
      │                  ▼                              ▼                          （须说明理由，记录在案）
      └──(edit)──── returned ◀──────────────────────────┘                                │
      ▲                                                                                  │
      └──────────────────────────────────────────────────────────────────────────────────┘

Each row of :data:`TRANSITIONS` says everything about a move: the verb, the states it leaves from,
the state it reaches, the permission it needs, the audit action it is logged as, what must hold
before it (``guard``, which raises :class:`TransitionError`) and what else it does (``effect``,
which returns the note for the log). Adding a verb is one row. Every move goes through
:func:`perform`, inside a transaction with the submission row locked, and is written to the audit
log with the old and new state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anju.problems import Problem
from anju_web.accounts.policy import authorize, has
from anju_web.audit.models import AuditAction, AuditObject
from anju_web.audit.services import record
from anju_web.submissions.frameworks import figure_label
from anju_web.submissions.models import EDITABLE, ItemReturn, ReturnMessage, ReturnStatus, Status, Submission
from anju_web.submissions.services import lock
from anju_web.submissions.units import unexplained, validate, value_texts

MAX_LISTED = 5
"""Problems quoted in a refusal; the rest are counted."""


class TransitionError(Exception):
    """The transition is not possible now; the message (Chinese) says why."""


class Verb(StrEnum):
    submit = "submit"
    return_ = "return"
    accept = "accept"
    approve = "approve"
    lock = "lock"
    reopen = "reopen"
    withdraw = "withdraw"


@dataclass(frozen=True)
class ReturnItem:
    program: str
    figure_id: str
    reason: str


@dataclass(frozen=True)
class Move:
    """One transition being carried out: by whom, on the (locked) submission, why, which items."""

    user: Any
    submission: Submission
    reason: str
    items: Sequence[ReturnItem]


Guard = Callable[[Move], None]
Effect = Callable[[Move], str]


# --- guards: what must hold before a move ---------------------------------------------------


def _no_guard(move: Move) -> None:
    return None


def _check(sub: Submission) -> list[Problem]:
    found = validate(sub)
    sub.issues = [p.as_dict() for p in found]
    sub.checked_at = timezone.now()
    return found


def _listed(problems: Sequence[Problem], limit: int = MAX_LISTED) -> str:
    return "；".join(p.message for p in problems[:limit]) + ("……" if len(problems) > limit else "")


def _guard_submit(move: Move) -> None:
    sub = move.submission
    found = _check(sub)
    problems: list[str] = []
    errors = [p for p in found if p.is_error]
    if errors:
        problems.append(f"有 {len(errors)} 个错误须先改正：{_listed(errors)}")
    warnings = unexplained(found)
    if warnings:
        problems.append(f"有 {len(warnings)} 个警告尚未在“情况说明”中说明：{_listed(warnings)}")
    for item in sub.returns.filter(status=ReturnStatus.open):
        answered = ReturnMessage.objects.filter(item_return=item, created_at__gte=item.created_at).exclude(
            author=item.created_by
        ).exists()
        if not answered:
            problems.append(f"退回项“{figure_label(sub.cycle.framework, item.program, item.figure_id)}”尚未回复修改情况")
    if problems:
        raise TransitionError("不能提交：" + "；".join(problems))


def _guard_return(move: Move) -> None:
    if not move.items:
        raise TransitionError("退回时须至少指明一个数据项并说明理由")
    framework = move.submission.cycle.framework
    for item in move.items:
        try:
            framework.program(item.program).figure(item.figure_id)
        except KeyError:
            raise TransitionError(f"未知的数据项“{item.program}.{item.figure_id}”") from None
        if not item.reason.strip():
            raise TransitionError(f"退回“{figure_label(framework, item.program, item.figure_id)}”须说明理由")


def _guard_accept(move: Move) -> None:
    errors = [p for p in _check(move.submission) if p.is_error]
    if errors:
        raise TransitionError(f"该填报仍有 {len(errors)} 个错误，不能审核通过")


def _guard_approve(move: Move) -> None:
    if move.submission.accepted_at is None:
        raise TransitionError("须先经地级市审核通过，省级才能审定")
    _guard_accept(move)


# --- effects: what a move does besides changing the status -----------------------------------


def _note_reason(move: Move) -> str:
    return move.reason


def _open_returns(move: Move) -> str:
    sub = move.submission
    framework = sub.cycle.framework
    notes = []
    for item in move.items:
        row = ItemReturn.objects.create(
            submission=sub, program=item.program, figure_id=item.figure_id, reason=item.reason.strip(),
            created_by=move.user,
        )
        label = figure_label(framework, item.program, item.figure_id)
        notes.append(f"{label}：{row.reason}")
        record(move.user, AuditAction.item_returned, sub.audit_target(AuditObject.item_return, row.pk, f"{sub} › {label}"),
               field="退回理由", new=row.reason)
    return "；".join(notes)


def _resolve_returns(move: Move) -> str:
    sub = move.submission
    framework = sub.cycle.framework
    for item in sub.returns.filter(status=ReturnStatus.open):
        item.status = ReturnStatus.resolved
        item.resolved_at = timezone.now()
        item.resolved_by = move.user
        item.save()
        label = f"{sub} › {figure_label(framework, item.program, item.figure_id)}"
        record(move.user, AuditAction.return_resolved, sub.audit_target(AuditObject.item_return, item.pk, label),
               field="状态", old=ReturnStatus.open.label, new=ReturnStatus.resolved.label)
    return move.reason


def _submitted(move: Move) -> str:
    """Keep what was submitted (and what was submitted the time before, for the reviewers'
    上次提交 column); the reopening's reason has been answered by submitting again."""
    sub = move.submission
    sub.previous_values = sub.submitted_values
    sub.submitted_values = value_texts(sub)
    sub.reopen_reason = ""
    return move.reason


def _withdrawn(move: Move) -> str:
    """The unit takes its submission back before the prefecture has looked at it: a draft again,
    the submitted values kept as the last submission."""
    sub = move.submission
    sub.submitted_at = None
    return move.reason or "填报单位在审核前撤回"


def _reopen(move: Move) -> str:
    """Back to draft: the approvals are void, the cycle's signature is withdrawn, and the data counts
    as changed (the evaluation must be run again before the cycle can be signed)."""
    sub = move.submission
    sub.accepted_at = sub.approved_at = sub.locked_at = None
    sub.reopen_reason = move.reason
    cycle = sub.cycle
    if cycle.signed_at is not None:
        old = cycle.signed_at
        cycle.signed_at = None
        cycle.signed_by = None
        cycle.save(update_fields=["signed_at", "signed_by"])
        record(move.user, AuditAction.signature_withdrawn, cycle.audit_target(), field="省级审定时间",
               old=timezone.localtime(old).strftime("%Y-%m-%d %H:%M:%S"), new="", note=f"因重新打开{sub}：{move.reason}")
    cycle.inputs_changed()
    return move.reason


@dataclass(frozen=True)
class Transition:
    verb: Verb
    action: AuditAction
    sources: frozenset[Status]
    target: Status
    permission: str
    guard: Guard = _no_guard
    effect: Effect = _note_reason
    needs_reason: bool = False
    timestamp: str | None = None

    @property
    def label(self) -> str:
        return str(self.action.label)


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Verb.submit, AuditAction.submitted, EDITABLE, Status.submitted, "submissions.submit_submission",
               guard=_guard_submit, effect=_submitted, timestamp="submitted_at"),
    Transition(Verb.withdraw, AuditAction.withdrawn, frozenset({Status.submitted}), Status.draft,
               "submissions.withdraw_submission", effect=_withdrawn),
    Transition(Verb.return_, AuditAction.returned, frozenset({Status.submitted}), Status.returned,
               "submissions.review_submission", guard=_guard_return, effect=_open_returns),
    Transition(Verb.accept, AuditAction.accepted, frozenset({Status.submitted}), Status.accepted,
               "submissions.review_submission", guard=_guard_accept, effect=_resolve_returns, timestamp="accepted_at"),
    Transition(Verb.return_, AuditAction.returned, frozenset({Status.accepted}), Status.returned,
               "submissions.approve_submission", guard=_guard_return, effect=_open_returns),
    Transition(Verb.approve, AuditAction.approved, frozenset({Status.accepted}), Status.approved,
               "submissions.approve_submission", guard=_guard_approve, effect=_resolve_returns, timestamp="approved_at"),
    Transition(Verb.lock, AuditAction.locked, frozenset({Status.approved}), Status.locked,
               "submissions.lock_submission", timestamp="locked_at"),
    Transition(Verb.reopen, AuditAction.reopened, frozenset({Status.approved, Status.locked}), Status.draft,
               "submissions.reopen_submission", effect=_reopen, needs_reason=True),
)

VERB_LABELS = {t.verb.value: t.label for t in TRANSITIONS}


def transition_for(verb: str, status: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.verb == verb and status in t.sources), None)


def available(user: Any, submission: Submission) -> list[Transition]:
    """Transitions the user may attempt on the submission now (for showing buttons; none in an archived cycle)."""
    if submission.cycle.is_archived:
        return []
    return [t for t in TRANSITIONS if submission.status in t.sources and has(user, t.permission, submission.region)]


def _transition(user: Any, sub: Submission, verb: str) -> Transition:
    """The row for ``verb`` from the submission's state, or the reason there is none."""
    transition = transition_for(verb, sub.status)
    if transition is not None:
        return transition
    rows = [t for t in TRANSITIONS if t.verb == verb]
    if not rows:
        raise TransitionError(f"未知的操作“{verb}”")
    # Check the permission first so that a role without it gets 403 whatever the state.
    if not any(user.has_perm(t.permission) for t in rows):
        raise PermissionDenied("您的角色无权执行此操作")
    allowed = "、".join(f"“{Status(src).label}”" for t in rows for src in sorted(t.sources))
    raise TransitionError(f"{sub}处于“{sub.get_status_display()}”状态，不能{rows[0].label}（须在{allowed}状态）")


def perform(user: Any, submission: Submission, verb: str, *, reason: str = "",
            items: Sequence[ReturnItem] = ()) -> Submission:
    """Carry out ``verb`` on ``submission`` as ``user`` or raise (404/403/TransitionError)."""
    authorize(user, "submissions.view_submission", submission.region)
    with transaction.atomic():
        sub = lock(submission)
        transition = _transition(user, sub, verb)
        authorize(user, transition.permission, sub.region)
        move = Move(user, sub, reason.strip(), items)
        if transition.needs_reason and not move.reason:
            raise TransitionError(f"{transition.label}须说明理由")
        transition.guard(move)
        old_status = sub.get_status_display()
        sub.status = transition.target
        if transition.timestamp:
            setattr(sub, transition.timestamp, timezone.now())
        note = transition.effect(move)
        sub.save()
        record(user, transition.action, sub.audit_target(), field="状态", old=old_status,
               new=sub.get_status_display(), note=note)
        submission.refresh_from_db()
        return sub


def submit(user: Any, submission: Submission) -> Submission:
    return perform(user, submission, Verb.submit)


def return_items(user: Any, submission: Submission, items: Sequence[ReturnItem]) -> Submission:
    return perform(user, submission, Verb.return_, items=items)


def accept(user: Any, submission: Submission) -> Submission:
    return perform(user, submission, Verb.accept)


def approve(user: Any, submission: Submission) -> Submission:
    return perform(user, submission, Verb.approve)


def lock_submission(user: Any, submission: Submission) -> Submission:
    return perform(user, submission, Verb.lock)


def reopen(user: Any, submission: Submission, reason: str) -> Submission:
    return perform(user, submission, Verb.reopen, reason=reason)


def withdraw(user: Any, submission: Submission) -> Submission:
    return perform(user, submission, Verb.withdraw)


def signature_revoked_by(verb: str, submission: Submission) -> bool:
    """Whether carrying out ``verb`` now would revoke the province's 审定 of the whole cycle."""
    return verb == Verb.reopen and submission.cycle.signed_at is not None


@dataclass(frozen=True)
class BatchOutcome:
    done: list[Submission]
    refused: list[tuple[Submission, str]]


def perform_batch(user: Any, submissions: Sequence[Submission], verb: str, *, reason: str = "") -> BatchOutcome:
    """``verb`` (审核通过 or 审定) on several units with one 审核意见: each unit in its own
    transaction and audit event; a unit that cannot move is reported, the others still move."""
    if verb not in (Verb.accept, Verb.approve):
        raise TransitionError("批量操作只能是审核通过或审定")
    done: list[Submission] = []
    refused: list[tuple[Submission, str]] = []
    for submission in submissions:
        try:
            done.append(perform(user, submission, verb, reason=reason))
        except (TransitionError, PermissionDenied) as exc:
            refused.append((submission, str(exc) or "您的角色无权执行此操作"))
    return BatchOutcome(done, refused)

"""What waits for the signed-in user in one cycle (待办): the queries behind the 待办 page and the
count in the menu. Read only; what a user may act on follows from the same permissions and scope
as the actions themselves (:mod:`anju_web.accounts.policy`), so a role sees only what it can do.

- a unit's clerk (填报): its returned items, a reopening's reason, a draft not yet submitted;
- a prefecture reviewer (审核): the submitted units to review (审核通过 in a batch);
- the province (审定): accepted units to approve (审定 in a batch), open comments to answer and
  close, adjustments to answer, a stale run to repeat, and signing once every unit is approved;
- the supervision bureau: comments the province has answered, answers to its adjustments, and the
  evaluation to review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from anju.decimals import plain
from anju.framework.describe import item_label
from anju_web.accounts.policy import has, region_scope_q
from anju_web.reviews.models import AdjustmentStatus, Comment, EvaluationRun, ScoreAdjustment
from anju_web.reviews.services import run_is_current
from anju_web.submissions.frameworks import figure_label
from anju_web.submissions.models import DONE, EDITABLE, Cycle, ItemReturn, ReturnStatus, Status, Submission


@dataclass
class TodoItem:
    where: str
    text: str
    link: str
    submission: Submission | None = None


@dataclass
class TodoGroup:
    key: str
    title: str
    items: list[TodoItem] = field(default_factory=list)
    batch_verb: str = ""
    """审核通过 (accept) or 审定 (approve): the group's units can be moved together."""
    batch_label: str = ""


UNREAD_FIELDS = ("baseline", "submitted_values", "previous_values", "no_task", "cycle__stated")
"""Large columns the 待办 never reads: the menu counts the 待办 on every page."""


def _units(user: Any, cycle: Cycle) -> list[Submission]:
    """The units of ``cycle`` in the user's scope, read once for every group."""
    return list(Submission.objects.filter(cycle=cycle).filter(region_scope_q(user, "region__"))
                .exclude(region=cycle.region).select_related("region__parent__parent", "cycle").defer(*UNREAD_FIELDS)
                .order_by("region__position"))


def comment_place(comment: Comment) -> str:
    """Where a comment sits, as people read it: the unit or the province's evaluation, and the indicator."""
    cycle = comment.cycle
    where = comment.submission.region.display_name if comment.submission is not None else "全省评价结果"
    if comment.program and comment.item_path:
        where += " › " + item_label(cycle.framework, comment.program, comment.item_path)
    return where


def _comment_link(comment: Comment) -> str:
    if comment.submission_id:
        return reverse("submission", args=[comment.submission_id]) + f"#comment-{comment.pk}"
    return reverse("evaluation", args=[comment.cycle_id]) + f"#comment-{comment.pk}"


def _clerk_groups(user: Any, cycle: Cycle, scoped: list[Submission]) -> list[TodoGroup]:
    units = [s for s in scoped if s.status in EDITABLE and has(user, "submissions.fill_submission", s.region)]
    if not units:
        return []
    group = TodoGroup("fill", "待修改、待提交的填报")
    returns = ItemReturn.objects.filter(submission__in=units, status=ReturnStatus.open).order_by("created_at", "pk")
    by_unit: dict[int, list[ItemReturn]] = {}
    for item in returns:
        by_unit.setdefault(item.submission_id, []).append(item)
    for sub in units:
        link = reverse("submission", args=[sub.pk])
        name = sub.region.display_name
        for item in by_unit.get(sub.pk, []):
            label = figure_label(cycle.framework, item.program, item.figure_id)
            group.items.append(TodoItem(name, f"退回项“{label}”待修改并回复：{item.reason}", link, sub))
        if sub.reopen_reason:
            group.items.append(TodoItem(name, f"省级重新打开了本单位填报，须修改后重新提交：{sub.reopen_reason}", link, sub))
        if sub.status == Status.draft and not sub.reopen_reason:
            group.items.append(TodoItem(name, f"尚未提交（报送截止 {cycle.deadline:%Y年%m月%d日}）", link, sub))
        elif sub.status == Status.returned and sub.pk not in by_unit:
            group.items.append(TodoItem(name, "已退回，待重新提交", link, sub))
    return [group]


def _review_group(user: Any, scoped: list[Submission], status: Status, permission: str,
                  group: TodoGroup) -> list[TodoGroup]:
    """The units in ``status`` the user may move with ``permission``, in ``group`` (empty: none)."""
    units = [s for s in scoped if s.status == status and has(user, permission, s.region)]
    if not units:
        return []
    for sub in units:
        when = sub.accepted_at if status == Status.accepted else sub.submitted_at
        text = f"{sub.get_status_display()}"
        if when is not None:
            text += f"（{timezone.localtime(when):%Y-%m-%d %H:%M}）"
        text += f"；校验：{sub.error_count()} 个错误，{sub.warning_count()} 个警告"
        group.items.append(TodoItem(sub.region.display_name, text, reverse("submission", args=[sub.pk]), sub))
    return [group]


def _province_groups(user: Any, cycle: Cycle, scoped: list[Submission]) -> list[TodoGroup]:
    groups = _review_group(user, scoped, Status.accepted, "submissions.approve_submission",
                           TodoGroup("approve", "待审定的单位（地级市已审核）", batch_verb="approve", batch_label="批量审定"))
    if has(user, "reviews.resolve_comment", cycle.region):
        open_comments = Comment.objects.filter(cycle=cycle, resolved_at__isnull=True).select_related(
            "cycle", "submission__region", "author").prefetch_related("replies")
        group = TodoGroup("comments", "待答复、待办结的意见")
        for comment in open_comments:
            replies = list(comment.replies.all())
            state = "已答复，待办结" if replies else "待答复"
            group.items.append(TodoItem(comment_place(comment), f"{state}：{comment.text}", _comment_link(comment)))
        if group.items:
            groups.append(group)
    if has(user, "reviews.respond_scoreadjustment", cycle.region):
        group = TodoGroup("adjustments", "待答复的监管局调整建议")
        for adj in ScoreAdjustment.objects.filter(cycle=cycle, status=AdjustmentStatus.proposed):
            group.items.append(TodoItem(
                item_label(cycle.framework, adj.program, adj.item_path),
                f"建议由 {plain(adj.self_score)} 分调整为 {plain(adj.proposed_score)} 分：{adj.reason}",
                reverse("evaluation", args=[cycle.pk])))
        if group.items:
            groups.append(group)
    if has(user, "submissions.sign_cycle", cycle.region) and cycle.signed_at is None:
        group = TodoGroup("sign", "全省评价结果")
        # Only what run_is_current reads: the menu counts this on every page, the stored result is large.
        run = EvaluationRun.objects.filter(cycle=cycle).only("pk", "data_version", "framework_hash", "cycle").first()
        link = reverse("evaluation", args=[cycle.pk])
        units = list(Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).values_list("status", flat=True))
        if run is not None and not run_is_current(cycle, run):
            group.items.append(TodoItem(str(cycle), "数据已修改，评价结果不是按当前数据计算的，须重新运行评价", link))
        if units and all(s in DONE for s in units):
            waiting = Comment.objects.filter(cycle=cycle, resolved_at__isnull=True).count()
            text = "全部单位已审定，可审定全省评价结果" if not waiting else f"全部单位已审定；尚有 {waiting} 条意见未办结，办结后方可审定"
            group.items.append(TodoItem(str(cycle), text, link))
        if group.items:
            groups.append(group)
    return groups


def _bureau_groups(user: Any, cycle: Cycle) -> list[TodoGroup]:
    if not has(user, "reviews.add_scoreadjustment", cycle.region):
        return []
    groups: list[TodoGroup] = []
    group = TodoGroup("answered", "省级已答复的意见")
    mine = Comment.objects.filter(cycle=cycle, author=user, resolved_at__isnull=True).select_related(
        "cycle", "submission__region").prefetch_related("replies__author")
    for comment in mine:
        replies = list(comment.replies.all())
        if replies and replies[-1].author_id != user.pk:
            group.items.append(TodoItem(comment_place(comment), f"省级答复：{replies[-1].text}（原意见：{comment.text}）",
                                        _comment_link(comment)))
    if group.items:
        groups.append(group)
    group = TodoGroup("adjustment_answers", "省级对调整建议的答复")
    answered = ScoreAdjustment.objects.filter(cycle=cycle, author=user).exclude(status=AdjustmentStatus.proposed)
    for adj in answered:
        group.items.append(TodoItem(item_label(cycle.framework, adj.program, adj.item_path),
                                    f"{adj.get_status_display()}：{adj.response}", reverse("evaluation", args=[cycle.pk])))
    if group.items:
        groups.append(group)
    if cycle.signed_at is None and EvaluationRun.objects.filter(cycle=cycle).exists():
        groups.append(TodoGroup("evaluation_review", "复核", [TodoItem(str(cycle), "复核省级自评结果，提出意见或调整建议",
                                                            reverse("evaluation", args=[cycle.pk]))]))
    return groups


def todo_groups(user: Any, cycle: Cycle) -> list[TodoGroup]:
    """Everything waiting for ``user`` in ``cycle``, in groups (none in an archived cycle)."""
    if cycle.is_archived:
        return []
    scoped = _units(user, cycle)
    return [
        *_clerk_groups(user, cycle, scoped),
        *_review_group(user, scoped, Status.submitted, "submissions.review_submission",
                       TodoGroup("review", "待审核的单位（已提交）", batch_verb="accept", batch_label="批量审核通过")),
        *_province_groups(user, cycle, scoped),
        *_bureau_groups(user, cycle),
    ]


def todo_count(user: Any, cycle: Cycle) -> int:
    return sum(len(g.items) for g in todo_groups(user, cycle))

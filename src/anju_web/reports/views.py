"""Landing page, completeness board, dashboards and document downloads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.adapters.report import FontMissingError, PdfError, PdfUnavailable, TemplateProblem
from anju.decimals import plain
from anju.framework.describe import item_label, place_label
from anju_web.accounts.policy import can_see, has, profile_of, region_scope_q
from anju_web.accounts.roles import Role
from anju_web.audit.models import AuditAction
from anju_web.audit.services import record
from anju_web.regions.models import Region
from anju_web.reports import documents, todo
from anju_web.reviews.models import AdjustmentStatus, Comment, EvaluationRun, ScoreAdjustment
from anju_web.reviews.services import latest_run
from anju_web.shortcuts import get_cycle, get_cycle_for_units, is_htmx, post_text
from anju_web.submissions import workflow
from anju_web.submissions.cycles import current_cycle, deadline_refusal
from anju_web.submissions.models import (
    ACCEPTED_OR_LATER,
    DONE,
    SUBMITTED_OR_LATER,
    Cycle,
    ItemReturn,
    ReturnStatus,
    Status,
    Submission,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    cycle = current_cycle(request)
    if cycle is None:
        return render(request, "reports/empty.html")
    if profile is not None and profile.role == Role.county_clerk and profile.region is not None:
        submission = Submission.objects.filter(cycle=cycle, region=profile.region).first()
        if submission is not None:
            return redirect("submission", submission_id=submission.pk)
    if profile is not None and profile.role == Role.prefecture_reviewer:
        return redirect("board", cycle_id=cycle.pk)
    if can_see(request.user, cycle.region):
        return redirect("dashboard", cycle_id=cycle.pk)
    return redirect("board", cycle_id=cycle.pk)


@login_required
def todo_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """待办: what waits for the user in the cycle; units to review or approve can be moved in a batch."""
    cycle = get_cycle_for_units(request, cycle_id)
    return render(request, "reports/todo.html", {"cycle": cycle, "groups": todo.todo_groups(request.user, cycle)})


MAX_BATCH = 200
"""Units one batch may name."""


@login_required
@require_POST
def batch(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """批量审核通过 / 批量审定 with one 审核意见: each unit its own transition and audit event."""
    cycle = get_cycle_for_units(request, cycle_id)
    verb = post_text(request, "verb")
    if verb not in (workflow.Verb.accept, workflow.Verb.approve):
        messages.error(request, "批量操作只能是审核通过或审定。")
        return redirect("todo", cycle_id=cycle.pk)
    ids = [raw for raw in request.POST.getlist("submission")[:MAX_BATCH] if raw.isdigit() and len(raw) < 18]
    units = list(Submission.objects.filter(cycle=cycle, pk__in=ids).filter(region_scope_q(request.user, "region__"))
                 .select_related("region", "cycle", "cycle__region").order_by("region__position"))
    if not units:
        messages.error(request, "请至少勾选一个单位。")
        return redirect("todo", cycle_id=cycle.pk)
    outcome = workflow.perform_batch(request.user, units, verb, reason=post_text(request, "reason"))
    label = workflow.VERB_LABELS[verb]
    if outcome.done:
        names = "、".join(s.region.display_name for s in outcome.done)
        messages.success(request, f"已{label} {len(outcome.done)} 个单位：{names}。")
    for sub, why in outcome.refused:
        messages.error(request, f"{sub.region.display_name}未能{label}：{why}")
    return redirect("todo", cycle_id=cycle.pk)


@dataclass
class PrefectureGroup:
    prefecture: Region
    submissions: list[Submission] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.submissions)

    def count(self, statuses: frozenset[Status]) -> int:
        return sum(1 for s in self.submissions if s.status in statuses)

    @property
    def submitted(self) -> int:
        return self.count(SUBMITTED_OR_LATER)

    @property
    def accepted(self) -> int:
        return self.count(ACCEPTED_OR_LATER)

    @property
    def approved(self) -> int:
        return self.count(DONE)

    @property
    def rate(self) -> str:
        return _rate(self.submitted, self.total)


def _rate(part: int, whole: int) -> str:
    if whole == 0:
        return "—"
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.1'))}%"


def _board_data(request: HttpRequest, cycle: Cycle) -> dict[str, Any]:
    submissions = list(
        Submission.objects.filter(cycle=cycle)
        .filter(region_scope_q(request.user, "region__"))
        .exclude(region=cycle.region)
        .select_related("region", "region__parent")
        .order_by("region__position")
    )
    open_returns: dict[int, int] = {}
    for item in ItemReturn.objects.filter(submission__in=submissions, status=ReturnStatus.open):
        open_returns[item.submission_id] = open_returns.get(item.submission_id, 0) + 1
    today = timezone.localdate()
    groups: dict[str, PrefectureGroup] = {}
    for submission in submissions:
        prefecture = submission.region.prefecture()
        assert prefecture is not None
        groups.setdefault(prefecture.pk, PrefectureGroup(prefecture)).submissions.append(submission)
        submission.open_returns = open_returns.get(submission.pk, 0)  # type: ignore[attr-defined]
        submission.overdue = today > cycle.deadline and submission.status not in SUBMITTED_OR_LATER  # type: ignore[attr-defined]
    status_filter = request.GET.get("status", "")
    shown = [s for s in submissions if not status_filter or s.status == status_filter or
             (status_filter == "overdue" and s.overdue)]  # type: ignore[attr-defined]
    total = len(submissions)
    submitted = sum(1 for s in submissions if s.status in SUBMITTED_OR_LATER)
    chart = {
        "categories": [g.prefecture.name for g in groups.values()],
        "series": [
            {"name": status.label, "data": [g.count(frozenset({status})) for g in groups.values()]}
            for status in Status
        ],
    }
    return {
        "cycle": cycle,
        "groups": list(groups.values()),
        "shown": shown,
        "total": total,
        "submitted": submitted,
        "accepted": sum(1 for s in submissions if s.status in ACCEPTED_OR_LATER),
        "approved": sum(1 for s in submissions if s.status in DONE),
        "not_submitted": [s for s in submissions if s.status not in SUBMITTED_OR_LATER],
        "rate": _rate(submitted, total),
        "overdue_count": sum(1 for s in submissions if getattr(s, "overdue", False)),
        "deadline_passed": today > cycle.deadline,
        "status_choices": Status.choices,
        "status_filter": status_filter,
        "completion_chart": chart,
        "can_set_deadline": has(request.user, "submissions.change_cycle"),
    }


@login_required
def board(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for_units(request, cycle_id)
    context = _board_data(request, cycle)
    if is_htmx(request):
        return render(request, "reports/_board_table.html", context)
    return render(request, "reports/board.html", context)


@login_required
@require_POST
def set_deadline(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "submissions.change_cycle")
    try:
        deadline = dt.date.fromisoformat(post_text(request, "deadline"))
    except ValueError:
        messages.error(request, "截止日期格式应为 YYYY-MM-DD")
        return redirect("board", cycle_id=cycle.pk)
    refusal = deadline_refusal(cycle.year, deadline)
    if refusal:
        messages.error(request, f"截止日期未修改：{refusal}")
        return redirect("board", cycle_id=cycle.pk)
    with transaction.atomic():
        old = cycle.deadline
        cycle.deadline = deadline
        cycle.save(update_fields=["deadline"])
        record(request.user, AuditAction.deadline_changed, cycle.audit_target(), field="市县报送截止日期",
               old=old.isoformat(), new=deadline.isoformat())
    messages.success(request, f"市县报送截止日期已改为 {deadline:%Y年%m月%d日}。")
    return redirect("board", cycle_id=cycle.pk)


@login_required
def dashboard(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.view_evaluationrun")
    run = latest_run(cycle)
    board_data = _board_data(request, cycle)
    score_chart: dict[str, Any] = {"programs": [], "points": [], "scores": []}
    dimension_charts: list[dict[str, Any]] = []
    if run is not None:
        evaluation = run.evaluation()
        for program in evaluation.programs:
            score_chart["programs"].append(program.label)
            score_chart["points"].append(plain(program.points))
            score_chart["scores"].append(plain(program.score))
            dimension_charts.append({
                "id": program.id,
                "json_id": f"dim-{program.id}",
                "title": f"{program.label}（{plain(program.score)} 分）",
                "dimensions": [d.label for d in program.dimensions],
                "points": [plain(d.points) for d in program.dimensions],
                "scores": [plain(d.score) for d in program.dimensions],
            })
    findings = _open_findings(cycle, run)
    return render(request, "reports/dashboard.html", {
        **board_data,
        "run": run,
        "score_chart": score_chart,
        "dimension_charts": dimension_charts,
        "findings": findings,
    })


@dataclass
class OpenItem:
    kind: str
    severity: str
    where: str
    message: str
    link: str = ""


def _open_findings(cycle: Cycle, run: EvaluationRun | None) -> list[OpenItem]:
    findings: list[OpenItem] = []
    evaluation_page = reverse("evaluation", args=[cycle.pk])
    if run is not None:
        framework = cycle.framework
        for problem in run.problems():
            findings.append(OpenItem("一致性检查", problem.severity.label, place_label(framework, problem.where),
                                    problem.message, evaluation_page))
    for comment in Comment.objects.filter(cycle=cycle, resolved_at__isnull=True).select_related("cycle", "submission__region"):
        link = reverse("submission", args=[comment.submission.pk]) if comment.submission is not None else evaluation_page
        findings.append(OpenItem("意见", "待办结", todo.comment_place(comment), comment.text, f"{link}#comment-{comment.pk}"))
    for adjustment in ScoreAdjustment.objects.filter(cycle=cycle, status=AdjustmentStatus.proposed):
        findings.append(OpenItem("调整建议", "待答复", item_label(cycle.framework, adjustment.program, adjustment.item_path),
                                f"建议由 {plain(adjustment.self_score)} 分调整为 {plain(adjustment.proposed_score)} 分：{adjustment.reason}",
                                evaluation_page))
    for item in ItemReturn.objects.filter(submission__cycle=cycle, status=ReturnStatus.open).select_related("submission__region"):
        findings.append(OpenItem("退回项", "待处理", item.submission.region.display_name, item.reason,
                                reverse("submission", args=[item.submission_id])))
    return findings


@login_required
def document_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.view_evaluationrun")
    run = latest_run(cycle)
    totals_text = "，".join(f"{p.label} {plain(p.score)} 分" for p in run.evaluation().programs) if run else ""
    return render(request, "reports/documents.html", {
        "cycle": cycle, "run": run, "documents": documents.available(), "totals_text": totals_text,
    })


@login_required
def document_download(request: HttpRequest, cycle_id: int, kind: str) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.view_evaluationrun")
    run = latest_run(cycle)
    if run is None:
        raise Http404("尚未运行评价")
    spec = documents.find(kind)
    if spec is None:
        raise Http404("没有这种文书")
    try:
        payload = spec.build(cycle, run)
    except (documents.DocumentUnavailable, FontMissingError, PdfUnavailable, PdfError, TemplateProblem) as exc:
        messages.error(request, f"无法生成“{spec.label}”：{exc}")
        return redirect("documents", cycle_id=cycle.pk)
    response = HttpResponse(payload, content_type=spec.content_type)
    filename = f"{cycle.region.name}{cycle.year}年度{spec.filename}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response

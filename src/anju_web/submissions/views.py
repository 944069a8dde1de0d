"""Pages of a unit's submission: the figure form, validation, returns and their threads, actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anju.dataset import NOT_APPLICABLE, FigureValue
from anju.decimals import plain
from anju.framework.models import FigureSpec
from anju_web.accounts.policy import has
from anju_web.audit.models import AuditEvent
from anju_web.evidence.models import EvidenceFile
from anju_web.reviews.models import Comment
from anju_web.submissions import workflow
from anju_web.submissions.assembly import cycle_framework
from anju_web.submissions.frameworks import figure_label
from anju_web.submissions.models import FigureEntry, ItemReturn, ReturnStatus, Submission, WarningExplanation
from anju_web.submissions.services import (
    FigureErrors,
    NotEditable,
    RawInput,
    StaleVersion,
    explain_warning,
    reply_to_return,
    save_figures,
)
from anju_web.web import get_submission, is_htmx, post_text

KIND_HINT = {"amount": "万元，最多两位小数", "count": "整数", "quantity": "最多两位小数", "percent": "0–100"}


@dataclass
class FigureRow:
    program: str
    spec: FigureSpec
    value: FigureValue
    text: str
    not_applicable: bool
    error: str = ""
    returned: list[ItemReturn] = field(default_factory=list)
    issues: list[dict[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"f-{self.program}-{self.spec.id}"

    @property
    def na_name(self) -> str:
        return f"na-{self.program}-{self.spec.id}"

    @property
    def hint(self) -> str:
        return KIND_HINT[self.spec.kind]

    @property
    def display(self) -> str:
        if self.value is None:
            return "（空白）"
        if self.value == NOT_APPLICABLE:
            return "不适用"
        return plain(self.value)  # type: ignore[arg-type]


@dataclass
class ProgramBlock:
    id: str
    label: str
    rows: list[FigureRow]


def _rows(submission: Submission, posted: dict[tuple[str, str], RawInput] | None = None,
          errors: dict[tuple[str, str], str] | None = None) -> list[ProgramBlock]:
    framework = cycle_framework(submission.cycle)
    stored = {(e.program, e.figure_id): e.figure_value for e in FigureEntry.objects.filter(submission=submission)}
    open_returns: dict[tuple[str, str], list[ItemReturn]] = {}
    for item in submission.returns.filter(status=ReturnStatus.open):
        open_returns.setdefault((item.program, item.figure_id), []).append(item)
    issues_by_where: dict[tuple[str, str], list[dict[str, str]]] = {}
    for issue in submission.issues:
        issues_by_where.setdefault((issue["program"], issue["where"]), []).append(issue)
    blocks = []
    for program in framework.programs:
        rows = []
        for spec in program.figures:
            key = (program.id, spec.id)
            value = stored.get(key)
            if posted is not None and key in posted:
                text, na = posted[key]
                text = text or ""
            else:
                na = value == NOT_APPLICABLE
                text = "" if value is None or value == NOT_APPLICABLE else plain(value)  # type: ignore[arg-type]
            rows.append(FigureRow(program.id, spec, value, text, na, (errors or {}).get(key, ""),
                                  open_returns.get(key, []), issues_by_where.get(key, [])))
        blocks.append(ProgramBlock(program.id, program.label, rows))
    return blocks


def _context(request: HttpRequest, submission: Submission, blocks: list[ProgramBlock]) -> dict[str, Any]:
    framework = cycle_framework(submission.cycle)
    user = request.user
    explanations = {
        (e.program, e.code, e.where): e for e in WarningExplanation.objects.filter(submission=submission)
    }
    warnings = []
    for issue in submission.issues:
        if issue["severity"] == "warning":
            warnings.append({**issue, "explanation": explanations.get((issue["program"], issue["code"], issue["where"]))})
    returns = list(
        submission.returns.select_related("created_by", "resolved_by").prefetch_related("messages__author").order_by("-created_at")
    )
    for item in returns:
        item.figure_label = figure_label(framework, item.program, item.figure_id)  # type: ignore[attr-defined]
    can_fill = submission.is_editable and has(user, "submissions.fill_submission", submission.region) and not submission.is_province_data
    figure_choices = [(f"{b.id}:{r.spec.id}", f"{b.label} › {r.spec.label}") for b in blocks for r in b.rows]
    history = AuditEvent.objects.filter(
        object_type__in=["submission", "return", "warning_explanation"], object_id=str(submission.pk)
    ) | AuditEvent.objects.filter(object_type="figure", region=submission.region, cycle_id=submission.cycle_id)
    return {
        "submission": submission,
        "cycle": submission.cycle,
        "blocks": blocks,
        "errors": [i for i in submission.issues if i["severity"] == "error"],
        "warnings": warnings,
        "returns": returns,
        "open_returns": [r for r in returns if r.status == ReturnStatus.open],
        "transitions": workflow.available(user, submission),
        "can_fill": can_fill,
        "can_reply": has(user, "submissions.fill_submission", submission.region)
        or has(user, "submissions.review_submission", submission.region)
        or has(user, "submissions.approve_submission", submission.region),
        "can_comment": has(user, "reviews.add_comment", submission.region),
        "can_upload": submission.is_editable and has(user, "evidence.add_evidencefile", submission.region)
        and has(user, "submissions.fill_submission", submission.region),
        "figure_choices": figure_choices,
        "return_rows": range(3),
        "evidence": EvidenceFile.objects.filter(cycle=submission.cycle, region=submission.region),
        "comments": Comment.objects.filter(submission=submission).select_related("author"),
        "history": history.order_by("-at", "-pk")[:40],
    }


@login_required
def detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission(request, submission_id)
    return render(request, "submissions/detail.html", _context(request, submission, _rows(submission)))


def _posted(request: HttpRequest, submission: Submission) -> dict[tuple[str, str], RawInput]:
    framework = cycle_framework(submission.cycle)
    raw: dict[tuple[str, str], RawInput] = {}
    for program in framework.programs:
        for spec in program.figures:
            name = f"f-{program.id}-{spec.id}"
            if name in request.POST or f"na-{program.id}-{spec.id}" in request.POST:
                raw[(program.id, spec.id)] = (request.POST.get(name, ""), request.POST.get(f"na-{program.id}-{spec.id}") == "1")
    return raw


@login_required
@require_POST
def save(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission(request, submission_id, "submissions.fill_submission")
    raw = _posted(request, submission)
    try:
        version = int(post_text(request, "version"))
    except ValueError:
        version = None
    try:
        result = save_figures(request.user, submission, raw, expected_version=version)
    except FigureErrors as exc:
        messages.error(request, f"有 {len(exc.errors)} 个数据项填写有误，本次未保存任何数据，请按提示改正。")
        context = _context(request, submission, _rows(submission, raw, exc.errors))
        return render(request, "submissions/detail.html", context, status=400)
    except StaleVersion as exc:
        messages.error(request, str(exc))
        return redirect("submission", submission_id=submission.pk)
    except NotEditable as exc:
        messages.error(request, str(exc))
        return redirect("submission", submission_id=submission.pk)
    errors = sum(1 for i in result.issues if i["severity"] == "error")
    warnings = sum(1 for i in result.issues if i["severity"] == "warning")
    summary = f"已保存，修改了 {result.changed} 个数据项。校验结果：{errors} 个错误，{warnings} 个警告。"
    (messages.warning if errors else messages.success)(request, summary)
    return redirect("submission", submission_id=submission.pk)


@login_required
@require_POST
def transition(request: HttpRequest, submission_id: int, verb: str) -> HttpResponse:
    submission = get_submission(request, submission_id)
    items: list[workflow.ReturnItem] = []
    if verb == "return":
        for index in range(10):
            target = post_text(request, f"return-item-{index}")
            reason = post_text(request, f"return-reason-{index}")
            if not target and not reason.strip():
                continue
            program, _, figure_id = target.partition(":")
            if not program or not figure_id:
                messages.error(request, "请为每条退回理由选择对应的数据项。")
                return redirect("submission", submission_id=submission.pk)
            items.append(workflow.ReturnItem(program, figure_id, reason))
    try:
        workflow.perform(request.user, submission, verb, reason=post_text(request, "reason"), items=items)
    except workflow.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        submission.refresh_from_db()
        messages.success(request, f"操作成功：{workflow.VERB_LABELS.get(verb, verb)}。当前状态：{submission.get_status_display()}。")
    return redirect("submission", submission_id=submission.pk)


@login_required
@require_POST
def explain(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission(request, submission_id, "submissions.fill_submission")
    program, code, where = post_text(request, "program"), post_text(request, "code"), post_text(request, "where")
    error = ""
    try:
        explain_warning(request.user, submission, program=program, code=code, where=where, text=post_text(request, "text"))
    except (ValueError, NotEditable) as exc:
        error = str(exc)
    if is_htmx(request):
        explanation = WarningExplanation.objects.filter(submission=submission, program=program, code=code, where=where).first()
        issue = next((i for i in submission.issues if i["program"] == program and i["code"] == code and i["where"] == where), None)
        return render(request, "submissions/_warning.html", {
            "warning": {**(issue or {"program": program, "code": code, "where": where, "message": ""}), "explanation": explanation},
            "submission": submission, "can_fill": True, "error": error,
        }, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "警告说明已保存。")
    return redirect("submission", submission_id=submission.pk)


@login_required
@require_POST
def reply(request: HttpRequest, return_id: int) -> HttpResponse:
    item = get_object_or_404(ItemReturn.objects.select_related("submission", "submission__region", "submission__cycle"), pk=return_id)
    submission = get_submission(request, item.submission_id)
    error = ""
    try:
        reply_to_return(request.user, item, post_text(request, "text"))
    except ValueError as exc:
        error = str(exc)
    except PermissionDenied:
        raise
    if is_htmx(request):
        item.figure_label = figure_label(cycle_framework(submission.cycle), item.program, item.figure_id)  # type: ignore[attr-defined]
        return render(request, "submissions/_return.html", {
            "item": item, "submission": submission, "can_reply": True, "error": error,
        }, status=422 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("submission", submission_id=submission.pk)

"""JSON API (OpenAPI at /api/openapi.json, interactive docs at /api/docs).

Same services, same permissions and same object scope as the pages: every endpoint goes
through :func:`anju_web.accounts.policy.authorize` (directly or in the service it calls).
Authentication: the browser session (with CSRF for writes) or ``Authorization: Bearer <token>``.
Numbers are exchanged as decimal strings so that no value passes through a binary float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Schema, Status
from ninja.security import HttpBearer, django_auth

from anju.decimals import plain
from anju.scoring import EvaluationError
from anju_web.accounts.policy import authorize, profile_of, region_scope_q
from anju_web.audit.models import AuditEvent
from anju_web.evidence.models import EvidenceFile
from anju_web.regions.models import Region
from anju_web.reviews import services as review_services
from anju_web.reviews.models import Judgement, ScoreAdjustment
from anju_web.submissions import workflow
from anju_web.submissions.assembly import AssemblyError
from anju_web.submissions.inputs import RowInput
from anju_web.submissions.models import Cycle, FigureEntry, Submission
from anju_web.submissions.services import FigureErrors, NotEditable, StaleVersion, save_figures


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from anju_web.accounts.services import user_for_token

        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="安居 绩效评价系统 接口",
    version="1.0",
    description="填报、审核、评价、复核与审计日志的 JSON 接口。权限与网页相同：对象不在权限范围内返回 404，无权操作返回 403。",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


class Problem(Schema):
    detail: str
    errors: dict[str, str] | None = None


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作"}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "没有找到该对象，或不在您的权限范围内"}, status=404)


@api.exception_handler(workflow.TransitionError)
@api.exception_handler(review_services.ReviewError)
@api.exception_handler(AssemblyError)
def _conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(StaleVersion)
def _stale(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(FigureErrors)
def _figure_errors(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, FigureErrors)
    errors = {f"{p}.{f}": message for (p, f), message in exc.errors.items()}
    return api.create_response(request, {"detail": "数据项填写有误，未保存任何数据", "errors": errors}, status=422)


@api.exception_handler(EvaluationError)
def _evaluation_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, EvaluationError)
    return api.create_response(request, {"detail": "有指标无法计分", "errors": {f"{p.where.program}.{p.where.item}": p.message for p in exc.problems}}, status=409)


# ---------------------------------------------------------------- schemas


class Me(Schema):
    username: str
    role: str | None
    role_label: str | None
    region: str | None
    department: str


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class CycleOut(Schema):
    id: int
    region: str
    year: int
    framework_id: str
    title: str
    deadline: str
    signed_at: str | None


class SubmissionOut(Schema):
    id: int
    cycle: int
    region: str
    region_name: str
    status: str
    status_label: str
    version: int
    submitted_at: str | None
    errors: int
    warnings: int


class FigureOut(Schema):
    program: str
    figure: str
    state: Literal["blank", "value", "not_applicable", "yes", "no"]
    value: str | None
    explanation: str


class WhereOut(Schema):
    """Where a problem is: any of these coordinates (ids and GB/T 2260 codes), all optional."""

    program: str | None = None
    item: str | None = None
    figure: str | None = None
    unit: str | None = None
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    line: int | None = None


class IssueOut(Schema):
    """A problem found (the same vocabulary as the command line and the pages)."""

    code: str
    severity: str
    message: str
    where: WhereOut
    explanation: str | None = None
    stated: str | None = None
    computed: str | None = None


class ReturnOut(Schema):
    id: int
    program: str
    figure: str
    reason: str
    status: str
    messages: list[str]


class SubmissionDetail(SubmissionOut):
    no_task: list[str]
    figures: list[FigureOut]
    issues: list[IssueOut]
    returns: list[ReturnOut]


class FigureIn(Schema):
    program: str
    figure: str
    value: str | None = None
    """A number as text, 是/否 for a question row, empty for blank."""
    not_applicable: bool = False
    explanation: str | None = None
    """情况说明 (explains a warning on this row); omitted leaves it unchanged."""


class FiguresIn(Schema):
    version: int | None = None
    figures: list[FigureIn]
    no_task: list[str] | None = None
    """Programs marked 无此项任务; omitted leaves the switches unchanged."""


class ReturnItemIn(Schema):
    program: str
    figure: str
    reason: str


class TransitionIn(Schema):
    verb: Literal["submit", "return", "accept", "approve", "lock", "reopen"]
    reason: str = ""
    items: list[ReturnItemIn] = []


class JudgementOut(Schema):
    program: str
    item_path: str
    points: str | None
    clauses: dict[str, bool | str]
    reason: str
    evidence: list[str]


class JudgementIn(Schema):
    points: str | None = None
    clauses: dict[str, bool | str] = {}
    reason: str = ""
    evidence: list[str] = []


class RunOut(Schema):
    id: int
    created_at: str
    created_by: str
    input_hash: str
    source: str
    totals: dict[str, str]
    current: bool
    evaluation: dict[str, Any]
    issues: list[IssueOut]


class AdjustmentIn(Schema):
    program: str
    item_path: str
    proposed_score: str
    reason: str


class AdjustmentOut(Schema):
    id: int
    program: str
    item_path: str
    self_score: str
    proposed_score: str
    reason: str
    status: str
    response: str


class CommentIn(Schema):
    text: str
    submission: int | None = None
    program: str = ""
    item_path: str = ""


class CommentOut(Schema):
    id: int
    text: str
    submission: int | None
    program: str
    item_path: str
    resolved: bool


class AuditOut(Schema):
    id: int
    at: str
    actor: str
    action: str
    object_type: str
    object_label: str
    field: str
    old_value: str
    new_value: str
    note: str
    region: str | None


class AuditFilter(Schema):
    object_type: str | None = None
    region: str | None = None
    limit: int = 100
    offset: int = 0


class EvidenceOut(Schema):
    id: int
    region: str
    program: str
    item_path: str
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    download: str


# ---------------------------------------------------------------- helpers


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _cycle(request: HttpRequest, cycle_id: int, permission: str | None = "submissions.view_cycle") -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    authorize(request.user, permission, cycle.region)
    return cycle


def _submission(request: HttpRequest, submission_id: int, permission: str | None = "submissions.view_submission") -> Submission:
    submission = get_object_or_404(Submission.objects.select_related("cycle", "region", "cycle__region"), pk=submission_id)
    authorize(request.user, permission, submission.region)
    return submission


def _submission_out(s: Submission) -> dict[str, Any]:
    return {
        "id": s.pk, "cycle": s.cycle_id, "region": s.region.pk, "region_name": s.region.display_name,
        "status": s.status, "status_label": s.get_status_display(), "version": s.version,
        "submitted_at": _iso(s.submitted_at), "errors": s.error_count(), "warnings": s.warning_count(),
    }


def _detail(s: Submission) -> dict[str, Any]:
    return {
        **_submission_out(s),
        "no_task": s.no_task,
        "figures": [
            {"program": e.program, "figure": e.figure_id, "state": e.state,
             "value": plain(e.value) if e.value is not None else None, "explanation": e.explanation}
            for e in FigureEntry.objects.filter(submission=s).order_by("program", "figure_id")
        ],
        "issues": s.issues,
        "returns": [
            {"id": r.pk, "program": r.program, "figure": r.figure_id, "reason": r.reason, "status": r.status,
             "messages": [m.text for m in r.messages.all()]}
            for r in s.returns.prefetch_related("messages")
        ],
    }


def _decimal(raw: str | None, what: str) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    return review_services._decimal(raw, what)


# ---------------------------------------------------------------- endpoints


@api.get("/me", response=Me, summary="当前用户与角色", tags=["用户"])
def me(request: HttpRequest) -> dict[str, Any]:
    profile = profile_of(request.user)
    return {
        "username": request.user.get_username(),
        "role": profile.role if profile else None,
        "role_label": profile.get_role_display() if profile else None,
        "region": profile.region.pk if profile and profile.region else None,
        "department": profile.department if profile else "",
    }


@api.get("/regions", response=list[RegionOut], summary="权限范围内的行政区划", tags=["区划"])
def regions(request: HttpRequest) -> list[dict[str, Any]]:
    authorize(request.user, "regions.view_region", None)
    return [
        {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent_id}
        for r in Region.objects.filter(region_scope_q(request.user))
    ]


@api.get("/cycles", response=list[CycleOut], summary="评价年度", tags=["评价年度"])
def cycles(request: HttpRequest) -> list[dict[str, Any]]:
    authorize(request.user, "submissions.view_cycle", None)
    visible = Region.objects.filter(region_scope_q(request.user)).values_list("pk", flat=True)
    out = []
    for cycle in Cycle.objects.select_related("region"):
        if cycle.region_id in visible or Submission.objects.filter(cycle=cycle, region__in=visible).exists():
            out.append({"id": cycle.pk, "region": cycle.region_id, "year": cycle.year, "framework_id": cycle.framework_id,
                        "title": cycle.title, "deadline": cycle.deadline.isoformat(), "signed_at": _iso(cycle.signed_at)})
    return out


@api.get("/cycles/{cycle_id}/submissions", response=list[SubmissionOut], summary="填报列表（权限范围内）", tags=["填报"])
def submissions(request: HttpRequest, cycle_id: int) -> list[dict[str, Any]]:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    authorize(request.user, "submissions.view_submission", None)
    rows = Submission.objects.filter(cycle=cycle).filter(region_scope_q(request.user, "region__")).select_related("region")
    return [_submission_out(s) for s in rows]


@api.get("/submissions/{submission_id}", response=SubmissionDetail, summary="填报详情：数据、校验结果、退回项", tags=["填报"])
def submission_detail(request: HttpRequest, submission_id: int) -> dict[str, Any]:
    return _detail(_submission(request, submission_id))


@api.put("/submissions/{submission_id}/figures", response={200: SubmissionDetail, 422: Problem, 409: Problem},
         summary="保存数据项（全部成功或全部不保存），保存后自动校验", tags=["填报"])
def put_figures(request: HttpRequest, submission_id: int, payload: FiguresIn) -> Any:
    submission = _submission(request, submission_id, "submissions.fill_submission")
    raw = {(f.program, f.figure): RowInput(f.value, f.not_applicable, f.explanation) for f in payload.figures}
    try:
        save_figures(request.user, submission, raw, no_task=set(payload.no_task) if payload.no_task is not None else None,
                     expected_version=payload.version, source="接口填报")
    except NotEditable as exc:
        return Status(409, {"detail": str(exc)})
    submission.refresh_from_db()
    return Status(200, _detail(submission))


@api.post("/submissions/{submission_id}/transitions", response={200: SubmissionDetail, 409: Problem},
          summary="流转：提交、退回（逐项说明理由）、审核通过、审定、锁定、重新打开", tags=["填报"])
def post_transition(request: HttpRequest, submission_id: int, payload: TransitionIn) -> Any:
    submission = _submission(request, submission_id)
    items = [workflow.ReturnItem(i.program, i.figure, i.reason) for i in payload.items]
    workflow.perform(request.user, submission, payload.verb, reason=payload.reason, items=items)
    submission.refresh_from_db()
    return Status(200, _detail(submission))


@api.get("/cycles/{cycle_id}/judgements", response=list[JudgementOut], summary="省级评价判断", tags=["评价"])
def judgements(request: HttpRequest, cycle_id: int) -> list[dict[str, Any]]:
    cycle = _cycle(request, cycle_id, "reviews.view_judgement")
    return [
        {"program": j.program, "item_path": j.item_path, "points": plain(j.points) if j.points is not None else None,
         "clauses": j.clauses, "reason": j.reason, "evidence": j.evidence}
        for j in Judgement.objects.filter(cycle=cycle).order_by("program", "item_path")
    ]


@api.put("/cycles/{cycle_id}/judgements/{program}/{item_path}", response={200: JudgementOut, 409: Problem},
         summary="录入或修改一项判断（引擎随即校验该项能否计分）", tags=["评价"])
def put_judgement(request: HttpRequest, cycle_id: int, program: str, item_path: str, payload: JudgementIn) -> Any:
    cycle = _cycle(request, cycle_id, "reviews.change_judgement")
    clauses: dict[str, bool | Decimal] = {}
    for key, value in payload.clauses.items():
        if isinstance(value, bool):
            clauses[key] = value
        else:
            parsed = _decimal(value, f"要点“{key}”的得分")
            if parsed is not None:
                clauses[key] = parsed
    row = review_services.save_judgement(
        request.user, cycle, program, item_path, points=_decimal(payload.points, "评定分数"), clauses=clauses,
        reason=payload.reason, evidence=payload.evidence,
    )
    return Status(200, {"program": row.program, "item_path": row.item_path,
                        "points": plain(row.points) if row.points is not None else None,
                        "clauses": row.clauses, "reason": row.reason, "evidence": row.evidence})


def _run_out(cycle: Cycle, run: Any) -> dict[str, Any]:
    return {
        "id": run.pk, "created_at": run.created_at.isoformat(),
        "created_by": run.created_by.get_username(), "input_hash": run.input_hash, "source": run.source,
        "totals": run.totals, "current": review_services.run_is_current(cycle, run),
        "evaluation": run.result, "issues": run.issues,
    }


@api.post("/cycles/{cycle_id}/evaluations", response={201: RunOut, 409: Problem},
          summary="运行评价：由引擎对当前数据逐项计分并保存结果", tags=["评价"])
def post_evaluation(request: HttpRequest, cycle_id: int) -> Any:
    cycle = _cycle(request, cycle_id, "reviews.run_evaluation")
    outcome = review_services.run_evaluation(request.user, cycle)
    return Status(201, _run_out(cycle, outcome.run))


@api.get("/cycles/{cycle_id}/evaluations/latest", response={200: RunOut, 404: Problem},
         summary="最近一次评价结果（每一分带计算依据）", tags=["评价"])
def latest_evaluation(request: HttpRequest, cycle_id: int) -> Any:
    cycle = _cycle(request, cycle_id, "reviews.view_evaluationrun")
    run = review_services.latest_run(cycle)
    if run is None:
        return Status(404, {"detail": "尚未运行评价"})
    return Status(200, _run_out(cycle, run))


def _adjustment_out(a: ScoreAdjustment) -> dict[str, Any]:
    return {"id": a.pk, "program": a.program, "item_path": a.item_path, "self_score": plain(a.self_score),
            "proposed_score": plain(a.proposed_score), "reason": a.reason, "status": a.status, "response": a.response}


@api.get("/cycles/{cycle_id}/adjustments", response=list[AdjustmentOut], summary="监管局调整建议", tags=["复核"])
def adjustments(request: HttpRequest, cycle_id: int) -> list[dict[str, Any]]:
    cycle = _cycle(request, cycle_id, "reviews.view_scoreadjustment")
    return [_adjustment_out(a) for a in ScoreAdjustment.objects.filter(cycle=cycle)]


@api.post("/cycles/{cycle_id}/adjustments", response={201: AdjustmentOut, 409: Problem},
          summary="提出调整建议（监管局，须说明理由）", tags=["复核"])
def post_adjustment(request: HttpRequest, cycle_id: int, payload: AdjustmentIn) -> Any:
    cycle = _cycle(request, cycle_id, "reviews.add_scoreadjustment")
    adjustment = review_services.propose_adjustment(request.user, cycle, program_id=payload.program, item_path=payload.item_path,
                                                    proposed=payload.proposed_score, reason=payload.reason)
    return Status(201, _adjustment_out(adjustment))


@api.post("/cycles/{cycle_id}/comments", response={201: CommentOut, 409: Problem}, summary="提出意见", tags=["复核"])
def post_comment(request: HttpRequest, cycle_id: int, payload: CommentIn) -> Any:
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    submission = _submission(request, payload.submission) if payload.submission else None
    if submission is None:
        authorize(request.user, None, cycle.region)
    comment = review_services.add_comment(request.user, cycle, payload.text, submission=submission,
                                          program_id=payload.program, item_path=payload.item_path)
    return Status(201, {"id": comment.pk, "text": comment.text, "submission": comment.submission_id,
                        "program": comment.program, "item_path": comment.item_path, "resolved": False})


@api.get("/audit", response=list[AuditOut], summary="审计日志（权限范围内，按时间倒序）", tags=["审计"])
def audit(request: HttpRequest, filters: Query[AuditFilter]) -> list[dict[str, Any]]:
    authorize(request.user, "audit.view_auditevent", None)
    events = AuditEvent.objects.filter(region_scope_q(request.user, "region__")).order_by("-at", "-pk")
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.region:
        events = events.filter(region__pk=filters.region)
    limit = max(1, min(filters.limit, 1000))
    offset = max(0, filters.offset)
    return [
        {"id": e.pk, "at": e.at.isoformat(), "actor": e.actor_label, "action": e.action, "object_type": e.object_type,
         "object_label": e.object_label, "field": e.field, "old_value": e.old_value, "new_value": e.new_value,
         "note": e.note, "region": e.region_id}
        for e in events[offset: offset + limit]
    ]


@api.get("/cycles/{cycle_id}/evidence", response=list[EvidenceOut], summary="佐证材料（权限范围内）", tags=["佐证材料"])
def evidence(request: HttpRequest, cycle_id: int) -> list[dict[str, Any]]:
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    authorize(request.user, "evidence.view_evidencefile", None)
    files = EvidenceFile.objects.filter(cycle=cycle).filter(region_scope_q(request.user, "region__"))
    return [
        {"id": f.pk, "region": f.region_id, "program": f.program, "item_path": f.item_path, "title": f.title,
         "original_name": f.original_name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
         "download": f"/evidence/{f.pk}/download/"}
        for f in files
    ]

"""The provincial evaluation (judgements, runs) and the supervision bureau's review (adjustments,
comments)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from anju_web.accounts.policy import authorize
from anju_web.api.schemas import (
    AdjustmentAnswerIn,
    AdjustmentIn,
    AdjustmentOut,
    CommentIn,
    CommentOut,
    CycleOut,
    ErrorOut,
    JudgementIn,
    JudgementOut,
    ObjectId,
    RunOut,
    error,
)
from anju_web.reviews import services
from anju_web.reviews.models import Comment, EvaluationRun, Judgement, ScoreAdjustment
from anju_web.shortcuts import get_cycle, get_submission
from anju_web.submissions.models import Cycle

router = Router(tags=["评价"])


@router.get("/cycles/{cycle_id}/judgements", response=list[JudgementOut], summary="省级评价判断")
def judgements(request: HttpRequest, cycle_id: ObjectId) -> QuerySet[Judgement]:
    cycle = get_cycle(request, cycle_id, "reviews.view_judgement")
    return Judgement.objects.filter(cycle=cycle).order_by("program", "item_path")


@router.put("/cycles/{cycle_id}/judgements/{program}/{item_path}", response={200: JudgementOut, 409: ErrorOut},
            summary="录入或修改一项判断（引擎随即校验该项能否计分）")
def put_judgement(request: HttpRequest, cycle_id: ObjectId, program: str, item_path: str, payload: JudgementIn) -> Judgement:
    cycle = get_cycle(request, cycle_id, "reviews.change_judgement")
    item = services.find_item(cycle.framework, program, item_path)
    return services.save_judgement(
        request.user, cycle, program, item_path, points=services.parse_optional_decimal(payload.points, "评定分数"),
        clauses=services.read_clauses(item, payload.clauses), reason=payload.reason, evidence=payload.evidence,
        expected_version=payload.version,
    )


@router.post("/cycles/{cycle_id}/evaluations", response={201: RunOut, 409: ErrorOut},
             summary="运行评价：由引擎对当前数据逐项计分并保存结果")
def post_evaluation(request: HttpRequest, cycle_id: ObjectId) -> Status[EvaluationRun]:
    cycle = get_cycle(request, cycle_id, "reviews.run_evaluation")
    return Status(201, services.run_evaluation(request.user, cycle).run)


@router.get("/cycles/{cycle_id}/evaluations/latest", response={200: RunOut, 404: ErrorOut},
            summary="最近一次评价结果（每一分带计算依据）")
def latest_evaluation(request: HttpRequest, cycle_id: ObjectId) -> EvaluationRun | Status[ErrorOut]:
    cycle = get_cycle(request, cycle_id, "reviews.view_evaluationrun")
    run = services.latest_run(cycle)
    if run is None:
        return Status(404, error("尚未运行评价"))
    return run


@router.get("/cycles/{cycle_id}/adjustments", response=list[AdjustmentOut], summary="监管局调整建议", tags=["复核"])
def adjustments(request: HttpRequest, cycle_id: ObjectId) -> QuerySet[ScoreAdjustment]:
    cycle = get_cycle(request, cycle_id, "reviews.view_scoreadjustment")
    return ScoreAdjustment.objects.filter(cycle=cycle)


@router.post("/cycles/{cycle_id}/adjustments", response={201: AdjustmentOut, 409: ErrorOut},
             summary="提出调整建议（监管局，须说明理由）", tags=["复核"])
def post_adjustment(request: HttpRequest, cycle_id: ObjectId, payload: AdjustmentIn) -> Status[ScoreAdjustment]:
    cycle = get_cycle(request, cycle_id, "reviews.add_scoreadjustment")
    return Status(201, services.propose_adjustment(request.user, cycle, program_id=payload.program,
                                                   item_path=payload.item_path, proposed=payload.proposed_score,
                                                   reason=payload.reason))


@router.post("/cycles/{cycle_id}/comments", response={201: CommentOut, 409: ErrorOut}, summary="提出意见", tags=["复核"])
def post_comment(request: HttpRequest, cycle_id: ObjectId, payload: CommentIn) -> Status[Comment]:
    """On a unit's submission (seen through its unit) or on the cycle (seen through its province)."""
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    submission = get_submission(request, payload.submission) if payload.submission else None
    if submission is None:
        authorize(request.user, None, cycle.region)
    return Status(201, services.add_comment(request.user, cycle, payload.text, submission=submission,
                                            program_id=payload.program, item_path=payload.item_path))


@router.post("/cycles/{cycle_id}/sign", response={200: CycleOut, 409: ErrorOut},
             summary="审定评价结果（省级评价员；全部单位已审核通过、计分为最新时），随即锁定全部填报")
def post_sign(request: HttpRequest, cycle_id: ObjectId) -> Cycle:
    cycle = get_cycle(request, cycle_id, "submissions.sign_cycle")
    return services.sign_cycle(request.user, cycle)


@router.post("/adjustments/{adjustment_id}/answer", response={200: AdjustmentOut, 409: ErrorOut},
             summary="答复监管局调整建议：采纳或不采纳（省级评价员）", tags=["复核"])
def answer_adjustment(request: HttpRequest, adjustment_id: ObjectId, payload: AdjustmentAnswerIn) -> ScoreAdjustment:
    adjustment = get_object_or_404(ScoreAdjustment.objects.select_related("cycle", "cycle__region"), pk=adjustment_id)
    authorize(request.user, "reviews.view_scoreadjustment", adjustment.cycle.region)
    return services.respond_adjustment(request.user, adjustment, accept=payload.accept, response=payload.response)


@router.post("/comments/{comment_id}/resolve", response={200: CommentOut, 409: ErrorOut}, summary="办结意见",
             tags=["复核"])
def resolve_comment(request: HttpRequest, comment_id: ObjectId) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("cycle", "cycle__region", "submission__region"),
                                pk=comment_id)
    authorize(request.user, "reviews.view_comment", comment.target_region())
    return services.resolve_comment(request.user, comment)

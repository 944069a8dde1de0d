"""Cycles, units' submissions, their figures and their workflow."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from anju_web.accounts.policy import authorize, region_scope_q
from anju_web.api.schemas import (
    CycleOut,
    ErrorOut,
    FiguresIn,
    ObjectId,
    ReplyIn,
    ReturnOut,
    SubmissionDetail,
    SubmissionOut,
    TransitionIn,
)
from anju_web.shortcuts import get_cycle_for_units, get_submission
from anju_web.submissions import workflow
from anju_web.submissions.inputs import RowInput
from anju_web.submissions.models import Cycle, ItemReturn, Submission
from anju_web.submissions.services import ReplyRefused, reply_to_return, save_figures

router = Router(tags=["填报"])


@router.get("/cycles", response=list[CycleOut], summary="评价年度", tags=["评价年度"])
def cycles(request: HttpRequest) -> QuerySet[Cycle]:
    """The cycles of the user's province, or in which the user may see a unit."""
    authorize(request.user, "submissions.view_cycle", None)
    visible_units = Submission.objects.filter(region_scope_q(request.user, "region__")).values("cycle")
    return Cycle.objects.filter(Q(region_scope_q(request.user, "region__")) | Q(pk__in=visible_units)).select_related("region")


@router.get("/cycles/{cycle_id}/submissions", response=list[SubmissionOut], summary="填报列表（权限范围内）")
def submissions(request: HttpRequest, cycle_id: ObjectId) -> QuerySet[Submission]:
    cycle = get_cycle_for_units(request, cycle_id)
    return Submission.objects.filter(cycle=cycle).filter(region_scope_q(request.user, "region__")).select_related("region")


@router.get("/submissions/{submission_id}", response=SubmissionDetail, summary="填报详情：数据、校验结果、退回项")
def submission_detail(request: HttpRequest, submission_id: ObjectId) -> Submission:
    return get_submission(request, submission_id)


@router.put("/submissions/{submission_id}/figures", response={200: SubmissionDetail, 422: ErrorOut, 409: ErrorOut},
            summary="保存数据项（全部成功或全部不保存），保存后自动校验")
def put_figures(request: HttpRequest, submission_id: ObjectId, payload: FiguresIn) -> Submission:
    submission = get_submission(request, submission_id, "submissions.fill_submission")
    raw = {(f.program, f.figure): RowInput(f.value, f.not_applicable, f.explanation) for f in payload.figures}
    save_figures(request.user, submission, raw, no_task=set(payload.no_task) if payload.no_task is not None else None,
                 expected_version=payload.version, source="接口填报")
    return submission


@router.post("/submissions/{submission_id}/transitions", response={200: SubmissionDetail, 409: ErrorOut},
             summary="流转：提交、撤回、退回（逐项说明理由）、审核通过、审定（可附审核意见 reason）、锁定、重新打开")
def post_transition(request: HttpRequest, submission_id: ObjectId, payload: TransitionIn) -> Submission:
    submission = get_submission(request, submission_id)
    items = [workflow.ReturnItem(i.program, i.figure, i.reason) for i in payload.items]
    workflow.perform(request.user, submission, payload.verb, reason=payload.reason, items=items)
    submission.refresh_from_db()
    return submission


@router.post("/returns/{return_id}/replies", response={201: ReturnOut, 409: ErrorOut},
             summary="回复退回项：单位说明如何修改，审核人答复（与网页“回复”相同）")
def post_reply(request: HttpRequest, return_id: ObjectId, payload: ReplyIn) -> Status[ItemReturn]:
    item = get_object_or_404(ItemReturn.objects.select_related("submission", "submission__region", "submission__cycle"),
                             pk=return_id)
    get_submission(request, item.submission_id)
    try:
        reply_to_return(request.user, item, payload.text)
    except ValueError as exc:
        raise ReplyRefused(str(exc)) from None
    return Status(201, ItemReturn.objects.prefetch_related("messages").get(pk=item.pk))

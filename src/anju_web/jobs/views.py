"""Pages of the background jobs: the cycle's jobs with the forms that start them, one job's page
(a progress bar that polls :func:`status`, a small JSON endpoint; no script framework) and the JSON."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from anju_web.accounts.policy import authorize, can_see, has, sees_nation
from anju_web.audits.services import ADD as AUDIT_ADD
from anju_web.audits.services import keep_upload
from anju_web.audits.storage import DocumentRejected
from anju_web.jobs import runner
from anju_web.jobs.models import Job
from anju_web.jobs.registry import kind_of
from anju_web.shortcuts import get_cycle, post_text
from anju_web.submissions.cycles import visible_cycles
from anju_web.submissions.models import Cycle

MAX_DOCUMENTS = 200
"""Documents one batch audit accepts."""


def _get_job(request: HttpRequest, job_id: int) -> Job:
    job = get_object_or_404(Job.objects.select_related("cycle__region", "created_by"), pk=job_id)
    user: Any = request.user
    if job.created_by_id == user.pk or user.is_superuser:
        return job
    if job.cycle is None and sees_nation(user) and has(user, kind_of(job.kind).permission):
        return job  # a national job: every national user who may submit one sees it
    if job.cycle is None or not can_see(user, job.cycle.region):
        raise Http404("没有找到该任务，或不在您的权限范围内")
    authorize(user, kind_of(job.kind).permission, job.cycle.region)
    return job


def _submitted(request: HttpRequest, job: Job) -> HttpResponse:
    if job.synchronous:
        messages.warning(request, runner.SYNCHRONOUS_NOTICE)
    else:
        messages.success(request, f"已提交后台任务“{job.label}”，可离开本页，稍后在“后台任务”中查看结果。")
    return redirect("job", job_id=job.pk)


@login_required
def job_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id)
    user: Any = request.user
    jobs = [j for j in Job.objects.filter(cycle=cycle).select_related("created_by")[:100]
            if j.created_by_id == user.pk or has(user, kind_of(j.kind).permission, cycle.region)]
    same_year = [c for c in visible_cycles(user).filter(year=cycle.year).select_related("region")
                 if has(user, "reviews.view_evaluationrun", c.region)]
    return render(request, "jobs/list.html", {
        "cycle": cycle, "jobs": jobs, "same_year": same_year, "queue_configured": runner.queue_configured(),
        "can_run": has(user, "reviews.run_evaluation", cycle.region),
        "can_package": has(user, "reviews.view_evaluationrun", cycle.region),
        "can_audit": has(user, AUDIT_ADD, cycle.region),
    })


@login_required
@require_POST
def start_evaluation(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.run_evaluation")
    return _submitted(request, runner.submit(request.user, "evaluation", cycle))


@login_required
@require_POST
def start_packages(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.view_evaluationrun")
    user: Any = request.user
    wanted = {str(v) for v in request.POST.getlist("cycles")}
    chosen = [c.pk for c in visible_cycles(user).filter(year=cycle.year).select_related("region")
              if str(c.pk) in wanted and has(user, "reviews.view_evaluationrun", c.region)]
    if not chosen:
        messages.error(request, "请至少选择一个地区。")
        return redirect("jobs", cycle_id=cycle.pk)
    return _submitted(request, runner.submit(user, "document_packages", cycle, {"cycles": chosen}))


@login_required
@require_POST
def start_audits(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle: Cycle = get_cycle(request, cycle_id, AUDIT_ADD)
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, "请选择要核查的文件（.docx、.pdf、.txt、.md，可多选）。")
        return redirect("jobs", cycle_id=cycle.pk)
    if len(uploads) > MAX_DOCUMENTS:
        messages.error(request, f"一次最多核查 {MAX_DOCUMENTS} 份材料，实为 {len(uploads)} 份。")
        return redirect("jobs", cycle_id=cycle.pk)
    kept: list[dict[str, Any]] = []
    refused: list[str] = []
    for upload in uploads:
        try:
            name, digest, size, suffix = keep_upload(upload)
        except DocumentRejected as exc:
            refused.append(f"“{upload.name}”：{exc}")
            continue
        kept.append({"name": name, "sha256": digest, "size": size, "suffix": suffix})
    if refused:
        messages.error(request, f"{len(refused)} 份材料未接受，全部未核查：{'；'.join(refused[:5])}")
        return redirect("jobs", cycle_id=cycle.pk)
    return _submitted(request, runner.submit(request.user, "document_audits", cycle,
                                             {"documents": kept, "note": post_text(request, "note")}))


def _links(job: Job) -> list[dict[str, Any]]:
    rows = []
    for row in job.result.get("rows", []):
        link = ""
        if row.get("audit_id"):
            link = reverse("document_audit", args=[row["audit_id"]])
        elif row.get("cycle_id") and row.get("outcome"):  # a national run: the region's evaluation
            link = reverse("evaluation", args=[row["cycle_id"]])
        elif row.get("cycle_id") and row.get("ok"):
            link = reverse("documents", args=[row["cycle_id"]])
        rows.append({"name": row.get("region") or row.get("document", ""), "status": row.get("status", ""),
                     "ok": bool(row.get("ok")), "link": link})
    return rows


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _get_job(request, job_id)
    return render(request, "jobs/detail.html", {
        "job": job, "cycle": job.cycle, "rows": _links(job), "notice": runner.SYNCHRONOUS_NOTICE if job.synchronous else "",
        "national": job.cycle is None and sees_nation(request.user),
    })


@login_required
def status(request: HttpRequest, job_id: int) -> JsonResponse:
    """The job's state and progress, for the job page's progress bar (and any client)."""
    job = _get_job(request, job_id)
    return JsonResponse({
        "id": job.pk, "kind": job.kind, "label": job.label, "state": job.state, "state_label": job.get_state_display(),
        "finished": job.finished, "done": job.done, "total": job.total, "percent": job.percent,
        "message": job.message, "error": job.error, "summary": job.result.get("summary", ""),
        "synchronous": job.synchronous,
    }, json_dumps_params={"ensure_ascii": False})

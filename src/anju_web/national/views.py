"""The 全国看板 page, and what 财政部 starts from it: the national run (a background job scoring
every region's cycle of the year) and the central allocation of next year's funds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from anju.decimals import plain
from anju_web.accounts.policy import has, sees_nation
from anju_web.allocations import national as central
from anju_web.allocations.models import NationalAllocation
from anju_web.allocations.services import DOCUMENTS, AllocationFailed, methods
from anju_web.allocations.views import download
from anju_web.jobs import runner
from anju_web.jobs.models import Job
from anju_web.national import services as national_data
from anju_web.national.jobs import KIND as NATIONAL_RUN_KIND
from anju_web.reviews.services import NATIONAL_RUN
from anju_web.shortcuts import post_text

RECENT_JOBS = 5


def _nation(request: HttpRequest, permission: str | None = None) -> Any:
    user: Any = request.user
    if not sees_nation(user):
        raise PermissionDenied("全国看板仅供财政部、住房城乡建设部和系统管理员查看")
    if permission is not None and not has(user, permission):
        raise PermissionDenied("您的角色无权执行此操作（仅财政部评价员）")
    return user


def _year(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) == 4 else None


@login_required
def national(request: HttpRequest) -> HttpResponse:
    """全国看板: every top-level region's scores, ranking, distribution, submissions to the 监管局,
    open findings, document audits and next year's allocation."""
    user = _nation(request)
    data = national_data.overview(_year(request.GET.get("year")))
    context = national_data.as_context(data)
    can_run = has(user, NATIONAL_RUN)
    jobs = (list(Job.objects.filter(kind=NATIONAL_RUN_KIND, cycle__isnull=True, params__year=data.year)[:RECENT_JOBS])
            if data.year is not None and can_run else [])
    context |= {
        "can_run": can_run, "can_allocate": has(user, central.PERMISSION),
        "national_jobs": jobs, "queue_configured": runner.queue_configured(),
    }
    return render(request, "national/dashboard.html", context)


@login_required
@require_POST
def start_run(request: HttpRequest) -> HttpResponse:
    """Start the national run of the posted year (every region's cycle, as one background job)."""
    user = _nation(request, NATIONAL_RUN)
    year = _year(request.POST.get("year"))
    if year is None or not national_data.has_cycles(year):
        messages.error(request, "请选择有评价年度的年份。")
        return redirect("national")
    job = runner.submit(user, NATIONAL_RUN_KIND, None, {"year": year})
    if not job.synchronous:  # (without a queue the job page itself says the job ran in the request)
        messages.success(request, f"已提交后台任务“{job.label}”（{year}年度），可离开本页，稍后在全国看板或任务页查看进度和结果。")
    return redirect("job", job_id=job.pk)


def _allocation_context(scores_year: int, method_id: str, posted: central.NationalForm | None) -> dict[str, Any]:
    method = central.method_of(method_id)
    last = central.latest(scores_year + 1)
    stored = last.inputs.get("amounts", {}) if last is not None else {}
    amounts = posted.amounts if posted else {k: str(v) for k, v in stored.items()}
    rows = central.recipients(scores_year)
    difficulty = posted.difficulty if posted else {r.region.code: r.difficulty for r in rows}
    shares = last.shares() if last is not None else {}
    return {
        "scores_year": scores_year, "year": scores_year + 1, "method": method, "methods": methods(),
        "programs": [{"id": p.id, "label": p.label, "value": amounts.get(p.id, "")} for p in method.programs],
        "regions": [{"code": r.region.code, "name": r.region.name, "value": difficulty.get(r.region.code, ""),
                     "scored": r.run is not None, "share": shares.get(r.region.code, "")} for r in rows],
        "note": posted.note if posted else "", "last": last,
        "versions": central.versions(scores_year + 1), "documents": DOCUMENTS,
    }


@login_required
def allocation(request: HttpRequest) -> HttpResponse:
    """中央资金分配测算: 财政部 allocates next year's central funds among the top-level regions from
    their evaluation runs of the year; the 全国看板 then shows each region's allocation."""
    user = _nation(request, central.PERMISSION)
    if request.method == "POST":
        scores_year = _year(request.POST.get("scores_year"))
        if scores_year is None:
            messages.error(request, "请选择评价年度。")
            return redirect("national")
        posted = central.NationalForm(
            method_id=request.POST.get("method", central.DEFAULT_METHOD), scores_year=scores_year,
            amounts={k.removeprefix("amount_"): str(v) for k, v in request.POST.items() if k.startswith("amount_")},
            difficulty={k.removeprefix("difficulty_"): str(v) for k, v in request.POST.items()
                        if k.startswith("difficulty_")},
            note=post_text(request, "note"))
        try:
            saved = central.save(user, posted)
        except AllocationFailed as exc:
            context = _allocation_context(scores_year, posted.method_id, posted)
            context["problems"] = exc.problems
            return render(request, "national/allocation.html", context, status=422)
        text = f"已保存{saved.row}：下达合计 {plain(saved.row.total)} 万元。"
        if saved.left_out:
            text += f"未参与分配（无评价结果）：{'、'.join(saved.left_out)}。"
        messages.success(request, text)
        return redirect(f"{reverse('national')}?year={scores_year}")
    scores_year = _year(request.GET.get("year")) or national_data.overview_year()
    if scores_year is None:
        messages.error(request, "尚无任何地区的评价年度，无法测算中央资金分配。")
        return redirect("national")
    method_id = request.GET.get("method", central.DEFAULT_METHOD)
    if method_id not in {m.id for m in methods()}:
        method_id = central.DEFAULT_METHOD
    return render(request, "national/allocation.html", _allocation_context(scores_year, method_id, None))


@login_required
def allocation_download(request: HttpRequest, allocation_id: int, kind: str) -> HttpResponse:
    """A saved central allocation's 资金分配表 (Excel), 下达资金通知代拟稿 (Word) or result (JSON)."""
    _nation(request, central.PERMISSION)
    row = NationalAllocation.objects.filter(pk=allocation_id).first()
    if row is None:
        raise Http404("没有这一版中央资金分配测算")
    return download(request, kind, row.result, f"{row.year}年中央资金分配第{row.version}版测算结果.json",
                    document=lambda k: central.document(row, k),
                    back=f"{reverse('national_allocation')}?year={row.scores_year}")

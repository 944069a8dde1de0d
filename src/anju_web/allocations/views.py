"""Pages of the allocation: pick the method and year, type the amounts and coefficients, see the
table, each region's trace and what a point is worth, download the table and the notice; every
saved version is kept and audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from anju.allocation.describe import method_lines
from anju_web.accounts.policy import authorize, has
from anju_web.allocations import services
from anju_web.allocations.models import Allocation
from anju_web.shortcuts import get_cycle
from anju_web.submissions.models import Cycle

VIEW = "allocations.view_allocation"
RUN = "allocations.run_allocation"
UNPROCESSABLE = 422
JSON_KIND = "json"


def _latest(cycle: Cycle, method_id: str) -> Allocation | None:
    return Allocation.objects.filter(region=cycle.region, method_id=method_id).first()


def _form_context(cycle: Cycle, method_id: str, year: int, posted: services.Form | None) -> dict[str, Any]:
    method = services.method_of(method_id)
    last = _latest(cycle, method_id)
    stored = last.inputs if last is not None else {}
    amounts = posted.amounts if posted else {k: str(v) for k, v in stored.get("amounts", {}).items()}
    difficulty = posted.difficulty if posted else {
        code: str(region.get("fiscal_difficulty", "")) for code, region in stored.get("regions", {}).items()
    }
    return {
        "method": method,
        "method_lines": method_lines(method),
        "methods": services.methods(),
        "year": year,
        "programs": [{"id": p.id, "label": p.label, "value": amounts.get(p.id, "")} for p in method.programs],
        "regions": [{"code": code, "name": name, "value": difficulty.get(code, "")}
                    for code, name in services.prefectures(cycle, year)],
        "note": posted.note if posted else "",
    }


@login_required
def allocation_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, VIEW)
    method_id = request.GET.get("method", services.DEFAULT_METHOD)
    if method_id not in {m.id for m in services.methods()}:
        raise Http404("没有这个分配办法")
    year = _year(request.GET.get("year"), cycle.year + 1)
    can_run = has(request.user, RUN, cycle.region)
    problems: list[Any] = []
    posted: services.Form | None = None
    status = 200
    if request.method == "POST":
        authorize(request.user, RUN, cycle.region)
        posted = services.Form(
            method_id=str(request.POST.get("method", method_id)), year=_year(request.POST.get("year"), year),
            amounts={p: str(request.POST.get(f"amount_{p}", "")) for p in _program_ids(method_id)},
            difficulty={code: str(request.POST.get(f"difficulty_{code}", ""))
                        for code, _ in services.prefectures(cycle, _year(request.POST.get("year"), year))},
            note=str(request.POST.get("note", "")),
        )
        try:
            row = services.save_allocation(request.user, cycle, posted)
        except services.AllocationFailed as exc:
            problems, status = exc.problems, UNPROCESSABLE
        else:
            messages.success(request, f"已保存{row}")
            return redirect("allocation", allocation_id=row.pk)
    context = {
        "cycle": cycle,
        "versions": Allocation.objects.filter(region=cycle.region).select_related("created_by"),
        "can_run": can_run,
        "problems": problems,
        **_form_context(cycle, method_id, year, posted),
    }
    return render(request, "allocations/list.html", context, status=status)


def _year(raw: object, default: int) -> int:
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) == len(str(default)) else default


def _program_ids(method_id: str) -> list[str]:
    return [p.id for p in services.method_of(method_id).programs]


def _get(request: HttpRequest, allocation_id: int) -> Allocation:
    row = get_object_or_404(Allocation.objects.select_related("region", "cycle", "created_by"), pk=allocation_id)
    authorize(request.user, VIEW, row.region)
    return row


@login_required
def allocation_detail(request: HttpRequest, allocation_id: int) -> HttpResponse:
    row = _get(request, allocation_id)
    result = row.result
    programs = result["totals"]["programs"]
    by_region: dict[str, dict[str, Any]] = {}
    for item in result["rows"]:
        entry = by_region.setdefault(item["code"], {"code": item["code"], "name": item["name"], "cells": [], "trace": []})
        entry["cells"].append(item)
        entry["trace"].extend(item.get("trace", []))
        entry["trace"].append("")
    gains: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for gain in result["gains"]:
        gains[gain["code"]].append(gain)
    regions = list(by_region.values())
    for entry in regions:
        entry["total"] = result["totals"]["regions"][entry["code"]]
        entry["points"] = [p for p in result["points"] if p["code"] == entry["code"]]
        entry["gains"] = gains.get(entry["code"], [])
    previous = Allocation.objects.filter(region=row.region, year=row.year, version__lt=row.version).first()
    context = {
        "row": row,
        "result": result,
        "programs": programs,
        "regions": regions,
        "assumed": result["method"]["assumed"],
        "notes": result["notes"],
        "documents": [{"kind": kind, "label": spec[0]} for kind, spec in services.DOCUMENTS.items()],
        "versions": Allocation.objects.filter(region=row.region, year=row.year),
        "previous": previous,
        "changes": services.changes(row, previous),
    }
    return render(request, "allocations/detail.html", context)


@login_required
def allocation_download(request: HttpRequest, allocation_id: int, kind: str) -> HttpResponse:
    row = _get(request, allocation_id)
    return download(request, kind, row.result, f"{row.region.name}{row.year}年第{row.version}版资金分配测算.json",
                    document=lambda k: services.document(row, k), back=reverse("allocation", args=[row.pk]))


def download(request: HttpRequest, kind: str, result: Any, json_name: str, *,
             document: Callable[[str], tuple[str, bytes, str]], back: str) -> HttpResponse:
    """A saved allocation's result (``json``) or one of its :data:`services.DOCUMENTS`, as an
    attachment; when the document cannot be rebuilt, back to ``back`` saying why."""
    if kind == JSON_KIND:
        response: HttpResponse = JsonResponse(result, json_dumps_params={"ensure_ascii": False, "indent": 2})
        name = json_name
    elif kind in services.DOCUMENTS:
        try:
            name, payload, content_type = document(kind)
        except services.AllocationFailed as exc:
            messages.error(request, "；".join(p.message for p in exc.problems))
            return redirect(back)
        response = HttpResponse(payload, content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
    else:
        raise Http404("没有这种文书")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response

"""The audit log: a filterable table, exportable as CSV or xlsx (formula injection neutralised)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from anju_web.accounts.policy import authorize, has, region_scope_q
from anju_web.audit.models import AuditEvent
from anju_web.exports import add_sheet, csv_bytes, workbook, workbook_bytes

EXPORT_LIMIT = 100_000
HEADER = ["时间", "操作人", "操作", "对象类型", "对象", "字段", "原值", "新值", "说明", "区划代码"]
OBJECT_TYPES = {
    "figure": "填报数据",
    "submission": "填报状态",
    "return": "退回项",
    "warning_explanation": "警告说明",
    "judgement": "评价判断",
    "narrative": "逐项说明",
    "evaluation_run": "评价运行",
    "score": "得分",
    "adjustment": "调整建议",
    "comment": "意见",
    "evidence": "佐证材料",
    "cycle": "评价年度",
    "user": "用户",
}


def visible_events(request: HttpRequest) -> QuerySet[AuditEvent]:
    authorize(request.user, "audit.view_auditevent", None)
    events = AuditEvent.objects.filter(region_scope_q(request.user, "region__")).select_related("region")
    params = request.GET
    if params.get("object_type"):
        events = events.filter(object_type=params["object_type"])
    if params.get("region"):
        events = events.filter(region__pk=params["region"])
    if params.get("actor"):
        events = events.filter(actor_label__icontains=params["actor"])
    if params.get("q"):
        events = events.filter(object_label__icontains=params["q"])
    for name, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if params.get(name):
            with contextlib.suppress(ValueError):
                events = events.filter(**{lookup: dt.date.fromisoformat(params[name])})
    return events.order_by("-at", "-pk")


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    events = visible_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {
        "page": page,
        "object_types": OBJECT_TYPES,
        "params": request.GET,
        "query": query.urlencode(),
        "can_export": has(request.user, "audit.export_auditevent"),
    })


def _rows(events: QuerySet[AuditEvent]) -> list[list[str]]:
    return [
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_label,
            e.action,
            OBJECT_TYPES.get(e.object_type, e.object_type),
            e.object_label,
            e.field,
            e.old_value,
            e.new_value,
            e.note,
            e.region.pk if e.region else "",
        ]
        for e in events[:EXPORT_LIMIT]
    ]


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    authorize(request.user, "audit.export_auditevent", None)
    events = visible_events(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        response = HttpResponse(csv_bytes(HEADER, _rows(events)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response
    wb = workbook()
    add_sheet(wb, "审计日志", HEADER, _rows(events), widths=[20, 34, 14, 12, 50, 24, 24, 24, 40, 10])
    response = HttpResponse(
        workbook_bytes(wb), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response

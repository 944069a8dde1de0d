"""The audit log: a filterable table, exportable as CSV or xlsx (formula injection neutralised)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from anju_web.accounts.policy import authorize, has
from anju_web.audit.models import AuditEvent, AuditObject
from anju_web.audit.services import EventFilter
from anju_web.audit.services import visible_events as events_for
from anju_web.exports import add_sheet, csv_bytes, workbook, workbook_bytes

EXPORT_LIMIT = 100_000
PAGE_SIZE = 50
HEADER = ["时间", "操作人", "操作", "对象类型", "对象", "字段", "原值", "新值", "说明", "区划代码"]


def visible_events(request: HttpRequest) -> QuerySet[AuditEvent]:
    return events_for(request.user, EventFilter.from_query(request.GET))


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    events = visible_events(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {
        "page": page,
        "object_types": dict(AuditObject.choices),
        "params": request.GET,
        "query": query.urlencode(),
        "can_export": has(request.user, "audit.export_auditevent"),
    })


def _rows(events: QuerySet[AuditEvent]) -> list[list[str]]:
    return [
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_label,
            e.get_action_display(),
            e.get_object_type_display(),
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

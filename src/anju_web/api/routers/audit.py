"""The audit log, as the user's scope allows."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from anju_web.api.schemas import AuditFilter, AuditOut
from anju_web.audit.models import AuditEvent
from anju_web.audit.services import EventFilter, visible_events

router = Router(tags=["审计"])


@router.get("/audit", response=list[AuditOut], summary="审计日志（权限范围内，按时间倒序）")
def audit(request: HttpRequest, filters: Query[AuditFilter]) -> QuerySet[AuditEvent]:
    events = visible_events(request.user, EventFilter(object_type=filters.object_type or "", region=filters.region or "",
                                                   cycle=filters.cycle))
    return events[filters.offset: filters.offset + filters.limit]

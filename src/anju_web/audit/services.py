"""Write audit events (every service that changes data calls :func:`record` inside its transaction)
and read them back within the reader's scope."""

from __future__ import annotations

import datetime as dt
import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict

from anju_web.accounts.policy import authorize, profile_of, region_scope_q
from anju_web.audit.models import AuditAction, AuditEvent, AuditTarget

CLIENT_IP: ContextVar[str | None] = ContextVar("anju_client_ip", default=None)
"""The address of the request being served (set by :class:`anju_web.middleware.ClientAddressMiddleware`);
every event recorded while serving it carries it."""


CURRENT_USER: ContextVar[Any] = ContextVar("anju_current_user", default=None)
"""The signed-in user of the request being served (who changed a password, for the audit log)."""


def client_ip(request: Any) -> str | None:
    """The client's address as the server saw it (REMOTE_ADDR; a proxy must pass it on)."""
    value = str(getattr(request, "META", {}).get("REMOTE_ADDR", "") or "")
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return value


def actor_label(user: Any) -> str:
    if user is None:
        return "系统"
    profile = profile_of(user)
    if profile is not None:
        return profile.label
    return str(user.get_username())


def record(
    user: Any,
    action: AuditAction,
    target: AuditTarget,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
    note: str = "",
) -> AuditEvent:
    """One event: ``user`` did ``action`` to ``target``, changing ``field`` from ``old`` to ``new``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("审计事件必须与所记录的修改在同一事务中写入")
    return AuditEvent.objects.create(
        actor=user if user is not None and getattr(user, "pk", None) else None,
        actor_label=actor_label(user),
        action=action,
        object_type=target.object_type,
        object_id=str(target.object_id),
        object_label=target.label,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        note=note,
        region=target.region,
        cycle_id=target.cycle_id,
        submission_id=target.submission_id,
        ip=CLIENT_IP.get(),
    )


def submission_history(submission_id: int) -> QuerySet[AuditEvent]:
    """The events recorded against one unit's submission (its 修改记录): its status, figures,
    returns and their replies, its evidence and comments — never another unit's."""
    return AuditEvent.objects.filter(submission_id=submission_id)


@dataclass(frozen=True)
class EventFilter:
    """What the audit log is narrowed to (each empty field leaves it open)."""

    object_type: str = ""
    region: str = ""
    actor: str = ""
    text: str = ""
    """Part of the object's label."""
    since: dt.date | None = None
    until: dt.date | None = None
    cycle: int | None = None
    """The evaluation year's events only."""

    @classmethod
    def from_query(cls, params: QueryDict) -> EventFilter:
        """The log page's query string; an unreadable date leaves that bound open."""
        return cls(
            object_type=params.get("object_type", ""), region=params.get("region", ""),
            actor=params.get("actor", ""), text=params.get("q", ""),
            since=_date(params.get("since", "")), until=_date(params.get("until", "")),
            cycle=_int(params.get("cycle", "")),
        )


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 18 else None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def visible_events(user: Any, filters: EventFilter) -> QuerySet[AuditEvent]:
    """The events ``user`` may read (their regions' events), narrowed by ``filters``, newest first."""
    authorize(user, "audit.view_auditevent", None)
    events = AuditEvent.objects.filter(region_scope_q(user, "region__")).select_related("region")
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.region:
        events = events.filter(region__pk=filters.region)
    if filters.actor:
        events = events.filter(actor_label__icontains=filters.actor)
    if filters.text:
        events = events.filter(object_label__icontains=filters.text)
    if filters.cycle is not None:
        events = events.filter(cycle_id=filters.cycle)
    if filters.since:
        events = events.filter(at__date__gte=filters.since)
    if filters.until:
        events = events.filter(at__date__lte=filters.until)
    return events.order_by("-at", "-pk")

"""Evaluation years (cycles): open a new one from a page or a command, list them, switch between
them, archive one read-only (ADR 0012).

Opening a year creates the cycle and one empty draft per reporting unit of the region tree of the
chosen year, and optionally copies from the year before: each unit's 无此项任务 switches, the
province's judgements and 逐项说明 as templates to review, and each unit's reported figures as the
baseline that the cross-year rules compare against and the form shows beside every row.

An archived cycle is read-only everywhere: :func:`refuse_archived_writes` is connected to every
model save and delete of the cycle's data, so no page, API, command or admin change can slip by.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from anju.framework.loader import builtin_years
from anju_web.accounts.policy import authorize, region_scope_q
from anju_web.audit.models import AuditAction
from anju_web.audit.services import record
from anju_web.submissions.models import Cycle, Submission
from anju_web.submissions.units import unit_report

SESSION_KEY = "anju_cycle_id"
YEARS = (1990, 2100)
DEADLINE_SLACK_YEARS = 2
"""A deadline lies between 1 January of the evaluated year and this many years after it."""


def deadline_refusal(year: int, deadline: dt.date) -> str | None:
    """Why ``deadline`` is not a sensible deadline for a cycle of ``year`` (None when it is)."""
    first, last = dt.date(year, 1, 1), dt.date(year + DEADLINE_SLACK_YEARS, 12, 31)
    if first <= deadline <= last:
        return None
    return f"截止日期应在 {first:%Y年%m月%d日} 至 {last:%Y年%m月%d日} 之间，实为 {deadline.year}年{deadline:%m月%d日}"


class CycleRefused(ValueError):
    """The cycle cannot be opened or changed as asked (the message says why, in Chinese)."""


class CycleArchived(PermissionDenied):
    """A write to an archived cycle."""


def ensure_not_archived(cycle: Cycle) -> None:
    """Refuse a change to an archived cycle, naming it (services call this before their checks, so the
    user reads why rather than a status message)."""
    if cycle.is_archived:
        raise CycleArchived(f"{cycle}已归档，只能查看，不能修改")


def framework_choices() -> list[str]:
    """The indicator frameworks a cycle may use (the built-in ones, by version)."""
    return builtin_years()


def visible_cycles(user: Any) -> QuerySet[Cycle]:
    """The cycles ``user`` may open: those of its province, or with one of its units."""
    scope = region_scope_q(user, "region__")
    units = Submission.objects.filter(region_scope_q(user, "region__")).values("cycle_id")
    return Cycle.objects.filter(scope | Q(pk__in=units)).select_related("region").order_by("-year", "-pk")


def current_cycle(request: HttpRequest) -> Cycle | None:
    """The cycle the menu links to: the one chosen with 切换, else the newest open one, else the newest."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    cycles = visible_cycles(user)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen is not None:
        cycle = cycles.filter(pk=chosen).first()
        if cycle is not None:
            return cycle
    return cycles.filter(archived_at__isnull=True).first() or cycles.first()


def choose_cycle(request: HttpRequest, cycle: Cycle) -> None:
    request.session[SESSION_KEY] = cycle.pk


def baseline_of(submission: Submission) -> dict[str, Any]:
    """A unit's report as stored, for next year's baseline (JSON)."""
    report = unit_report(submission)
    return report.model_dump(mode="json", exclude_none=True, include={"programs"})


@transaction.atomic
def archive_cycle(user: Any, cycle: Cycle) -> Cycle:
    """Make the cycle read-only for good (audited)."""
    authorize(user, "submissions.add_cycle", cycle.region)
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.archived_at is not None:
        raise CycleRefused(f"{cycle}已归档")
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(archived_at=now, archived_by=user)
    record(user, AuditAction.cycle_archived, cycle.audit_target(), field="归档时间",
           new=timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S"))
    cycle.refresh_from_db()
    return cycle


def _cycle_id_of(instance: models.Model) -> int | None:
    if isinstance(instance, Cycle):
        return instance.pk
    for attr in ("cycle_id",):
        value = getattr(instance, attr, None)
        if isinstance(value, int):
            return value
    for relation in ("submission", "item_return"):
        if getattr(instance, f"{relation}_id", None) is not None:
            related = getattr(instance, relation)
            return _cycle_id_of(related)
    return None


GUARDED_APPS = {"submissions", "reviews", "evidence", "allocations", "audits"}


def refuse_archived_writes(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """``pre_save``/``pre_delete`` receiver: no change to the data of an archived cycle."""
    if sender._meta.app_label not in GUARDED_APPS or kwargs.get("raw"):
        return
    cycle_id = _cycle_id_of(instance)
    if cycle_id is None:
        return
    archived = Cycle.objects.filter(pk=cycle_id, archived_at__isnull=False).first()
    if archived is not None:
        ensure_not_archived(archived)

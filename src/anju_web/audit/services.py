"""Write audit events. Every service that changes data calls :func:`record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from anju_web.accounts.policy import profile_of
from anju_web.audit.models import AuditEvent
from anju_web.regions.models import Region


def actor_label(user: Any) -> str:
    if user is None:
        return "系统"
    profile = profile_of(user)
    if profile is not None:
        return profile.label
    return str(user.get_username())


def record(
    user: Any,
    action: str,
    *,
    object_type: str,
    object_id: object,
    object_label: str,
    field: str = "",
    old: object = "",
    new: object = "",
    note: str = "",
    region: Region | None = None,
    cycle_id: int | None = None,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("审计事件必须与所记录的修改在同一事务中写入")
    return AuditEvent.objects.create(
        actor=user if user is not None and getattr(user, "pk", None) else None,
        actor_label=actor_label(user),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_label=object_label,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        note=note,
        region=region,
        cycle_id=cycle_id,
    )

"""Groups, role assignment and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from anju_web.accounts.models import ApiToken, GrantStatus, Profile, RoleGrant
from anju_web.accounts.roles import DATA_ROLES, ROLE_PERMISSIONS, Role, group_name
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import record
from anju_web.regions.models import Level, Region


def ensure_groups(using: str = "default") -> None:
    """Create one group per role holding exactly the role's permissions (idempotent)."""
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name(role))
        perms = []
        for name in names:
            app_label, codename = name.split(".", 1)
            perms.append(Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


ROLE_LEVEL = {
    Role.county_clerk: (Level.county, Level.prefecture),
    Role.prefecture_reviewer: (Level.prefecture,),
    Role.province_evaluator: (Level.province,),
    Role.supervision_reviewer: (Level.province,),
}
"""Where a role sits; national roles and administrators sit nowhere (no region)."""


class RoleError(ValueError):
    pass


def _check_role_region(role: Role, region: Region | None) -> None:
    levels = ROLE_LEVEL.get(role)
    if levels is not None:
        if region is None:
            raise RoleError(f"角色“{role.label}”须指定所属区划")
        top_level = region.parent_id is None and Level.province in levels  # 计划单列市, 兵团: their own top level
        if region.level not in levels and not top_level:
            raise RoleError(f"角色“{role.label}”不能设在{region.get_level_display()}“{region.name}”")


@transaction.atomic
def assign_role(user: Any, role: Role, region: Region | None, department: str = "", display_name: str = "") -> Profile:
    """Give ``user`` exactly one role (and its group) for ``region``."""
    _check_role_region(role, region)
    profile, _ = Profile.objects.update_or_create(
        user=user, defaults={"role": role, "region": region, "department": department, "display_name": display_name}
    )
    role_groups = Group.objects.filter(name__in=[group_name(r) for r in Role])
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=group_name(role)))
    if role == Role.administrator and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return profile


def _grant_target(grant: RoleGrant) -> AuditTarget:
    return AuditTarget(AuditObject.user, grant.user.pk, grant.user.get_username(), grant.region)


def _grant_text(grant: RoleGrant) -> str:
    return f"{grant.get_role_display()} {grant.region.display_name if grant.region else ''}".strip()


@transaction.atomic
def set_role(actor: Any, user: Any, role: Role, region: Region | None, *, department: str = "",
             display_name: str = "") -> Profile | RoleGrant:
    """What an administrator's role change does (三员分立): never on its own account; a data role is
    only requested (a :class:`RoleGrant` another administrator approves); the administrator role and
    changes of department or name alone apply at once. Audited either way."""
    if getattr(actor, "pk", None) == user.pk:
        raise RoleError("系统管理员不能修改自己的角色（三员分立），须由另一名管理员操作")
    current = Profile.objects.filter(user=user).select_related("region").first()
    unchanged = current is not None and current.role == role and current.region_id == (region.pk if region else None)
    if role in DATA_ROLES and not unchanged:
        _check_role_region(role, region)
        if RoleGrant.objects.filter(user=user, status=GrantStatus.pending).exists():
            raise RoleError(f"“{user.get_username()}”已有一项待批准的角色申请，请先由另一名管理员批准或驳回")
        grant = RoleGrant.objects.create(user=user, role=role, region=region, department=department,
                                         display_name=display_name, requested_by=actor)
        record(actor, AuditAction.role_requested, _grant_target(grant), field="角色",
               old=f"{current.get_role_display()} {current.region or ''}".strip() if current else "",
               new=_grant_text(grant), note="须由另一名系统管理员批准后生效")
        return grant
    profile = assign_role(user, role, region, department=department, display_name=display_name)
    record(actor, AuditAction.role_set, AuditTarget(AuditObject.user, user.pk, user.get_username(), region),
           field="角色", old=f"{current.get_role_display()} {current.region or ''}".strip() if current else "",
           new=f"{profile.get_role_display()} {region or ''}".strip())
    return profile


@transaction.atomic
def decide_grant(actor: Any, grant: RoleGrant, *, approve: bool) -> RoleGrant:
    """A second administrator approves (the role is then given) or rejects a request."""
    grant = RoleGrant.objects.select_for_update(of=("self",)).select_related("user", "region").get(pk=grant.pk)
    if grant.status != GrantStatus.pending:
        raise RoleError(f"该申请已{grant.get_status_display().removeprefix('已')}，不能再次处理")
    if getattr(actor, "pk", None) in (grant.requested_by_id, grant.user_id):
        raise RoleError("申请人或被授予人不能批准或驳回这项申请（三员分立），须由另一名系统管理员处理")
    grant.status = GrantStatus.approved if approve else GrantStatus.rejected
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        current = Profile.objects.filter(user=grant.user).select_related("region").first()
        assign_role(grant.user, Role(grant.role), grant.region, department=grant.department,
                    display_name=grant.display_name)
        record(actor, AuditAction.role_approved, _grant_target(grant), field="角色",
               old=f"{current.get_role_display()} {current.region or ''}".strip() if current else "",
               new=_grant_text(grant), note=f"申请人：{grant.requested_by.get_username()}")
    else:
        record(actor, AuditAction.role_rejected, _grant_target(grant), field="角色", new=_grant_text(grant),
               note=f"申请人：{grant.requested_by.get_username()}")
    return grant


def create_user(username: str, password: str, role: Role, region: Region | None, **profile: str) -> Any:
    user_model = get_user_model()
    user = user_model.objects.create_user(username=username, password=password)
    assign_role(user, role, region, **profile)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


TOKEN_DAYS = 180
"""A new API token works this many days (then a new one must be created)."""


def issue_token(user: Any, name: str) -> str:
    """Create a token and return it; only its digest is kept."""
    token = "anju_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=_digest(token),
                            expires_at=timezone.now() + dt.timedelta(days=TOKEN_DAYS))
    return token


def user_for_token(token: str) -> Any | None:
    try:
        record = ApiToken.objects.select_related("user").get(digest=_digest(token), revoked=False)
    except ApiToken.DoesNotExist:
        return None
    if not record.user.is_active:
        return None
    if record.expires_at is not None and record.expires_at <= timezone.now():
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record.user

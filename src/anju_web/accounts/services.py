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

from anju_web.accounts.models import ApiToken, Profile
from anju_web.accounts.roles import ROLE_PERMISSIONS, Role, group_name
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


@transaction.atomic
def assign_role(user: Any, role: Role, region: Region | None, department: str = "", display_name: str = "") -> Profile:
    """Give ``user`` exactly one role (and its group) for ``region``."""
    levels = ROLE_LEVEL.get(role)
    if levels is not None:
        if region is None:
            raise RoleError(f"角色“{role.label}”须指定所属区划")
        top_level = region.parent_id is None and Level.province in levels  # 计划单列市, 兵团: their own top level
        if region.level not in levels and not top_level:
            raise RoleError(f"角色“{role.label}”不能设在{region.get_level_display()}“{region.name}”")
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

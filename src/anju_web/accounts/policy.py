"""Authorisation in one place: a permission (what) and an object scope (where).

* 市县填报员 — its own unit only;
* 地级市审核员 — its prefecture-level unit and the counties below it;
* 省级评价员、监管局审核员 — the whole province;
* 财政部评价员、住房城乡建设部查看员 — every region, read-only (财政部 also runs allocations);
* 系统管理员 — everything, read-only outside account and cycle management.

Objects outside a user's scope are answered with 404 (their existence is not revealed);
visible objects the user may not act on are answered with 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from anju_web.accounts.models import Profile
from anju_web.accounts.roles import DATA_PERMISSIONS, DATA_ROLES, NATIONAL_ROLES, Role
from anju_web.regions.models import Region

AnyUser = AbstractBaseUser | AnonymousUser


def profile_of(user: Any) -> Profile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        profile: Profile = user.profile
    except Profile.DoesNotExist:
        return None
    return profile


def role_of(user: Any) -> Role | None:
    profile = profile_of(user)
    return Role(profile.role) if profile else None


def _sees_everything(user: Any) -> bool:
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return True
    return role_of(user) in (Role.administrator, *NATIONAL_ROLES)


def sees_nation(user: Any) -> bool:
    """Whether ``user`` may open the national dashboard (national roles, administrators)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and _sees_everything(user))


def region_scope_q(user: Any, prefix: str = "") -> Q:
    """A filter on a Region relation (``prefix`` like ``"region__"``) selecting what ``user`` may see."""
    nothing = Q(**{f"{prefix}pk__in": []})
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return nothing
    if _sees_everything(user):
        return Q()
    profile = profile_of(user)
    if profile is None or profile.region is None:
        return nothing
    if profile.role == Role.county_clerk:
        return Q(**{f"{prefix}pk": profile.region.pk})
    if profile.role in (Role.prefecture_reviewer, Role.province_evaluator, Role.supervision_reviewer):
        return profile.region.subtree_q(prefix)
    return nothing


def visible_regions(user: Any) -> QuerySet[Region]:
    return Region.objects.filter(region_scope_q(user))


def can_see(user: Any, region: Region) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if _sees_everything(user):
        return True
    profile = profile_of(user)
    if profile is None or profile.region is None:
        return False
    if profile.role == Role.county_clerk:
        return region.pk == profile.region.pk
    if profile.role in (Role.prefecture_reviewer, Role.province_evaluator, Role.supervision_reviewer):
        return profile.region.contains(region)
    return False


def administers_only(user: Any, permission: str | None) -> bool:
    """三员分立: the system administrator — a superuser too, unless it also holds a data role — never
    fills, reviews, scores or comments, whatever permissions its account carries."""
    if permission is None or permission not in DATA_PERMISSIONS:
        return False
    return role_of(user) not in DATA_ROLES


def authorize(user: Any, permission: str | None, region: Region | None) -> None:
    """Raise :class:`Http404` when ``region`` is outside the user's scope, and
    :class:`PermissionDenied` when the user lacks ``permission``. Every view and API
    endpoint calls this before touching an object."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录")
    if region is not None and not can_see(user, region):
        raise Http404("没有找到该对象，或不在您的权限范围内")
    if administers_only(user, permission):
        raise PermissionDenied("系统管理员不能填报、审核、评分或修改业务数据（三员分立）")
    if permission is not None and not user.has_perm(permission):
        raise PermissionDenied("您的角色无权执行此操作")


def has(user: Any, permission: str, region: Region | None = None) -> bool:
    """The same test as :func:`authorize`, answered as a boolean (for showing buttons)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if region is not None and not can_see(user, region):
        return False
    if administers_only(user, permission):
        return False
    return bool(user.has_perm(permission))

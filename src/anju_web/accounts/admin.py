"""User and role administration for the 系统管理员 role.

Roles are given only through :class:`Profile` (which sets the matching group); a non-superuser
administrator cannot edit groups, permissions or the superuser flag directly."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from anju_web.accounts.models import ApiToken, Profile
from anju_web.accounts.roles import Role
from anju_web.accounts.services import assign_role
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import record


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ("user", "role", "region", "department", "display_name")
    list_filter = ("role",)
    search_fields = ("user__username", "display_name", "department")
    autocomplete_fields = ("region",)

    def has_change_permission(self, request: HttpRequest, obj: Profile | None = None) -> bool:
        """三员分立: an administrator never changes its own role or region (another administrator must)."""
        if obj is not None and obj.user_id == getattr(request.user, "pk", None) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Profile | None = None) -> bool:
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Profile, form: Any, change: bool) -> None:
        if obj.user_id == getattr(request.user, "pk", None) and not request.user.is_superuser:
            raise PermissionDenied("系统管理员不能修改自己的角色（三员分立），须由另一名管理员操作")
        with transaction.atomic():
            old = Profile.objects.filter(pk=obj.pk).first() if change else None
            assign_role(obj.user, Role(obj.role), obj.region, department=obj.department, display_name=obj.display_name)
            record(request.user, AuditAction.role_set,
                   AuditTarget(AuditObject.user, obj.user.pk, obj.user.get_username(), obj.region),
                   field="角色", old=f"{old.get_role_display()} {old.region or ''}" if old else "",
                   new=f"{obj.get_role_display()} {obj.region or ''}")


class RestrictedUserAdmin(UserAdmin[User]):
    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request.user, "is_superuser", False) or obj is None:
            return fieldsets
        return (
            (None, {"fields": ("username", "password")}),
            ("个人信息", {"fields": ("first_name", "last_name", "email")}),
            ("状态", {"fields": ("is_active",)}),
            ("时间", {"fields": ("last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if getattr(request.user, "is_superuser", False):
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not change:  # an account made by an administrator: its first sign-in changes the password
                Profile.objects.filter(user=obj).update(must_change_password=True)
            record(request.user, AuditAction.user_changed if change else AuditAction.user_created,
                   AuditTarget(AuditObject.user, obj.pk, obj.get_username()), field="、".join(form.changed_data), new="")


admin.site.unregister(User)
admin.site.register(User, RestrictedUserAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("user", "name", "created_at", "last_used_at", "revoked")
    readonly_fields = ("user", "name", "digest", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

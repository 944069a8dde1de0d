"""User and role administration for the 系统管理员 role.

Roles are given only through :class:`Profile` (which sets the matching group); a non-superuser
administrator cannot edit groups, permissions or the superuser flag directly."""

from __future__ import annotations

from typing import Any, NoReturn

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from anju_web.accounts.models import ApiToken, Profile, RoleGrant
from anju_web.accounts.roles import DATA_ROLES, Role
from anju_web.accounts.services import RoleError, decide_grant, set_role
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import record


def _refuse(request: HttpRequest, exc: RoleError) -> NoReturn:
    raise PermissionDenied(str(exc)) from None


class ProfileForm(forms.ModelForm[Profile]):
    class Meta:
        model = Profile
        fields = ("user", "role", "region", "department", "display_name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and data.get("role") in DATA_ROLES:
            raise forms.ValidationError(
                "业务角色（填报、审核、评价、复核）须经另一名管理员批准：请在“角色授予申请”中提出申请（三员分立）")
        return data


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    form = ProfileForm
    list_display = ("user", "role", "region", "department", "display_name")
    list_filter = ("role",)
    search_fields = ("user__username", "display_name", "department")
    autocomplete_fields = ("region",)

    def has_change_permission(self, request: HttpRequest, obj: Profile | None = None) -> bool:
        """三员分立: an administrator never changes its own role or region (another administrator must)."""
        if obj is not None and obj.user_id == getattr(request.user, "pk", None):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Profile | None = None) -> bool:
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Profile, form: Any, change: bool) -> None:
        """A data role is requested, not given (another administrator approves it in 角色授予申请)."""
        try:
            outcome = set_role(request.user, obj.user, Role(obj.role), obj.region, department=obj.department,
                               display_name=obj.display_name)
        except RoleError as exc:
            _refuse(request, exc)
        if isinstance(outcome, RoleGrant):
            setattr(request, "_anju_grant", outcome)  # noqa: B010 - read back by message_user below
        else:
            obj.pk = outcome.pk

    def message_user(self, request: HttpRequest, message: Any, level: int | str = messages.INFO, *args: Any,
                     **kwargs: Any) -> None:
        grant = getattr(request, "_anju_grant", None)
        if grant is not None and level == messages.SUCCESS:
            message = f"已提出申请：{grant}。须由另一名系统管理员在“角色授予申请”中批准后生效（三员分立），当前角色未变。"
            level = messages.WARNING
        super().message_user(request, message, level, *args, **kwargs)


class RoleGrantForm(forms.ModelForm[RoleGrant]):
    class Meta:
        model = RoleGrant
        fields = ("user", "role", "region", "department", "display_name")

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        if role not in DATA_ROLES:
            raise forms.ValidationError("这里只申请业务角色；系统管理员角色在“用户角色”中直接设置")
        return str(role)


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin[RoleGrant]):
    """三员分立: one administrator asks, another approves; neither may be the person receiving the role."""

    form = RoleGrantForm
    list_display = ("user", "role", "region", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status", "role")
    autocomplete_fields = ("region",)
    actions = ("approve", "reject")

    def get_readonly_fields(self, request: HttpRequest, obj: RoleGrant | None = None) -> Any:
        if obj is None:
            return ()
        return ("user", "role", "region", "department", "display_name", "status", "requested_by", "requested_at",
                "decided_by", "decided_at")

    def has_delete_permission(self, request: HttpRequest, obj: RoleGrant | None = None) -> bool:
        return False  # the requests are the record of who asked and who approved

    def save_model(self, request: HttpRequest, obj: RoleGrant, form: Any, change: bool) -> None:
        if change:
            return  # nothing of a request is edited; it is approved or rejected
        try:
            outcome = set_role(request.user, obj.user, Role(obj.role), obj.region, department=obj.department,
                               display_name=obj.display_name)
        except RoleError as exc:
            _refuse(request, exc)
        assert isinstance(outcome, RoleGrant)
        obj.pk, obj.requested_by, obj.requested_at = outcome.pk, outcome.requested_by, outcome.requested_at

    def _decide(self, request: HttpRequest, queryset: QuerySet[RoleGrant], *, approve: bool) -> None:
        for grant in queryset:
            try:
                decide_grant(request.user, grant, approve=approve)
            except RoleError as exc:
                self.message_user(request, f"{grant}：{exc}", messages.ERROR)
            else:
                self.message_user(request, f"{'已批准' if approve else '已驳回'}：{grant.user.get_username()} "
                                           f"{grant.get_role_display()}", messages.SUCCESS)

    @admin.action(description="批准所选申请（须由申请人以外的管理员操作）", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[RoleGrant]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description="驳回所选申请", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[RoleGrant]) -> None:
        self._decide(request, queryset, approve=False)


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

"""The admin site answers signed-in users without the administrator role with 403
instead of sending them to another login page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class AnjuAdminSite(AdminSite):
    site_header = "安居 · 系统管理"
    site_title = "安居系统管理"
    index_title = "用户、角色与区划"

    def admin_view(self, view: View, cacheable: bool = False) -> View:
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("只有系统管理员可以进入系统管理")
            return inner(request, *args, **kwargs)

        return cast(View, guarded)


class AnjuAdminConfig(AdminConfig):
    default_site = "anju_web.admin_site.AnjuAdminSite"

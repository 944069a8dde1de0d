"""The admin site answers signed-in users without the administrator role with 403
instead of sending them to another login page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


class AnjuAdminSite(AdminSite):
    site_header = "安居 · 系统管理"
    site_title = "安居系统管理"
    index_title = "用户、角色与区划"

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("只有系统管理员可以进入系统管理")
            response: HttpResponse = inner(request, *args, **kwargs)
            return response

        return guarded


class AnjuAdminConfig(AdminConfig):
    default_site = "anju_web.admin_site.AnjuAdminSite"

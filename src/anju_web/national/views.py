"""The 全国看板 page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anju_web.accounts.policy import sees_nation
from anju_web.national import services as national_data


@login_required
def national(request: HttpRequest) -> HttpResponse:
    """全国看板: every top-level region's scores, ranking, distribution, submissions to the 监管局,
    open findings, document audits and next year's allocation."""
    if not sees_nation(request.user):
        raise PermissionDenied("全国看板仅供财政部、住房城乡建设部和系统管理员查看")
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() else None
    data = national_data.overview(year)
    return render(request, "national/dashboard.html", national_data.as_context(data))

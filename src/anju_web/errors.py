"""Error pages in Chinese."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "您的角色无权访问此页面或执行此操作。"
    return render(request, "errors/error.html", {"code": 403, "title": "无权操作", "message": message}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html",
                  {"code": 404, "title": "没有找到", "message": "没有找到该页面或对象，或它不在您的权限范围内。"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/error.html",
                  {"code": 500, "title": "系统错误", "message": "服务器处理请求时出错，请稍后再试或联系系统管理员。"}, status=500)


DATABASE_UNAVAILABLE = "与数据库的连接中断，本次操作没有保存（已全部撤销）。请稍后重新提交；如果持续出现，请联系系统管理员。"


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """Rendered without touching the database (no session or user lookups in the template context)."""
    html = render_to_string("errors/error.html", {"code": 503, "title": "数据库连接中断", "message": DATABASE_UNAVAILABLE})
    response = HttpResponse(html, status=503)
    response.headers["Retry-After"] = "30"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/error.html",
                  {"code": 403, "title": "页面已过期", "message": "表单校验令牌无效或已过期（CSRF），请刷新页面后重试。"}, status=403)

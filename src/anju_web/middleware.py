"""Security headers the framework does not set by itself, and the page for a lost database connection."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from anju_web import errors
from anju_web.accounts.services import user_for_token
from anju_web.audit.services import CLIENT_IP, CURRENT_USER, client_ip


class SecurityHeadersMiddleware:
    """Content-Security-Policy (scripts only from this server) and a strict Permissions-Policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class DatabaseUnavailableMiddleware:
    """A lost or refused database connection answers 503 with its own Chinese page (the transaction was
    rolled back, so nothing of the request is stored), not the generic 500 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            return errors.database_unavailable(request)
        return None


class ClientAddressMiddleware:
    """Every audit event recorded while serving a request carries the client's IP address (等保: the
    log names the terminal), without each service passing the request down."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        token = CLIENT_IP.set(client_ip(request))
        who = CURRENT_USER.set(user if getattr(user, "is_authenticated", False) else None)
        try:
            return self.get_response(request)
        finally:
            CLIENT_IP.reset(token)
            CURRENT_USER.reset(who)


class BearerDownloadMiddleware:
    """Downloads (documents, evidence, exports) with an API token: a GET or HEAD outside ``/api/`` with
    ``Authorization: Bearer <令牌>`` acts as that token's user, with the same permission and scope
    checks as the signed-in page. An invalid token answers 401; nothing is ever written this way."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer " and request.method in {"GET", "HEAD"} and not request.path.startswith("/api/"):
            user = user_for_token(header[7:].strip())
            if user is None:
                return HttpResponse("接口令牌无效、已过期或已吊销", status=401, content_type="text/plain; charset=utf-8")
            request.user = user
            CURRENT_USER.set(user)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign out a session idle longer than ``IDLE_TIMEOUT_SECONDS``, and send a user whose password
    was set by someone else (a new or reset account) to change it before anything else."""

    ALLOWED_WHILE_FORCED = ("/accounts/password/", "/accounts/logout/", "/static/")
    SEEN_RESOLUTION_SECONDS = 60
    """The last-seen time is written at most once a minute, so that a page view does not write the
    session row every time (a write per GET serialises every reader on SQLite); the timeout is
    therefore exact to a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("anju_last_seen")
            if isinstance(last, int) and now - last > settings.IDLE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(request, f"超过 {settings.IDLE_TIMEOUT_SECONDS // 60} 分钟未操作，已自动退出，请重新登录。")
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            if not isinstance(last, int) or now - last >= self.SEEN_RESOLUTION_SECONDS:
                request.session["anju_last_seen"] = now
            profile = getattr(user, "profile", None)
            if (getattr(profile, "must_change_password", False) and request.method == "GET"
                    and not request.path.startswith(self.ALLOWED_WHILE_FORCED) and not request.path.startswith("/api/")):
                messages.warning(request, "您的密码由管理员设置或重置，请先修改密码。")
                return redirect("password_change")
        return self.get_response(request)

"""Sign-in page and the user's own API tokens."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from captcha.fields import CaptchaField
from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju_web.accounts.models import ApiToken
from anju_web.accounts.services import issue_token
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import client_ip, record

TOKEN_NAME_CHARS = 64


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # every view here is login_required
    return request.user


def _tokens_target(user: User) -> AuditTarget:
    return AuditTarget(AuditObject.user, user.pk, user.get_username())


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/tokens.html", {
        "tokens": ApiToken.objects.filter(user=_user(request)).order_by("-created_at"),
        "new_token": request.session.pop("new_token", None),
    })


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    name = str(request.POST.get("name", "")).strip()[:TOKEN_NAME_CHARS] or "接口调用"
    with transaction.atomic():
        token = issue_token(user, name)
        record(user, AuditAction.token_created, _tokens_target(user), field="接口令牌", new=name)
    request.session["new_token"] = token
    messages.success(request, "令牌已创建。它只显示这一次，请立即复制保存。")
    return redirect("tokens")


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _user(request)
    token = get_object_or_404(ApiToken, pk=token_id, user=user)
    with transaction.atomic():
        token.revoked = True
        token.save(update_fields=["revoked"])
        record(user, AuditAction.token_revoked, _tokens_target(user), field="接口令牌", old=token.name, new="已吊销")
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("tokens")


class CaptchaAuthenticationForm(AuthenticationForm):
    """The sign-in form once an account or an address has failed too often: a 验证码 first. A wrong
    验证码 is refused before the password is even tried, so guessing gains nothing from the answer."""

    captcha = CaptchaField(label="验证码", error_messages={
        "invalid": "验证码不正确，请重新输入（看不清可换一张）", "required": "请输入图中的验证码"})

    def clean(self) -> dict[str, Any]:
        if "captcha" in self.errors:
            return self.cleaned_data
        return super().clean()


def recent_failures(username: str, ip: str) -> int:
    """Failed sign-ins within the lockout window, for the account or for the address (the larger)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    by_user = recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] if username else 0
    by_ip = recent.filter(ip_address=ip).aggregate(n=Sum("failures_since_start"))["n"] if ip else 0
    return max(by_user or 0, by_ip or 0)


class Login(auth_views.LoginView):
    """Sign-in; after ``CAPTCHA_AFTER`` failures (per account or address) it asks for a 验证码, and
    django-axes locks the account or address after ``AXES_FAILURE_LIMIT``."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def _username(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return str(source.get("username", "")).strip()[:150]

    def captcha_needed(self, username: str | None = None) -> bool:
        after = settings.CAPTCHA_AFTER
        if after <= 0:
            return False
        name = self._username() if username is None else username
        return recent_failures(name, client_ip(self.request) or "") >= after

    def get_form_class(self) -> Any:
        return CaptchaAuthenticationForm if self.captcha_needed() else AuthenticationForm

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "username": self._username()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if isinstance(context.get("form"), CaptchaAuthenticationForm):
            context["captcha_key"] = CaptchaStore.generate_key()
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        """A failure that reaches the limit shows the 验证码 at once (the username kept)."""
        if not isinstance(form, CaptchaAuthenticationForm) and self.captcha_needed():
            fresh = CaptchaAuthenticationForm(self.request, initial={"username": self._username()})
            return self.render_to_response(self.get_context_data(form=fresh, failed=True))
        return self.render_to_response(self.get_context_data(form=form, failed=True))


class PasswordChange(auth_views.PasswordChangeView):
    """Every user changes their own password (audited and tokens revoked by the signal)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改。原有的接口令牌已全部吊销，如需调用接口请重新创建。")
        return response


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' answer to a locked account or address: the Chinese sign-in page, 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/login.html", {
        "form": AuthenticationForm(request), "locked": True,
        "locked_message": f"登录失败次数过多，该账号或本机地址已被暂时锁定，请 {minutes} 分钟后再试，或联系系统管理员解锁。",
    }, status=429)

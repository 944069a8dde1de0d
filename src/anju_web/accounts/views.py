"""Sign-in page and the user's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anju_web.accounts.models import ApiToken
from anju_web.accounts.services import issue_token
from anju_web.audit.services import record
from anju_web.web import post_text


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # every view here is login_required
    return request.user


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/tokens.html", {
        "tokens": ApiToken.objects.filter(user=_user(request)).order_by("-created_at"),
        "new_token": request.session.pop("new_token", None),
    })


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    name = post_text(request, "name").strip()[:64] or "接口调用"
    with transaction.atomic():
        token = issue_token(request.user, name)
        record(request.user, "创建接口令牌", object_type="user", object_id=request.user.pk,
               object_label=request.user.get_username(), field="接口令牌", new=name)
    request.session["new_token"] = token
    messages.success(request, "令牌已创建。它只显示这一次，请立即复制保存。")
    return redirect("tokens")


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=_user(request))
    with transaction.atomic():
        token.revoked = True
        token.save(update_fields=["revoked"])
        record(request.user, "吊销接口令牌", object_type="user", object_id=request.user.pk,
               object_label=request.user.get_username(), field="接口令牌", old=token.name, new="已吊销")
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("tokens")

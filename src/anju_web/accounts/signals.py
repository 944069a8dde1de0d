"""Sign-ins, failed sign-ins, lockouts, sign-outs and password changes in the audit log (with the
client's IP address), and a changed password revoking the user's API tokens."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import pre_save

from anju_web.accounts.models import ApiToken, Profile
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import CLIENT_IP, CURRENT_USER, client_ip, record

USERNAME_CHARS = 150


def _target(user: Any, username: str = "") -> AuditTarget:
    if user is not None:
        return AuditTarget(AuditObject.user, user.pk, user.get_username())
    return AuditTarget(AuditObject.user, "", username[:USERNAME_CHARS] or "（未填用户名）")


def _record(request: Any, actor: Any, action: AuditAction, target: AuditTarget, **fields: Any) -> None:
    token = CLIENT_IP.set(client_ip(request) if request is not None else CLIENT_IP.get())
    try:
        with transaction.atomic():
            record(actor, action, target, **fields)
    finally:
        CLIENT_IP.reset(token)


def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record(request, user, AuditAction.logged_in, _target(user))


def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _record(request, user, AuditAction.logged_out, _target(user))


def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))
    known = User.objects.filter(username=username).first()
    _record(request, None, AuditAction.login_failed, _target(known, username), field="用户名", new=username[:USERNAME_CHARS])


def locked_out(sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any) -> None:
    known = User.objects.filter(username=username).first()
    _record(request, None, AuditAction.locked_out, _target(known, username), field="用户名",
            new=str(username)[:USERNAME_CHARS], note="连续登录失败次数达到上限，暂时锁定")


def password_saved(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    """A new password (changed by the user or reset by an administrator): audited, tokens revoked,
    and a reset one must be changed at the next sign-in."""
    if raw or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is None or old == instance.password:
        return
    actor = CURRENT_USER.get()
    own = actor is not None and getattr(actor, "pk", None) == instance.pk
    with transaction.atomic():
        revoked = ApiToken.objects.filter(user=instance, revoked=False).update(revoked=True)
        record(actor, AuditAction.password_changed if own else AuditAction.password_reset, _target(instance),
               field="密码", new="（已修改，不记录内容）", note=f"吊销接口令牌 {revoked} 个" if revoked else "")
        if not own and actor is not None:
            Profile.objects.filter(user=instance).update(must_change_password=True)
        elif own:
            Profile.objects.filter(user=instance).update(must_change_password=False)


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="anju_logged_in")
    user_logged_out.connect(logged_out, dispatch_uid="anju_logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="anju_login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="anju_locked_out")
    pre_save.connect(password_saved, sender=User, dispatch_uid="anju_password_saved")

"""Accounts as 等保 expects (review M4, M5, M6): lockout after failed logins (per account and per
address, django-axes), sign-in/out and failures audited with the IP, users change their own
password (complexity enforced; tokens revoked), a reset forces a change and revokes tokens, tokens
expire, and the administrator cannot give itself a role."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from anju_web.accounts.models import ApiToken, Profile
from anju_web.accounts.services import issue_token
from anju_web.audit.models import AuditAction, AuditEvent
from anju_web.demo import DEMO_PASSWORD

from .conftest import client_for, user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Anju-2023-New"


def _login(client: Client, username: str, password: str, ip: str = "10.1.2.3", captcha: str = "") -> int:
    """One sign-in (with a 验证码 answer when given: ignored while none is asked)."""
    data = {"username": username, "password": password}
    if captcha:
        data |= {"captcha_0": "test", "captcha_1": captcha}
    return client.post("/accounts/login/", data, REMOTE_ADDR=ip).status_code


def test_failed_logins_lock_the_account_and_are_audited_with_the_ip(captcha_test_mode):
    client = Client()
    for _ in range(4):
        assert _login(client, "evaluator-finance", "wrong", captcha=captcha_test_mode) == 200
    assert _login(client, "evaluator-finance", "wrong", captcha=captcha_test_mode) == 429  # the fifth failure locks
    locked = client.post("/accounts/login/", {"username": "evaluator-finance", "password": DEMO_PASSWORD,
                                              "captcha_0": "test", "captcha_1": captcha_test_mode},
                         REMOTE_ADDR="10.1.2.3")
    assert locked.status_code == 429
    assert "已被暂时锁定" in locked.content.decode()
    # from another address the account is still locked
    assert _login(Client(), "evaluator-finance", DEMO_PASSWORD, ip="10.9.9.9", captcha=captcha_test_mode) == 429
    failures = AuditEvent.objects.filter(action=AuditAction.login_failed, object_label="evaluator-finance")
    assert failures.count() >= 5 and {"10.1.2.3", "10.9.9.9"} == set(failures.values_list("ip", flat=True))
    assert AuditEvent.objects.filter(action=AuditAction.locked_out).exists()
    # another account from a clean address is unaffected
    assert _login(Client(), "supervisor", DEMO_PASSWORD, ip="10.5.5.5") == 302


def test_one_address_guessing_many_accounts_is_locked(captcha_test_mode):
    client = Client()
    for name in ("clerk-220122", "clerk-220182", "clerk-220100", "reviewer-220100", "reviewer-220200"):
        _login(client, name, "wrong", ip="10.7.7.7", captcha=captcha_test_mode)
    assert _login(client, "supervisor", DEMO_PASSWORD, ip="10.7.7.7", captcha=captcha_test_mode) == 429


def _captcha_answer(page: str) -> tuple[str, str]:
    """The 验证码 on a login page and its answer, as the person reading the image would type it."""
    from captcha.models import CaptchaStore

    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page)
    assert key, "no 验证码 on the page"
    return key.group(1), CaptchaStore.objects.get(hashkey=key.group(1)).response


def test_a_captcha_is_asked_after_two_failures_and_a_wrong_one_is_refused_before_the_password(settings):
    assert settings.CAPTCHA_AFTER == 2
    client = Client()
    first = client.post("/accounts/login/", {"username": "clerk-220182", "password": "wrong"}, REMOTE_ADDR="10.3.3.3")
    assert 'name="captcha_0"' not in first.content.decode()
    second = client.post("/accounts/login/", {"username": "clerk-220182", "password": "wrong"}, REMOTE_ADDR="10.3.3.3")
    page = second.content.decode()
    assert second.status_code == 200 and 'name="captcha_0"' in page and "验证码" in page
    assert 'value="clerk-220182"' in page
    key, answer = _captcha_answer(page)
    assert client.get(f"/captcha/image/{key}/").headers["Content-Type"] == "image/png"
    # the right password with a wrong 验证码 does not sign in, and is not counted as tried
    failures = AuditEvent.objects.filter(action=AuditAction.login_failed, object_label="clerk-220182").count()
    wrong = client.post("/accounts/login/", {"username": "clerk-220182", "password": DEMO_PASSWORD,
                                             "captcha_0": key, "captcha_1": "zzzz" if answer != "zzzz" else "yyyy"},
                        REMOTE_ADDR="10.3.3.3")
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.login_failed, object_label="clerk-220182").count() == failures
    # a 验证码 is good once only; a fresh one with its answer signs in
    key, answer = _captcha_answer(wrong.content.decode())
    ok = client.post("/accounts/login/", {"username": "clerk-220182", "password": DEMO_PASSWORD,
                                          "captcha_0": key, "captcha_1": answer.upper()}, REMOTE_ADDR="10.3.3.3")
    assert ok.status_code == 302
    # the count was reset by the success: no 验证码 on the next visit from that address
    assert 'name="captcha_0"' not in Client().get("/accounts/login/", REMOTE_ADDR="10.3.3.3").content.decode()


def test_the_captcha_threshold_is_configurable(settings):
    settings.CAPTCHA_AFTER = 0
    client = Client()
    for _ in range(3):
        page = client.post("/accounts/login/", {"username": "clerk-220100", "password": "wrong"}, REMOTE_ADDR="10.4.4.4")
        assert 'name="captcha_0"' not in page.content.decode()


def test_login_and_logout_are_audited_and_the_username_is_kept_after_a_failure():
    client = Client()
    page = client.post("/accounts/login/", {"username": "clerk-220122", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    assert 'value="clerk-220122"' in page.content.decode()
    assert _login(client, "clerk-220122", DEMO_PASSWORD, ip="10.1.1.1") == 302
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.1.1")
    actions = list(AuditEvent.objects.filter(object_label="clerk-220122", action__in=[
        AuditAction.logged_in, AuditAction.logged_out, AuditAction.login_failed]).order_by("pk").values_list("action", "ip"))
    assert actions == [(AuditAction.login_failed, "10.1.1.1"), (AuditAction.logged_in, "10.1.1.1"),
                       (AuditAction.logged_out, "10.1.1.1")]


def test_users_change_their_own_password_with_complexity_and_tokens_are_revoked():
    clerk = user("clerk-220122")
    token = issue_token(clerk, "对接")
    client = client_for("clerk-220122")
    assert client.get("/accounts/password/").status_code == 200
    weak = client.post("/accounts/password/", {"old_password": DEMO_PASSWORD, "new_password1": "abcdefghijk",
                                               "new_password2": "abcdefghijk"})
    assert weak.status_code == 200 and "三类" in weak.content.decode()
    ok = client.post("/accounts/password/", {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD,
                                             "new_password2": NEW_PASSWORD})
    assert ok.status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/me").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.password_changed)
    assert "吊销接口令牌 1 个" in event.note and NEW_PASSWORD not in event.new_value


def test_a_reset_by_the_administrator_revokes_tokens_and_forces_a_change():
    target = user("evaluator-housing")
    token = issue_token(target, "对接")
    admin = client_for("admin")
    response = admin.post(f"/admin/auth/user/{target.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                                                       "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ApiToken.objects.get(user=target).revoked
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/me").status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.password_reset, object_id=str(target.pk)).exists()
    assert Profile.objects.get(user=target).must_change_password
    client = Client()
    assert _login(client, "evaluator-housing", NEW_PASSWORD) == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/accounts/password/"


def test_tokens_expire():
    token = issue_token(user("clerk-220122"), "对接")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/me").status_code == 200
    ApiToken.objects.filter(user__username="clerk-220122").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/api/me").status_code == 401


def test_the_administrator_cannot_give_itself_a_role():
    admin_user = get_user_model().objects.get(username="admin")
    profile = Profile.objects.get(user=admin_user)
    client = client_for("admin")
    response = client.post(f"/admin/accounts/profile/{profile.pk}/change/", {
        "user": admin_user.pk, "role": "province_evaluator", "region": "220000", "department": "", "display_name": ""})
    assert response.status_code == 403
    profile.refresh_from_db()
    assert profile.role == "administrator"
    # another account's role it may still set (audited)
    other = Profile.objects.get(user__username="clerk-220182")
    assert client.get(f"/admin/accounts/profile/{other.pk}/change/").status_code == 200


def test_idle_sessions_are_signed_out(settings):
    settings.IDLE_TIMEOUT_SECONDS = 60
    client = client_for("clerk-220122")
    assert client.get("/").status_code == 302
    session = client.session
    session["anju_last_seen"] = int(timezone.now().timestamp()) - 120
    session.save()
    response = client.get("/cycles/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_new_data_directory_and_database_are_private(tmp_path):
    import os
    import subprocess
    import sys

    data = tmp_path / "data"
    env = {**os.environ, "ANJU_WEB_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "anju_web.settings"}
    env.pop("ANJU_WEB_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    env.pop("ANJU_WEB_SECRET_KEY", None)
    subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, check=True, timeout=60)
    assert (data.stat().st_mode & 0o777) == 0o700
    assert ((data / "anju-web.sqlite3").stat().st_mode & 0o777) == 0o600
    assert ((data / "secret_key").stat().st_mode & 0o777) == 0o600


def test_production_needs_an_absolute_data_directory(tmp_path):
    """Review m14: never a silent ./var of wherever the server started."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {
        "ANJU_WEB_DATA_DIR", "ANJU_WEB_DEBUG", "PYTEST_VERSION", "ANJU_WEB_DATABASE_URL", "DATABASE_URL"}}
    def run(**extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "anju_web", "check"], env={**env, **extra}, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60, check=False)

    missing = run()
    assert missing.returncode == 2 and "ANJU_WEB_DATA_DIR" in missing.stderr and "绝对路径" in missing.stderr
    assert "Traceback" not in missing.stderr and not (tmp_path / "var").exists()
    relative = run(ANJU_WEB_DATA_DIR="var")
    assert relative.returncode == 2 and "须为绝对路径" in relative.stderr and "“var”" in relative.stderr
    assert not (tmp_path / "var").exists()
    good = run(ANJU_WEB_DATA_DIR=str(tmp_path / "data"))
    assert good.returncode == 0, good.stderr
    assert (tmp_path / "data" / "anju-web.sqlite3").exists()
    # development (make serve) keeps its ./var
    dev = run(ANJU_WEB_DEBUG="1")
    assert dev.returncode == 0, dev.stderr
    assert (tmp_path / "var" / "anju-web.sqlite3").exists()


def _second_admin() -> Client:
    from anju_web.accounts.roles import Role
    from anju_web.accounts.services import create_user

    create_user("admin-2", NEW_PASSWORD, Role.administrator, None, display_name="第二管理员")
    client = Client()
    assert client.login(request=HttpRequest(), username="admin-2", password=NEW_PASSWORD)
    return client


def test_a_data_role_needs_a_second_administrator(cycle):
    """三员分立 (review M6): the administrator only asks; another administrator approves; the
    requester cannot approve its own request, and nobody changes its own role."""
    from anju_web.accounts.models import GrantStatus, RoleGrant

    admin = client_for("admin")
    target = Profile.objects.get(user__username="clerk-220182")
    response = admin.post(f"/admin/accounts/profile/{target.pk}/change/", {
        "user": target.user_id, "role": "province_evaluator", "region": "220000", "department": "吉林省财政厅",
        "display_name": "王芳"}, follow=True)
    assert response.status_code == 200 and "须由另一名系统管理员" in response.content.decode()
    target.refresh_from_db()
    assert target.role == "county_clerk"  # nothing changed yet
    grant = RoleGrant.objects.get(user=target.user, status=GrantStatus.pending)
    assert AuditEvent.objects.filter(action=AuditAction.role_requested, object_id=str(target.user_id)).exists()
    # the requester's own approval is refused
    admin.post("/admin/accounts/rolegrant/", {"action": "approve", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    target.refresh_from_db()
    assert grant.status == GrantStatus.pending and target.role == "county_clerk"
    # a second administrator approves: now it applies, audited with both names
    second = _second_admin()
    second.post("/admin/accounts/rolegrant/", {"action": "approve", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    target.refresh_from_db()
    assert grant.status == GrantStatus.approved and grant.decided_by.username == "admin-2"
    assert target.role == "province_evaluator" and target.region_id == "220000"
    event = AuditEvent.objects.get(action=AuditAction.role_approved, object_id=str(target.user_id))
    assert event.actor.username == "admin-2" and "admin" in event.note
    # a request cannot be decided twice; the new administrator cannot change its own role either
    second.post("/admin/accounts/rolegrant/", {"action": "reject", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.status == GrantStatus.approved
    own = Profile.objects.get(user__username="admin-2")
    assert second.post(f"/admin/accounts/profile/{own.pk}/change/", {
        "user": own.user_id, "role": "province_evaluator", "region": "220000", "department": "",
        "display_name": ""}).status_code == 403
    own.refresh_from_db()
    assert own.role == "administrator"


def test_a_new_account_gets_a_data_role_only_through_a_request(cycle):
    from anju_web.accounts.models import GrantStatus, RoleGrant

    newcomer = get_user_model().objects.create_user("clerk-new", password=NEW_PASSWORD)
    admin = client_for("admin")
    direct = admin.post("/admin/accounts/profile/add/", {"user": newcomer.pk, "role": "county_clerk", "region": "220122",
                                                        "department": "", "display_name": ""})
    assert direct.status_code == 200 and "角色授予申请" in direct.content.decode()
    assert not Profile.objects.filter(user=newcomer).exists()
    asked = admin.post("/admin/accounts/rolegrant/add/", {"user": newcomer.pk, "role": "county_clerk", "region": "220122",
                                                          "department": "农安县财政局", "display_name": "新人"})
    assert asked.status_code == 302, asked.content.decode()[:3000]
    grant = RoleGrant.objects.get(user=newcomer)
    assert grant.status == GrantStatus.pending and grant.requested_by.username == "admin"
    assert not Profile.objects.filter(user=newcomer).exists()
    _second_admin().post("/admin/accounts/rolegrant/", {"action": "reject", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.status == GrantStatus.rejected and not Profile.objects.filter(user=newcomer).exists()
    assert AuditEvent.objects.filter(action=AuditAction.role_rejected).exists()


def test_the_administrator_cannot_change_scores_even_as_superuser(cycle):
    import json

    admin_user = get_user_model().objects.get(username="admin")
    admin_user.is_superuser = True
    admin_user.save()
    token = issue_token(admin_user, "运维")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    judgement = api.get(f"/api/cycles/{cycle.pk}/judgements").json()[0]
    response = api.put(f"/api/cycles/{cycle.pk}/judgements/{judgement['program']}/{judgement['item_path']}",
                       data=json.dumps({"version": judgement["version"], "points": "0", "reason": "管理员自行改分"}),
                       content_type="application/json")
    assert response.status_code == 403 and "三员分立" in response.json()["detail"]
    assert api.post(f"/api/cycles/{cycle.pk}/evaluations").status_code == 403
    # a province evaluator still may
    evaluator = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user('evaluator-finance'), '对接')}")
    assert evaluator.post(f"/api/cycles/{cycle.pk}/evaluations").status_code == 201

"""Pages render in Chinese, static assets are served by the application itself (no CDN), the
demo loader prints the logins, the region tree has Jilin's 48 reporting units."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from anju_web.regions.models import Level, Region

from .conftest import client_for, unit

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "anju_web"
VENDOR = {
    "echarts.min.js": "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0",
    "htmx.min.js": "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717",
}


def test_vendored_libraries_are_the_recorded_ones():
    for name, digest in VENDOR.items():
        path = finders.find(f"anju_web/vendor/{name}")
        assert path, name
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest
        assert digest in (PACKAGE / "static" / "anju_web" / "vendor" / "VENDOR.md").read_text(encoding="utf-8")


def test_no_template_loads_anything_from_another_host():
    for template in (PACKAGE / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), template


def test_dashboard_uses_local_echarts(client, cycle):
    page = client_for("evaluator-finance").get(f"/cycles/{cycle.pk}/dashboard/").content.decode()
    assert '/static/anju_web/vendor/echarts.min.js' in page
    assert 'id="score-data"' in page and "城市棚户区改造" in page
    assert client.get("/static/anju_web/vendor/echarts.min.js").status_code == 200


def test_pages_are_chinese(cycle):
    page = client_for("clerk-220122").get(f"/submissions/{unit(cycle, '220122').pk}/").content.decode()
    assert '<html lang="zh-Hans">' in page
    for text in ["农安县", "保存并校验", "中央财政资金", "不适用", "万元", "草稿"]:
        assert text in page
    login = client_for("clerk-220122")
    login.logout()
    assert "用户名" in login.get("/accounts/login/").content.decode()


def test_figure_form_shows_errors_next_to_fields_and_keeps_input(cycle):
    client = client_for("clerk-220122")
    sub = unit(cycle, "220122")
    response = client.post(f"/submissions/{sub.pk}/save/", {"version": sub.version, "f-rental-violations": "1.5",
                                                             "f-rental-total_funds": "100"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "本次未保存任何数据" in page and "应为整数" in page and 'value="100"' in page


def test_region_tree_has_the_48_units(cycle):
    jilin = Region.objects.filter(code__startswith="22")
    units = [r for r in jilin.exclude(level=Level.province) if r.reports and r.valid_in(2022)]
    assert len(units) == 48
    assert cycle.submissions.count() == 48
    assert not cycle.submissions.filter(region__pk="220381").exists()  # 公主岭市's code before 2020
    assert jilin.filter(level=Level.prefecture).count() == 9
    assert Region.objects.filter(level=Level.province).count() == 32  # 31 provinces and the 兵团 (+ 5 计划单列市)
    assert Region.objects.get(pk="220122").parent_id == "220100"
    assert Region.objects.get(pk="220100").display_name == "长春市（市本级及市辖区）"
    assert Region.objects.get(pk="222424").name == "汪清县"


def test_load_demo_prints_the_logins_in_chinese():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "演示数据已存在" in text
    for expected in ["访问地址：http://127.0.0.1:8000/", "clerk-220122", "市县填报员", "地级市审核员", "省级评价员",
                     "监管局审核员", "系统管理员", "anju-demo-2022"]:
        assert expected in text


def test_demo_accounts_change_their_password_at_first_login_unless_kept():
    """Review M5: the shared demo password is changed at the first sign-in by default;
    ``--keep-demo-password`` keeps it usable for automated tests and demo scripts."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from anju_web.accounts.models import Profile
    from anju_web.demo import DEMO_PASSWORD

    get_user_model().objects.filter(username="clerk-220182").update(username="clerk-220182-earlier")
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "首次登录须先修改密码" in out.getvalue()
    assert Profile.objects.get(user__username="clerk-220182").must_change_password
    client = Client()
    assert client.post("/accounts/login/", {"username": "clerk-220182", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/")["Location"] == "/accounts/password/"
    get_user_model().objects.filter(username="clerk-220182").update(username="clerk-220182-second")
    call_command("load_demo", "--keep-demo-password", stdout=io.StringIO())
    assert not Profile.objects.get(user__username="clerk-220182").must_change_password

"""The national dashboard in a real browser: 财政部 logs in and sees the 37 regions ranked."""

from __future__ import annotations

from typing import Any

import pytest

from anju_web.demo import DEMO_PASSWORD
from anju_web.national.services import load_national

from .conftest import ROOT
from .test_browser import CHROMIUM, Session, browser  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="未安装 Debian 的 chromium（运行 make sysdeps 安装）"),
]


@pytest.mark.django_db(transaction=True)
def test_mof_sees_37_regions_on_the_national_dashboard(live_server: Any, browser: Any) -> None:  # noqa: F811
    load_national(ROOT / "examples" / "national-2022", DEMO_PASSWORD)
    mof = Session(browser, live_server.url, "mof")
    page = mof.page
    page.click("[data-testid=nav-national]")
    page.wait_for_load_state("networkidle")
    assert "全国看板" in page.inner_text("h1")
    rows = page.locator("[data-testid=national-ranking] [data-testid=national-row]")
    assert rows.count() == 37
    first = rows.nth(0).inner_text()
    assert first.split()[0] == "1"
    jilin = page.locator("[data-testid=national-row][data-code='220000']").inner_text()
    assert "吉林省" in jilin and "88" in jilin and "85" in jilin and "93" in jilin
    assert page.locator("[data-testid=national-row][data-code='660000']").count() == 1
    mof.shot("national-dashboard")
    mof.close()

    clerk = Session(browser, live_server.url, "clerk-220122")
    assert clerk.page.locator("[data-testid=nav-national]").count() == 0
    assert clerk.goto("/national/").locator("[data-testid=national-row]").count() == 0
    clerk.close()

"""The 操作手册's screenshots, taken by a real browser against the live example so they never go stale.

Every picture the manuals show (``![…](图片名.png)``) must be taken here, in this run; a manual that
refers to a screen this test does not visit fails. ``make manual`` runs this test with
``ANJU_MANUAL_SHOTS`` pointing at the packaged image folder and then builds the PDF; otherwise the
pictures go to a temporary folder and are only checked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from anju_web.demo import DEMO_PASSWORD
from anju_web.help.manuals import MANUALS, referenced_images
from anju_web.national.services import load_national
from anju_web.submissions.models import Cycle, Submission

from .conftest import ROOT, load_everything
from .test_browser import CHROMIUM, Session, browser  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="未安装 Debian 的 chromium（运行 make sysdeps-browser 安装）"),
]


class Camera:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: set[str] = set()

    def __call__(self, session: Session, path: str, name: str, *, wait: str | None = None, full: bool = False) -> None:
        page = session.goto(path)
        if wait:
            page.wait_for_selector(wait)
            page.wait_for_timeout(500)  # charts animate
        assert page.locator("text=Traceback").count() == 0
        page.screenshot(path=str(self.folder / name), full_page=full)
        self.taken.add(name)


@pytest.mark.django_db(transaction=True)
def test_manual_screenshots(live_server: Any, browser: Any, tmp_path: Path) -> None:  # noqa: F811, PLR0915 - one tour of every role
    if not Cycle.objects.exists():
        load_everything()
    folder = Path(os.environ.get("ANJU_MANUAL_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    camera = Camera(folder)
    cycle = Cycle.objects.get(year=2022)
    c = cycle.pk
    sub = Submission.objects.get(cycle=cycle, region__pk="220122")
    base = live_server.url

    login = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
    login.goto(f"{base}/accounts/login/")
    login.screenshot(path=str(folder / "登录.png"))
    camera.taken.add("登录.png")
    login.context.close()

    clerk = Session(browser, base, "clerk-220122")
    camera(clerk, f"/cycles/{c}/todo/", "待办填报员.png")
    camera(clerk, f"/submissions/{sub.pk}/", "填报表.png")
    camera(clerk, f"/cycles/{c}/evidence/", "佐证材料.png")
    camera(clerk, f"/cycles/{c}/performance/mine/", "执行监控填报.png")
    camera(clerk, "/accounts/password/", "修改密码.png")
    camera(clerk, "/help/", "帮助.png")
    clerk.close()

    reviewer = Session(browser, base, "reviewer-220100")
    camera(reviewer, f"/cycles/{c}/todo/", "待办审核员.png")
    camera(reviewer, f"/cycles/{c}/board/", "报送情况.png", wait="#completion-chart[data-rendered=true]")
    camera(reviewer, f"/submissions/{sub.pk}/", "审核填报表.png")
    reviewer.close()

    province = Session(browser, base, "evaluator-finance")
    camera(province, f"/cycles/{c}/todo/", "待办省级.png")
    camera(province, f"/cycles/{c}/dashboard/", "统计图表.png", wait="[data-chart=scores][data-rendered=true]")
    camera(province, "/cycles/", "评价年度.png")
    camera(province, "/cycles/new/", "开启新年度.png")
    camera(province, f"/cycles/{c}/judgements/", "评价判断.png")
    camera(province, f"/cycles/{c}/evaluation/", "评价计分.png")
    camera(province, f"/cycles/{c}/documents/", "文书下载.png")
    camera(province, f"/cycles/{c}/performance/", "绩效目标与监控.png")
    camera(province, f"/cycles/{c}/allocations/", "资金分配.png")
    camera(province, f"/cycles/{c}/document-audits/", "说明材料核查.png")
    camera(province, "/frameworks/", "指标体系.png")
    province.close()

    bureau = Session(browser, base, "supervisor")
    camera(bureau, f"/cycles/{c}/evaluation/", "监管局评价页.png")
    camera(bureau, "/audit/", "审计日志.png")
    bureau.close()

    admin = Session(browser, base, "admin")
    camera(admin, "/admin/", "系统管理.png")
    camera(admin, "/accounts/tokens/", "接口令牌.png")
    admin.close()

    load_national(ROOT / "examples" / "national-2022", DEMO_PASSWORD)
    national = Session(browser, base, "mof")
    camera(national, "/national/", "全国看板.png")
    national.close()

    wanted = {name for manual in MANUALS for name in referenced_images(manual)}
    assert wanted, "手册中没有截图"
    missing = sorted(wanted - camera.taken)
    assert not missing, f"手册引用了本测试没有拍摄的截图：{missing}"
    for name in wanted:
        assert (folder / name).stat().st_size > 8_000, name

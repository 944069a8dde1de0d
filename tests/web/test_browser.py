"""The whole cycle in a real browser: Playwright driving Debian's chromium against a live server.

A county clerk fills, meets a validation error, fixes it and submits; the prefecture returns one
item with a reason; the clerk fixes it, answers in the thread and resubmits; the prefecture
accepts; the province approves, judges, scores and downloads the score table whose totals match
the page; the supervision bureau proposes an adjustment and comments. Screenshots of the main
pages are written to out/screenshots/.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from anju_web.audit.models import AuditEvent, AuditObject
from anju_web.demo import DEMO_PASSWORD
from anju_web.reviews.models import Comment, ScoreAdjustment
from anju_web.submissions.models import Cycle, Status, Submission

from .conftest import ROOT, load_everything
from .test_evaluation import docx_totals

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "out" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="未安装 Debian 的 chromium（运行 make sysdeps 安装）"),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself (assertions) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            yield instance
        finally:
            instance.close()


class Session:
    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}, accept_downloads=True)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.base = base
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def goto(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)

    def close(self) -> None:
        self.context.close()


def status_text(page: Any) -> str:
    return str(page.text_content("[data-testid=status]")).strip()


@pytest.mark.django_db(transaction=True)
def test_whole_cycle_in_the_browser(live_server: Any, browser: Any) -> None:  # noqa: PLR0915 - one story, step by step
    if not Cycle.objects.exists():
        load_everything()
    cycle = Cycle.objects.get(year=2022)
    sub = Submission.objects.get(cycle=cycle, region__pk="220122")
    base = live_server.url

    # 1. The county clerk logs in, lands on the unit's form, fills it with one inconsistency.
    login = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    login.goto(f"{base}/accounts/login/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    login.screenshot(path=str(SHOTS / "01-login.png"))
    login.context.close()
    clerk = Session(browser, base, "clerk-220122")
    page = clerk.page
    assert page.url.endswith(f"/submissions/{sub.pk}/")
    assert "农安县" in page.inner_text("h1") and status_text(page) == "草稿"
    # The unit's draft already holds its figures (from the example); the clerk corrects one wrongly.
    total = page.input_value("#f-rental-total_funds")
    page.fill("#f-rental-total_funds", str(Decimal(total) + 100))
    clerk.shot("02-filling")
    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    errors = page.inner_text("[data-testid=errors]")
    assert "全部财政资金等于中央财政资金与市县安排财政资金之和" in errors
    page.locator("[data-testid=errors]").scroll_into_view_if_needed()
    clerk.shot("03-validation-error")
    page.click("[data-testid=do-submit]")
    page.wait_for_load_state("networkidle")
    assert "错误须先改正" in page.inner_text(".messages") and status_text(page) == "草稿"

    # 2. The clerk fixes the figure and submits.
    page.fill("#f-rental-total_funds", total)
    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    assert "校验通过" in page.inner_text(".validation")
    page.click("[data-testid=do-submit]")
    page.wait_for_load_state("networkidle")
    assert status_text(page) == "已提交"
    clerk.shot("04-submitted")

    # 3. The prefecture reviewer sees the board and returns one item with a reason.
    reviewer = Session(browser, base, "reviewer-220100")
    rpage = reviewer.page
    assert "/board/" in rpage.url
    assert "农安县" in rpage.inner_text("[data-testid=board]")
    assert rpage.locator("#completion-chart[data-rendered=true]").count() == 1
    reviewer.shot("05-board")
    reviewer.goto(f"/submissions/{sub.pk}/")
    rpage.click("summary:has-text('退回')")
    rpage.select_option("select[name=return-item-0]", "rental:subsidy_paid")
    rpage.fill("input[name=return-reason-0]", "租赁补贴户数与发放台账不符，请核对")
    reviewer.shot("06-return")
    rpage.click("[data-testid=return-form] button[type=submit]")
    rpage.wait_for_load_state("networkidle")
    assert status_text(rpage) == "已退回"

    # 4. The clerk sees the return, fixes the figure, answers in the thread (htmx) and resubmits.
    clerk.goto(f"/submissions/{sub.pk}/")
    assert "租赁补贴户数与发放台账不符" in page.inner_text(".threads")
    paid = page.input_value("#f-rental-subsidy_paid")
    page.fill("#f-rental-subsidy_paid", str(Decimal(paid) - 1))
    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    page.fill("input[aria-label=回复退回项]", "已按发放台账更正，减少1户")
    page.click(".threads button[type=submit]")
    page.wait_for_selector("text=已按发放台账更正，减少1户")
    clerk.shot("07-return-thread")
    page.click("[data-testid=do-submit]")
    page.wait_for_load_state("networkidle")
    assert status_text(page) == "已提交"

    # 5. The prefecture accepts.
    reviewer.goto(f"/submissions/{sub.pk}/")
    rpage.click("[data-testid=do-accept]")
    rpage.wait_for_load_state("networkidle")
    assert status_text(rpage) == "地级市已审核"

    # 6. The province approves, judges (the engine refuses a cut without a reason), scores, downloads.
    province = Session(browser, base, "evaluator-finance")
    ppage = province.page
    province.goto(f"/submissions/{sub.pk}/")
    ppage.click("[data-testid=do-approve]")
    ppage.wait_for_load_state("networkidle")
    assert status_text(ppage) == "省级已审定"
    province.goto(f"/cycles/{cycle.pk}/judgements/")
    judge = ppage.locator("#judge-renovation--outputs-policies")
    judge.locator("input[name=points]").fill("1")
    judge.locator("textarea[name=reason]").fill("")
    judge.locator("button:has-text('保存判断')").click()
    ppage.wait_for_selector("#judge-renovation--outputs-policies .field-error")
    assert "理由" in ppage.inner_text("#judge-renovation--outputs-policies .field-error")
    judge = ppage.locator("#judge-renovation--outputs-policies")
    judge.scroll_into_view_if_needed()
    province.shot("08-judgement-refused")
    judge.locator("textarea[name=reason]").fill("配套政策制度尚未覆盖全部改造城市")
    judge.locator("button:has-text('保存判断')").click()
    ppage.wait_for_selector("#judge-renovation--outputs-policies .badge.ok")
    province.goto(f"/cycles/{cycle.pk}/evaluation/")
    ppage.click("[data-testid=run-evaluation]")
    ppage.wait_for_load_state("networkidle")
    assert "评价完成" in ppage.inner_text(".messages")
    page_totals = {
        pid: Decimal(ppage.inner_text(f"[data-testid=totals] td.score[data-program={pid}]").strip())
        for pid in ("rental", "renovation", "shantytown")
    }
    assert page_totals["renovation"] == Decimal(84)  # 85 less the point the judgement took
    province.shot("09-evaluation")
    province.goto(f"/cycles/{cycle.pk}/documents/")
    province.shot("10-documents")
    with ppage.expect_download() as download_info:
        ppage.click("[data-testid=doc-explanation]")
    text = "\n".join(p.text for p in docx.Document(download_info.value.path()).paragraphs)
    labels = {"rental": "住房租赁保障", "renovation": "城镇老旧小区改造", "shantytown": "城市棚户区改造"}
    assert docx_totals(text) == {labels[pid]: score for pid, score in page_totals.items()}
    with ppage.expect_download() as download_info:
        ppage.click("[data-testid=doc-score-table]")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()), data_only=True)
    # the sendable 附件5: one sheet per program ending in its 合计 row (as test_evaluation reads it)
    totals = {ws.title: Decimal(str(row[2])) for ws in workbook.worksheets
              for row in ws.iter_rows(values_only=True) if row[0] == "合计"}
    assert totals == {labels[pid]: score for pid, score in page_totals.items()}
    province.goto(f"/cycles/{cycle.pk}/dashboard/")
    ppage.wait_for_selector("[data-chart=scores][data-rendered=true]")
    ppage.wait_for_timeout(600)  # let the chart animation finish before the screenshot
    province.shot("11-dashboard")

    # 7. The supervision bureau proposes an adjustment beside the self-evaluation and comments.
    bureau = Session(browser, base, "supervisor")
    bpage = bureau.page
    bureau.goto(f"/cycles/{cycle.pk}/evaluation/")
    assert bpage.locator("[data-testid=run-evaluation]").count() == 0
    form = bpage.locator("[data-testid=adjust-form]")
    form.locator("select[name=item]").select_option("renovation:outputs.policies")
    form.locator("input[name=proposed]").fill("0")
    form.locator("textarea[name=reason]").fill("抽查3个城市未见工程计价、招投标配套文件，建议不得分")
    form.locator("button[type=submit]").click()
    bpage.wait_for_load_state("networkidle")
    adjustment = bpage.locator("[data-testid=adjustment]").first
    assert "建议不得分" in adjustment.inner_text() and "自评 1" in adjustment.inner_text()
    comment = bpage.locator("[data-testid=comment-form]")
    comment.locator("textarea[name=text]").fill("请补充老旧小区改造预算执行率的计算口径说明")
    comment.locator("button[type=submit]").click()
    bpage.wait_for_load_state("networkidle")
    assert "计算口径说明" in bpage.inner_text("[data-testid=comments]")
    adjustment.scroll_into_view_if_needed()
    bureau.shot("12-supervision-adjustment")
    bureau.goto("/audit/")
    bureau.shot("13-audit-log")

    for session in (clerk, reviewer, province, bureau):
        session.close()

    # What the browser did is in the database and in the audit log.
    sub.refresh_from_db()
    assert sub.status == Status.approved
    assert ScoreAdjustment.objects.filter(author__username="supervisor").count() == 1
    assert Comment.objects.filter(author__username="supervisor").count() == 1
    actions = [e.get_action_display() for e in AuditEvent.objects.filter(object_type=AuditObject.submission,
                                                                         object_id=str(sub.pk)).order_by("at", "pk")]
    assert actions == ["提交", "退回", "提交", "审核通过", "审定"]
    assert AuditEvent.objects.filter(object_type=AuditObject.score, field="得分", new_value="1",
                                     object_label__endswith="城镇老旧小区改造 › 产出效益 › 完善配套政策制度").exists()
    for name in ("01-login", "03-validation-error", "05-board", "09-evaluation", "11-dashboard", "12-supervision-adjustment"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000

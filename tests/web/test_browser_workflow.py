"""The workflow additions in a real browser: the clerk withdraws a submission (after confirming) and
submits again; the prefecture reviewer opens 待办 from the menu, selects every unit with 全选 and
accepts them in one batch with one 审核意见; the province sees them in its 待办."""

from __future__ import annotations

from typing import Any

import pytest

from anju_web.audit.models import AuditAction, AuditEvent
from anju_web.submissions.models import Cycle, Status, Submission

from .conftest import load_everything
from .test_browser import CHROMIUM, Session, browser, status_text  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="未安装 Debian 的 chromium（运行 make sysdeps 安装）"),
]


@pytest.mark.django_db(transaction=True)
def test_withdraw_and_batch_accept_in_the_browser(live_server: Any, browser: Any) -> None:  # noqa: F811
    if not Cycle.objects.exists():
        load_everything()
    cycle = Cycle.objects.get(year=2022)
    base = live_server.url

    clerk = Session(browser, base, "clerk-220122")
    page = clerk.page
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.click("[data-testid=do-submit]")
    page.wait_for_load_state("networkidle")
    assert status_text(page) == "已提交"
    page.click("[data-testid=do-withdraw]")
    page.wait_for_load_state("networkidle")
    assert any("撤回" in d for d in dialogs)
    assert status_text(page) == "草稿" and "已撤回提交" in page.inner_text(".messages")
    page.click("[data-testid=do-submit]")
    page.wait_for_load_state("networkidle")
    assert status_text(page) == "已提交"
    clerk.shot("95-clerk-withdrawn-resubmitted")
    clerk.close()

    reviewer = Session(browser, base, "reviewer-220100")
    rpage = reviewer.page
    rpage.on("dialog", lambda dialog: dialog.accept())
    assert "3" in rpage.inner_text("[data-testid=nav-todo]")  # 农安县, 德惠市, 公主岭市
    rpage.click("[data-testid=nav-todo]")
    rpage.wait_for_load_state("networkidle")
    form = rpage.locator("[data-testid=batch-accept]")
    form.locator("[data-check-all]").check()
    assert form.locator("input[name=submission]:checked").count() == 3
    form.locator("input[name=reason]").fill("经核对台账，同意上报")
    reviewer.shot("96-reviewer-batch")
    form.locator("button[type=submit]").click()
    rpage.wait_for_load_state("networkidle")
    assert "已审核通过 3 个单位" in rpage.inner_text(".messages")
    assert rpage.locator("[data-testid=todo-review]").count() == 0
    reviewer.close()
    accepted = Submission.objects.filter(cycle=cycle, region__pk__in=["220122", "220183", "220184"])
    assert {s.status for s in accepted} == {Status.accepted}
    assert AuditEvent.objects.filter(action=AuditAction.accepted, note="经核对台账，同意上报").count() == 3

    province = Session(browser, base, "evaluator-finance")
    province.goto(f"/cycles/{cycle.pk}/todo/")
    approve = province.page.inner_text("[data-testid=todo-approve]")
    assert all(name in approve for name in ("农安县", "德惠市", "公主岭市", "永吉县", "蛟河市"))
    province.shot("97-province-todo")
    province.close()

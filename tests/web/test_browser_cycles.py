"""A second year in a real browser (issue 16, done-when): the province opens 2023 from 2022 on the
page, the 农安县 clerk fills the unit from the last-year column the form shows beside each row and
submits, the prefecture accepts, the province approves, scores and signs (审定) the year. The other
units' 2023 reports are stored directly (their last year's figures, approved) so the year can be
signed; 2022 stays as it was and is archived read-only at the end.
"""

from __future__ import annotations

from typing import Any

import pytest

from anju_web.audit.models import AuditAction, AuditEvent
from anju_web.reviews.cycles import load_report
from anju_web.submissions.models import Cycle, Status, Submission
from anju_web.submissions.units import baseline_report

from .conftest import load_everything
from .test_browser import CHROMIUM, SHOTS, Session, browser, status_text  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="未安装 Debian 的 chromium（运行 make sysdeps 安装）"),
]


def _fill_from_last_year(page: Any) -> int:
    """Type each row's last-year value (as the page shows it) into the row; returns rows filled."""
    filled = 0
    for cell in page.locator("[data-testid^=last-]").all():
        key = str(cell.get_attribute("data-testid"))[len("last-"):]
        shown = cell.inner_text().strip()
        if shown == "—":
            continue
        name = f"f-{key}"
        field = page.locator(f"[name='{name}']")
        if shown == "不适用":
            page.check(f"[name='na-{key}']")
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(shown)
        else:
            field.fill(shown)
        filled += 1
    return filled


@pytest.mark.django_db(transaction=True)
def test_open_2023_from_2022_fill_with_last_year_and_sign(live_server: Any, browser: Any) -> None:  # noqa: F811, PLR0915
    if not Cycle.objects.exists():
        load_everything()
    old = Cycle.objects.get(year=2022)
    base = live_server.url

    # 1. The province opens 2023 from the 评价年度 page, copying everything from 2022.
    province = Session(browser, base, "evaluator-finance")
    ppage = province.page
    province.goto("/cycles/")
    ppage.click("[data-testid=open-cycle]")
    ppage.wait_for_load_state("networkidle")
    form = ppage.locator("[data-testid=new-cycle-form]")
    assert form.locator("input[name=year]").input_value() == "2023"
    assert form.locator("select[name=previous]").input_value() == str(old.pk)
    form.locator("input[name=deadline]").fill("2024-01-31")
    province.shot("20-open-cycle-form")
    form.locator("[data-testid=open-cycle-submit]").click()
    ppage.wait_for_load_state("networkidle")
    assert "已开启吉林省2023年度" in ppage.inner_text(".messages")
    assert "2023年度" in ppage.inner_text("[data-testid=nav-cycles]")
    new = Cycle.objects.get(year=2023)
    assert ppage.url.endswith(f"/cycles/{new.pk}/board/")
    province.shot("21-board-2023")

    # 2. The clerk lands on 2023, sees last year's figures beside each row, fills from them, submits.
    clerk = Session(browser, base, "clerk-220122")
    page = clerk.page
    sub = Submission.objects.get(cycle=new, region__pk="220122")
    assert page.url.endswith(f"/submissions/{sub.pk}/")
    assert "2023" in page.inner_text("h1") and status_text(page) == "草稿"
    assert page.locator("th:has-text('上年')").count() >= 3
    last_total = page.inner_text("[data-testid=last-rental-total_funds]").strip()
    assert last_total and last_total != "—"
    assert page.input_value("#f-rental-total_funds") == ""
    filled = _fill_from_last_year(page)
    assert filled > 30
    page.locator("#f-rental-total_funds").scroll_into_view_if_needed()
    clerk.shot("22-fill-with-last-year")
    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    assert "校验通过" in page.inner_text(".validation"), page.inner_text(".validation")
    assert page.input_value("#f-rental-total_funds") == last_total
    page.click("[data-testid=do-submit]")
    page.wait_for_load_state("networkidle")
    assert status_text(page) == "已提交"

    # 3. The prefecture accepts; the province approves.
    reviewer = Session(browser, base, "reviewer-220100")
    reviewer.goto(f"/submissions/{sub.pk}/")
    reviewer.page.click("[data-testid=do-accept]")
    reviewer.page.wait_for_load_state("networkidle")
    assert status_text(reviewer.page) == "地级市已审核"
    province.goto(f"/submissions/{sub.pk}/")
    ppage.click("[data-testid=do-approve]")
    ppage.wait_for_load_state("networkidle")
    assert status_text(ppage) == "省级已审定"

    # The other units report their 2022 figures for 2023 and are approved (stored directly).
    for other in Submission.objects.filter(cycle=new).exclude(pk=sub.pk).select_related("cycle", "region"):
        report = baseline_report(other)
        assert report is not None, other
        load_report(other, report, "测试：沿用上年数据", Status.approved)

    # 4. The province scores 2023 and signs it.
    province.goto(f"/cycles/{new.pk}/evaluation/")
    ppage.click("[data-testid=run-evaluation]")
    ppage.wait_for_load_state("networkidle")
    assert "评价完成" in ppage.inner_text(".messages")
    province.shot("23-evaluation-2023")
    ppage.on("dialog", lambda dialog: dialog.accept())
    ppage.click("button:has-text('审定评价结果')")
    ppage.wait_for_load_state("networkidle")
    new.refresh_from_db()
    assert new.signed_at is not None, ppage.inner_text(".messages")
    assert Submission.objects.filter(cycle=new).exclude(status=Status.locked).count() == 0
    province.shot("24-signed-2023")

    # 5. 2022 is untouched by all this, and is archived read-only from the list.
    assert Submission.objects.get(cycle=old, region__pk="220122").status == Status.draft
    province.goto("/cycles/")
    ppage.click(f"[data-testid=archive-{old.year}]")
    ppage.wait_for_load_state("networkidle")
    assert "已归档" in ppage.inner_text("[data-testid=cycle-list]")
    province.shot("25-cycles-archived")
    clerk.goto("/cycles/")
    clerk.page.click("[data-testid=choose-2022]")
    clerk.page.wait_for_load_state("networkidle")
    assert "已切换到吉林省2022年度（已归档，只能查看）" in clerk.page.inner_text(".messages")
    assert clerk.page.locator("#figure-form").count() == 0
    clerk.shot("26-archived-read-only")
    for session in (clerk, reviewer, province):
        session.close()
    assert AuditEvent.objects.filter(action=AuditAction.cycle_opened, cycle_id=new.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.cycle_archived, cycle_id=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_submit_with_unsaved_edits_saves_first_in_the_browser(live_server: Any, browser: Any) -> None:  # noqa: F811
    if not Cycle.objects.exists():
        load_everything()
    cycle = Cycle.objects.filter(archived_at__isnull=True).order_by("-year").first()
    assert cycle is not None
    sub = Submission.objects.get(cycle=cycle, region__pk="220122")
    clerk = Session(browser, live_server.url, "clerk-220122")
    page = clerk.goto(f"/submissions/{sub.pk}/")
    if page.locator("#figure-form").count() == 0:
        pytest.fail("农安县的填报不在可修改状态")
    page.fill("#f-rental-violations", "0")
    page.fill("input[name=note-rental-violations]", "浏览器中未保存就提交")
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.click("[data-testid=do-submit]")
    page.wait_for_load_state("networkidle")
    assert dialogs and "尚未保存的修改" in dialogs[0]
    assert "已先保存您的修改" in page.inner_text(".messages")
    clerk.shot("27-save-then-submit")
    entry = sub.entries.get(program="rental", figure_id="violations")
    assert entry.explanation == "浏览器中未保存就提交"
    # Layout (review m7): at 1024 px and on a phone the menu stays inside the bar, no link breaks per character.
    for width, name in ((1024, "28-menu-1024"), (390, "29-menu-phone")):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(200)
        bar = page.locator("header.topbar").bounding_box()
        assert bar is not None
        for link in page.locator("header.topbar a").all():
            box = link.bounding_box()
            assert box is not None
            assert box["y"] + box["height"] <= bar["y"] + bar["height"] + 1, (width, link.inner_text())
            assert box["height"] < 30, (width, link.inner_text(), box)  # one line, not one character per line
        clerk.shot(name)
    clerk.close()

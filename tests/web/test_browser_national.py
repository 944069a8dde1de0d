"""The national dashboard in a real browser: 财政部 logs in and sees the 37 regions ranked."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
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


@pytest.mark.django_db(transaction=True)
def test_mof_runs_the_national_evaluation_and_the_central_allocation(live_server: Any, browser: Any,  # noqa: F811
                                                                     settings: Any) -> None:
    """From the 全国看板: the national run's button (no queue here: the job runs in the request and its
    page shows the full progress bar and each region's outcome), then the central allocation, whose
    amounts the dashboard then shows for all 37 regions. 住建部 sees neither button."""
    settings.ANJU_REDIS_URL = ""
    load_national(ROOT / "examples" / "national-2022", DEMO_PASSWORD)
    mof = Session(browser, live_server.url, "mof")
    page = mof.goto("/national/")
    assert page.locator("[data-testid=national-ranking] [data-testid=national-row]").count() == 37
    page.set_default_timeout(120_000)
    page.click("[data-testid=national-run] button")
    page.wait_for_url(f"{live_server.url}/jobs/*/")
    assert page.inner_text("[data-testid=job-state]") == "已完成"
    assert page.get_attribute("progress", "value") == page.get_attribute("progress", "max") == "37"
    summary = page.inner_text("[data-testid=job-summary]")
    assert summary.startswith("2022年度全国评价：37 个地区"), summary
    assert page.locator("[data-testid=job-rows] tbody tr").count() == 37
    assert "吉林省" in page.inner_text("[data-testid=job-rows]")
    mof.shot("national-run-job")

    page.click("[data-testid=job-national]")
    page.wait_for_load_state("networkidle")
    assert "已完成" in page.inner_text("[data-testid=national-jobs]")
    page.click("[data-testid=national-allocation-link]")
    page.wait_for_load_state("networkidle")
    for program, amount in (("rental", "300000"), ("renovation", "400000"), ("shantytown", "250000")):
        page.fill(f"input[name=amount_{program}]", amount)
    assert page.locator("[data-testid=national-allocation-regions] input").count() == 37
    page.click("[data-testid=national-allocate]")
    page.wait_for_url(f"{live_server.url}/national/?year=2022")
    assert "已保存2023年中央资金分配（第1版）" in page.inner_text(".messages")
    cells = page.locator("[data-testid=national-ranking] [data-testid=national-allocation]").all_inner_texts()
    assert len(cells) == 37 and all(c.strip() not in ("", "—") for c in cells), cells
    assert "中央下达2023年资金" in page.inner_text("[data-testid=national-ranking] thead")
    mof.shot("national-allocation")

    # The saved version is listed on the allocation page, and its 资金分配表 downloads as a workbook.
    page = mof.goto("/national/allocation/?year=2022")
    versions = page.inner_text("[data-testid=national-allocation-versions]")
    assert "第1版" in versions and "950000" in versions, versions
    with page.expect_download() as download:
        page.click("[data-testid=national-allocation-versions] a:has-text('资金分配表')")
    assert download.value.suggested_filename == "2023年中央资金分配第1版资金分配表.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), data_only=True)
    assert any(c == "新疆生产建设兵团" for sheet in book.worksheets for r in sheet.iter_rows(values_only=True) for c in r)
    page.locator("[data-testid=national-allocation-versions]").scroll_into_view_if_needed()
    mof.shot("national-allocation-versions")
    mof.close()

    reader = Session(browser, live_server.url, "mohurd")
    page = reader.goto("/national/")
    assert page.locator("[data-testid=national-row]").count() == 37
    assert page.locator("[data-testid=national-run]").count() == 0
    assert page.locator("[data-testid=national-allocation-link]").count() == 0
    reader.close()

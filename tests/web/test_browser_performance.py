"""The year in a real browser: the province imports its targets (the breakdown is checked), then the
two monitoring rounds — first with a deviation left unexplained (the board says the round cannot be
submitted), then with its reason and measure — and reads the board of each date; a unit reports the
third date in its form (a deviation, refused until explained), the prefecture reviewer returns it with
a reason, the unit corrects and resubmits; at year end the evaluation is run and the self-evaluation
report downloaded, its part ③ carrying the unit's reason. Screenshots go to out/screenshots/."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from anju.yamlio import dump_yaml, read_yaml
from anju_web.submissions.models import Cycle

from .conftest import ROOT, load_everything
from .test_browser import CHROMIUM, SHOTS, Session

EXAMPLE = ROOT / "examples" / "jilin-2022"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="未安装 Debian 的 chromium（运行 make sysdeps 安装）"),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            yield instance
        finally:
            instance.close()


@pytest.mark.django_db(transaction=True)
def test_targets_monitoring_and_report_in_the_browser(live_server: Any, browser: Any, tmp_path: Path) -> None:  # noqa: PLR0915 - one story, step by step
    if not Cycle.objects.exists():
        load_everything()
    cycle = Cycle.objects.get(year=2022)
    evaluator = Session(browser, live_server.url, "evaluator-finance")
    page = evaluator.goto(f"/cycles/{cycle.pk}/performance/")
    assert "本评价年度还没有导入绩效目标" in page.inner_text("main")

    # 1. Targets whose breakdown does not add up are refused, naming the units; the right ones are accepted.
    bad = read_yaml(EXAMPLE / "targets.yaml").data
    bad["programs"]["rental"]["units"]["220122"]["rental_subsidy"] += 10
    bad_path = tmp_path / "targets.yaml"
    bad_path.write_text(dump_yaml(bad), encoding="utf-8")
    page.set_input_files("[data-testid=targets-upload] input[type=file]", str(bad_path))
    page.click("[data-testid=targets-upload] button")
    page.wait_for_load_state("networkidle")
    assert "长春市所属单位合计" in page.inner_text(".messages") and "农安县" in page.inner_text(".messages")
    evaluator.shot("31-targets-refused")
    page.set_input_files("[data-testid=targets-upload] input[type=file]", str(EXAMPLE / "targets.yaml"))
    page.click("[data-testid=targets-upload] button")
    page.wait_for_load_state("networkidle")
    assert "分解下达的目标合计与全省目标一致" in page.inner_text(".messages")
    page.click("summary:has-text('分解到各市（州）')")
    assert "≥12670套" in page.inner_text("[data-testid=targets]")
    evaluator.shot("32-targets")

    # 2. Two rounds, one deviation left without its reason: the board blocks the round.
    rounds = read_yaml(EXAMPLE / "monitoring.yaml").data
    rounds["rounds"][1]["reports"]["220122"]["programs"]["renovation"]["explanations"] = []
    open_path = tmp_path / "monitoring.yaml"
    open_path.write_text(dump_yaml(rounds), encoding="utf-8")
    page.set_input_files("[data-testid=monitoring-upload] input[type=file]", str(open_path))
    page.click("[data-testid=monitoring-upload] button")
    page.wait_for_load_state("networkidle")
    assert "已导入监控数据：2轮" in page.inner_text(".messages")
    page.click("a:has-text('9月30日监控看板')")
    page.wait_for_load_state("networkidle")
    blocking = page.inner_text("[data-testid=blocking]")
    assert "本轮监控情况不能报送" in blocking and "农安县城镇老旧小区改造" in blocking
    evaluator.shot("33-board-blocked")

    # 3. The unit's reason and measure given: the round can be submitted; the June board shows the warnings.
    evaluator.goto(f"/cycles/{cycle.pk}/performance/")
    page.set_input_files("[data-testid=monitoring-upload] input[type=file]", str(EXAMPLE / "monitoring.yaml"))
    page.click("[data-testid=monitoring-upload] button")
    page.wait_for_load_state("networkidle")
    page.click("a:has-text('9月30日监控看板')")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=blocking]").count() == 0
    evaluator.goto(f"/cycles/{cycle.pk}/performance/board/2022-06-30/")
    assert "全省合计" in page.inner_text("[data-testid=board-program] >> nth=1")
    assert "“预算执行率”指标将得0分" in page.inner_text("main")
    warnings = page.inner_text("[data-testid=warnings]")
    assert "纠偏措施" in warnings and "（未填写）" not in warnings
    evaluator.shot("34-board-june")

    # 4. A unit reports the third date itself: a deviation, refused until it gives its reason and measure.
    clerk = Session(browser, live_server.url, "clerk-220122")
    page = clerk.goto(f"/cycles/{cycle.pk}/performance/")
    assert "绩效运行监控填报" in page.inner_text("h1")
    page.click("[data-testid=my-reports] tr:has-text('农安县') td >> nth=3 >> a")
    page.wait_for_load_state("networkidle")
    assert "11月30日" in page.inner_text("h1") and "全年目标值" in page.inner_text("[data-testid=unit-report]")
    page.fill("#f-rental-budget", "1458.16")
    page.fill("#f-rental-spent", "300")
    page.fill("#f-rental-progress-rental_subsidy", "2592")
    page.click("[data-testid=unit-submit]")
    page.wait_for_load_state("networkidle")
    assert "缺少原因和纠偏措施，本轮监控情况不能报送" in page.inner_text(".messages")
    reason, measure = "县级配套资金到位晚，工程款集中在12月拨付。", "按周调度支出，12月20日前完成拨付。"
    page.fill("textarea[name='reason::rental::execution_far_behind::']", reason)
    page.fill("textarea[name='measure::rental::execution_far_behind::']", measure)
    clerk.shot("35-unit-deviation-explained")
    page.click("[data-testid=unit-submit]")
    page.wait_for_load_state("networkidle")
    assert "已报送" in page.inner_text(".messages")

    # 5. The 长春 reviewer returns it with a reason; the unit sees it in its list, corrects and resubmits.
    reviewer = Session(browser, live_server.url, "reviewer-220100")
    page = reviewer.goto(f"/cycles/{cycle.pk}/performance/")
    assert "绩效运行监控审核" in page.inner_text("h1")
    page.click("[data-testid=my-reports] tr:has-text('农安县') td >> nth=3 >> a")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=unit-submit]").count() == 0
    returned = "租赁补贴累计发放户数与民政月报（2600户）不一致，请核实后重新报送。"
    page.fill("[data-testid=unit-return] textarea[name=reason]", returned)
    page.click("[data-testid=unit-return-button]")
    page.wait_for_load_state("networkidle")
    assert "已退回农安县的监控情况" in page.inner_text(".messages")
    reviewer.shot("36-returned")
    page = clerk.goto(f"/cycles/{cycle.pk}/performance/mine/")
    row = page.inner_text("[data-testid=my-reports] tr:has-text('农安县')")
    assert "已退回，待重新报送" in row and returned in row
    page.click("[data-testid=my-reports] tr:has-text('农安县') td >> nth=3 >> a")
    page.wait_for_load_state("networkidle")
    assert returned in page.inner_text("[data-testid=unit-returned]")
    assert page.input_value("textarea[name='reason::rental::execution_far_behind::']") == reason
    page.fill("#f-rental-progress-rental_subsidy", "2600")
    page.click("[data-testid=unit-submit]")
    page.wait_for_load_state("networkidle")
    assert "已报送" in page.inner_text(".messages") and page.locator("[data-testid=unit-returned]").count() == 0
    clerk.shot("37-resubmitted")
    clerk.close()
    reviewer.close()

    # 6. Year end: the evaluation is run on the year-end figures ...
    page = evaluator.goto(f"/cycles/{cycle.pk}/evaluation/")
    page.click("[data-testid=run-evaluation]")
    page.wait_for_load_state("networkidle")
    totals = page.inner_text("[data-testid=totals]")
    assert all(score in totals for score in ("88", "85", "93"))
    evaluator.shot("38-year-end")

    # 7. ... and the self-evaluation report is downloaded, with its four parts built from all of it.
    evaluator.goto(f"/cycles/{cycle.pk}/performance/")
    with page.expect_download() as download:
        page.click("[data-testid=selfreport-download]")
    path = tmp_path / "report.docx"
    download.value.save_as(str(path))
    document = docx.Document(io.BytesIO(path.read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "公文一级标题"]
    assert headings == ["一、绩效目标分解下达情况", "二、绩效目标完成情况分析", "三、偏离绩效目标的原因和下一步改进措施",
                        "四、绩效自评结果"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "自评得分88分" in text
    assert "2022年11月30日绩效运行监控" in text and reason.rstrip("。") in text and measure.rstrip("。") in text
    assert SHOTS.exists()
    evaluator.close()

"""Jobs through the real queue: a real ``anju-web worker`` process on the Redis of ANJU_TEST_REDIS_URL
and real gunicorn web processes on one database. A job submitted while no worker runs waits in the
queue; the web process is killed and started again, a worker is started, and the job finishes and
is seen through the restarted web with its result stored with the cycle."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.web.servers import REDIS_REASON, free_port, job_id_of, login, post, site, status, wait_finished

REDIS_URL = os.environ.get("ANJU_TEST_REDIS_URL", "")

pytestmark = [pytest.mark.skipif(not REDIS_URL, reason=REDIS_REASON)]


def test_a_job_survives_a_web_restart_and_the_worker_finishes_it(tmp_path: Path) -> None:
    with site(REDIS_URL, None, tmp_path) as the_site:
        port = free_port()
        web = the_site.web("web", port)
        base = f"http://127.0.0.1:{port}"
        client = login(base)
        submitted = post(client, "/cycles/1/jobs/evaluation/")
        job_id = job_id_of(submitted)
        first = status(client, job_id)
        assert (first["state"], first["synchronous"]) == ("queued", False), first

        the_site.stop(web, signal.SIGKILL)  # the web process dies; the job is in the database and in Redis
        the_site.worker()
        the_site.web("web", port)
        finished = wait_finished(client, job_id)  # the same session, through the restarted web process
        assert finished["state"] == "succeeded", (finished, the_site.log("worker"))
        assert finished["summary"].startswith("评价完成：") and "88 分" in finished["summary"], finished["summary"]
        assert (finished["done"], finished["total"], finished["percent"]) == (1, 1, 100)

        page = client.get(f"/jobs/{job_id}/").text
        assert "已完成" in page and finished["summary"] in page and "未配置任务队列" not in page
        listing = client.get("/cycles/1/jobs/").text
        assert f"/jobs/{job_id}/" in listing and 'data-testid="queue-missing"' not in listing
        # The run the job made is the cycle's latest: the evaluation page shows its scores.
        assert "88" in client.get("/cycles/1/evaluation/").text


def test_document_packages_run_in_the_worker_process(tmp_path: Path) -> None:
    with site(REDIS_URL, None, tmp_path) as the_site:
        the_site.worker()
        port = free_port()
        the_site.web("web", port)
        client = login(f"http://127.0.0.1:{port}", "supervisor")
        response = post(client, "/cycles/1/jobs/packages/", {"cycles": ["1"]})
        done = wait_finished(client, job_id_of(response))
        assert done["state"] == "succeeded", (done, the_site.log("worker"))
        assert done["summary"] == "已生成 1 个地区的评价材料包（共 1 个）"


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="未安装 Debian 的 chromium（运行 make sysdeps-browser 安装）")
def test_the_job_page_follows_the_job_in_a_browser(tmp_path: Path) -> None:
    """The job page's progress bar polls the JSON status: queued while no worker runs, then, with a
    worker started, it turns to 已完成 and shows the result without the user reloading."""
    from playwright.sync_api import sync_playwright

    from anju_web.demo import DEMO_PASSWORD

    with site(REDIS_URL, None, tmp_path) as the_site, sync_playwright() as p:
        port = free_port()
        the_site.web("web", port)
        base = f"http://127.0.0.1:{port}"
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "evaluator-finance")
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{base}/cycles/1/jobs/")
            page.click("[data-testid=job-evaluation] button")
            page.wait_for_url(f"{base}/jobs/*/")
            assert page.inner_text("[data-testid=job-state]") == "排队中"
            assert "已提交后台任务“运行评价”" in page.inner_text(".messages")
            the_site.worker()
            page.wait_for_selector("[data-testid=job-summary]", timeout=90_000)
            assert page.inner_text("[data-testid=job-state]") == "已完成"
            assert "88 分" in page.inner_text("[data-testid=job-summary]")
            assert page.get_attribute("progress", "value") == page.get_attribute("progress", "max")
            shots = Path(__file__).resolve().parents[2] / "out" / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "后台任务-已完成.png"), full_page=True)
        finally:
            browser.close()


PREPARE_NATIONAL = """
from anju_web.reviews.models import EvaluationRun
from anju_web.submissions.models import Cycle
Cycle.objects.filter(year=2022, region__parent__isnull=True).exclude(region_id="110000").update(signed_at=None)
EvaluationRun.objects.filter(cycle__year=2022, cycle__region_id="440300").delete()
"""
STORED_RUNS = """
import json
from anju_web.reviews.models import EvaluationRun
from anju_web.submissions.models import Cycle
out = {}
for cycle in Cycle.objects.filter(year=2022, region__parent__isnull=True):
    run = EvaluationRun.objects.filter(cycle=cycle).select_related("created_by").first()
    out[cycle.region_id] = [run.created_by.username, run.totals, run.data_version == cycle.data_version] if run else None
print(json.dumps(out))
"""


def test_a_national_run_goes_through_the_queue(tmp_path: Path) -> None:
    """财政部 starts the national run from the 全国看板 on a web host; the worker scores the 37 regions
    one by one (progress per region seen meanwhile), each region's run is stored with its cycle, 审定
    Beijing is refused, Shenzhen (nothing to score) fails by name, and the dashboard shows the rest."""
    import json

    from anju.national import evaluate_national

    with site(REDIS_URL, None, tmp_path) as the_site:
        the_site.manage("load_national")
        the_site.manage("shell", "-c", PREPARE_NATIONAL)
        port = free_port()
        the_site.web("web", port)
        client = login(f"http://127.0.0.1:{port}", "mof")
        assert 'data-testid="national-run"' in client.get("/national/").text
        job_id = job_id_of(post(client, "/national/run/", {"year": "2022"}))
        assert status(client, job_id)["state"] == "queued"
        reader = login(f"http://127.0.0.1:{port}", "mohurd")
        assert post(reader, "/national/run/", {"year": "2022"}).status_code == 403

        the_site.worker()
        seen: set[tuple[int, int]] = set()
        deadline = time.monotonic() + 180
        while not (now := status(client, job_id))["finished"] and time.monotonic() < deadline:
            if now["state"] == "running":
                seen.add((now["done"], now["total"]))
            time.sleep(0.05)
        finished = wait_finished(client, job_id)
        assert finished["state"] == "succeeded", (finished, the_site.log("worker"))
        assert any(total == 37 and 0 <= done < 37 for done, total in seen), seen  # progress per region
        assert (finished["done"], finished["total"], finished["percent"]) == (37, 37, 100)
        assert finished["summary"].startswith("2022年度全国评价：37 个地区，已评价 35 个，未评价 1 个"), finished["summary"]
        assert "评价失败 1 个（深圳市）" in finished["summary"]

        stored = json.loads(the_site.manage("shell", "-c", STORED_RUNS).strip().splitlines()[-1])
        expected = {r.code: {p.id: str(p.score) for p in r.evaluation.programs}
                    for r in evaluate_national(Path(__file__).resolve().parents[2] / "examples" / "national-2022").regions}
        assert len(stored) == 37 and stored["440300"] is None
        assert stored["110000"][0] == "mof" and stored["110000"][1] == expected["110000"]  # the loaded run, kept
        for code, (username, totals, current) in ((c, v) for c, v in stored.items() if c not in ("440300", "110000")):
            assert username == "mof" and current, (code, username)
            assert totals == ({"rental": "88", "renovation": "85", "shantytown": "93"} if code == "220000"
                              else expected[code]), code
        page = client.get(f"/jobs/{job_id}/").text
        assert "已完成" in page and "深圳市" in page and "评价失败" in page
        dashboard = client.get("/national/?year=2022").text
        assert dashboard.count('data-testid="national-row"') == 37 and "已计分 36 个" in dashboard
        shown = the_site.manage("job", "show", str(job_id))
        assert "已完成" in shown and "深圳市：评价失败" in shown and "北京市：未评价" in shown


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="未安装 Debian 的 chromium（运行 make sysdeps-browser 安装）")
def test_the_national_run_is_queued_from_the_dashboard_and_its_progress_followed(tmp_path: Path) -> None:
    """财政部 presses the national run button on the 全国看板: the job is queued (no worker yet) and
    the dashboard lists it 排队中; once a worker runs, the dashboard's progress bar follows it by
    itself and, finished, the page shows the job's summary and the new scores."""
    from playwright.sync_api import sync_playwright

    from anju_web.demo import DEMO_PASSWORD

    with site(REDIS_URL, None, tmp_path) as the_site, sync_playwright() as p:
        the_site.manage("load_national")
        the_site.manage("shell", "-c", PREPARE_NATIONAL)
        port = free_port()
        the_site.web("web", port)
        base = f"http://127.0.0.1:{port}"
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "mof")
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{base}/national/")
            assert page.locator("[data-testid=national-ranking] [data-testid=national-row]").count() == 37
            page.click("[data-testid=national-run] button")
            page.wait_for_url(f"{base}/jobs/*/")
            assert page.inner_text("[data-testid=job-state]") == "排队中"
            assert "已提交后台任务“全国评价（各地区计分）”" in page.inner_text(".messages")
            page.click("[data-testid=job-national]")
            page.wait_for_load_state("networkidle")
            assert page.inner_text("[data-testid=national-job-state]") == "排队中"
            the_site.worker()
            page.wait_for_function(
                "() => { const s = document.querySelector('[data-testid=national-job-state]');"
                " return s && s.textContent.trim() === '进行中'; }", timeout=90_000)
            page.wait_for_function(  # the page reloads itself when the job is done
                "() => { const s = document.querySelector('[data-testid=national-job-state]');"
                " return s && s.textContent.trim() === '已完成'; }", timeout=120_000)
            assert "已评价 35 个" in page.inner_text("[data-testid=national-jobs]")
            assert page.get_attribute("[data-testid=national-jobs] progress", "value") == "37"
            assert page.locator("[data-testid=national-ranking] [data-testid=national-row]").count() == 37
        finally:
            browser.close()

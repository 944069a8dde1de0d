"""What 财政部 starts from the 全国看板: the national run (every region's cycle scored, as one job,
without a queue here — the real queue is in test_jobs_queue.py) and the central allocation of next
year's funds (中央 → 37 regions). Allowed for 财政部, refused for 住建部, the administrator and the
provinces."""

from __future__ import annotations

import io
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from anju.allocation import allocate, builtin_method
from anju.allocation.inputs import AllocationInputs, RegionInput, resolve
from anju.dataset import load_dataset
from anju.national import NationalResult, evaluate_national
from anju_web.allocations.models import NationalAllocation
from anju_web.audit.models import AuditAction, AuditEvent
from anju_web.demo import DEMO_PASSWORD
from anju_web.jobs.models import Job, JobState
from anju_web.national import services as national_module
from anju_web.reviews.models import EvaluationRun
from anju_web.submissions.models import Cycle

from .conftest import ROOT, client_for

NATIONAL = ROOT / "examples" / "national-2022"
KEPT_SIGNED = "110000"  # 北京市: 审定, refused
BROKEN = "440300"  # 深圳市: nothing to score from
ARCHIVED = "660000"  # 新疆生产建设兵团: archived, refused


@cache
def _evaluated(path: str) -> NationalResult:
    return evaluate_national(path)


@pytest.fixture(autouse=True)
def _no_queue(settings: Any) -> None:
    settings.ANJU_REDIS_URL = ""


@pytest.fixture
def national(db: None, monkeypatch: pytest.MonkeyPatch) -> NationalResult:
    monkeypatch.setattr(national_module, "evaluate_national", lambda path: _evaluated(str(path)))
    result, _ = national_module.load_national(NATIONAL, DEMO_PASSWORD)
    return result


def _prepare_year() -> None:
    """Every region's cycle open again except Beijing's (审定); Shenzhen's loaded data gone."""
    Cycle.objects.filter(year=2022, region__parent__isnull=True).exclude(region_id=KEPT_SIGNED).update(signed_at=None)
    assert Cycle.objects.get(year=2022, region_id=KEPT_SIGNED).signed_at is not None
    EvaluationRun.objects.filter(cycle__year=2022, cycle__region_id=BROKEN).delete()


def test_mof_runs_the_national_evaluation_for_every_region(national: NationalResult) -> None:
    _prepare_year()
    from django.utils import timezone

    Cycle.objects.filter(year=2022, region_id=ARCHIVED).update(archived_at=timezone.now())
    before = {c: EvaluationRun.objects.filter(cycle__region_id=c, cycle__year=2022).count()
              for c in (KEPT_SIGNED, "220000", ARCHIVED)}
    client = client_for("mof")
    response = client.post(reverse("national_run"), {"year": "2022"})
    job = Job.objects.get(kind="national_run")
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert job.state == JobState.succeeded and job.cycle is None and (job.done, job.total) == (37, 37)
    rows = {row["region"]: row for row in job.result["rows"]}
    assert len(rows) == 37 and job.result["counts"] == {"evaluated": 34, "refused": 2, "failed": 1}
    assert rows["北京市"]["outcome"] == "refused" and "已于2023年02月27日审定" in rows["北京市"]["status"]
    assert rows["新疆生产建设兵团"]["outcome"] == "refused" and "已归档" in rows["新疆生产建设兵团"]["status"]
    assert rows["深圳市"]["outcome"] == "failed" and "没有任何单位的填报" in rows["深圳市"]["status"]
    assert "评价失败 1 个（深圳市）" in job.result["summary"] and "未评价 2 个" in job.result["summary"]

    mof = get_user_model().objects.get(username="mof")
    expected = {r.code: {p.id: str(p.score) for p in r.evaluation.programs} for r in national.regions}
    for cycle in Cycle.objects.filter(year=2022, region__parent__isnull=True).select_related("region"):
        latest = EvaluationRun.objects.filter(cycle=cycle).first()
        if cycle.region_id in (KEPT_SIGNED, ARCHIVED):
            assert EvaluationRun.objects.filter(cycle=cycle).count() == before[cycle.region_id]
            continue
        if cycle.region_id == BROKEN:
            assert latest is None
            continue
        assert latest is not None and latest.created_by == mof, cycle
        assert latest.data_version == cycle.data_version
        if cycle.region_id == "220000":  # the demo cycle: scored from its units' reports, as the province does
            assert latest.totals == {"rental": "88", "renovation": "85", "shantytown": "93"}
            assert latest.units and EvaluationRun.objects.filter(cycle=cycle).count() == before["220000"] + 1
        else:  # a loaded region: scored again from the dataset it was loaded with
            assert {k: str(Decimal(v)) for k, v in latest.totals.items()} == expected[cycle.region_id], cycle
            assert latest.units is None and latest.source == "示例数据：全国示例数据集"
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "深圳市" in page and "北京市" in page and 'data-testid="job-national"' in page
    dashboard = client.get("/national/").content.decode()
    assert dashboard.count('data-testid="national-row"') == 37 and 'data-testid="national-jobs"' in dashboard
    assert job.result["summary"][:40] in dashboard
    overview = national_module.overview(2022)
    assert overview.evaluated == 36  # every region but Shenzhen (its runs are gone)
    assert page.count("/evaluation/") >= 37  # each region's row links to its evaluation


def test_national_run_is_refused_for_readers(national: NationalResult) -> None:
    for username in ("mohurd", "admin", "evaluator-finance", "supervisor"):
        response = client_for(username).post(reverse("national_run"), {"year": "2022"})
        assert response.status_code == 403, username
    assert not Job.objects.filter(kind="national_run").exists()
    page = client_for("mohurd").get("/national/").content.decode()
    assert 'data-testid="national-run"' not in page and 'data-testid="national-allocation-link"' not in page
    assert 'data-testid="national-run"' in client_for("mof").get("/national/").content.decode()


def test_a_national_job_is_seen_by_national_evaluators_only(national: NationalResult) -> None:
    client_for("mof").post(reverse("national_run"), {"year": "2022"})
    job = Job.objects.get(kind="national_run")
    assert client_for("mohurd").get(reverse("job", args=[job.pk])).status_code in (403, 404)
    assert client_for("evaluator-finance").get(reverse("job", args=[job.pk])).status_code == 404


def test_national_run_from_the_command_line(national: NationalResult) -> None:
    _prepare_year()
    out = io.StringIO()
    call_command("job", "national_run", "2022", "--user", "mof", stdout=out)
    text = out.getvalue()
    assert "2022年度全国评价：37 个地区，已评价 35 个" in text
    assert "深圳市：评价失败" in text and "北京市：未评价" in text
    with pytest.raises(Exception, match="无权运行全国评价"):
        call_command("job", "national_run", "2022", "--user", "mohurd", stdout=io.StringIO())
    with pytest.raises(Exception, match="2031年没有任何地区的评价年度"):
        call_command("job", "national_run", "2031", "--user", "mof", stdout=io.StringIO())


AMOUNTS = {"rental": "300000", "renovation": "400000", "shantytown": "250000"}


def _allocation_form(difficulty: dict[str, str] | None = None) -> dict[str, str]:
    codes = Cycle.objects.filter(year=2022, region__parent__isnull=True).values_list("region_id", flat=True)
    given = {f"difficulty_{code}": "1.00" for code in codes} | {f"difficulty_{k}": v for k, v in (difficulty or {}).items()}
    return {"method": "2022", "scores_year": "2022", **{f"amount_{k}": v for k, v in AMOUNTS.items()}, **given}


def test_mof_allocates_next_years_central_funds_and_the_dashboard_shows_them(national: NationalResult) -> None:
    client = client_for("mof")
    form = client.get(reverse("national_allocation") + "?year=2022")
    assert form.status_code == 200 and form.content.decode().count('name="difficulty_') == 37
    response = client.post(reverse("national_allocation"), _allocation_form({"220000": "1.10", "650000": "1.20"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    row = NationalAllocation.objects.get(year=2023)
    shares = row.shares()
    assert row.version == 1 and len(shares) == 37
    assert sum(Decimal(v) for v in shares.values()) == row.total == sum(Decimal(v) for v in AMOUNTS.values())
    assert AuditEvent.objects.filter(action=AuditAction.allocation_saved, object_id=str(row.pk)).exists()

    # Jilin's share as the engine gives it from the example's files (quantities and scores of its dataset).
    method = builtin_method("2022")
    inputs = AllocationInputs(year=2023, scores_year=2022, method="2022", level="province", score_basis="self_assessed",
                              amounts={k: Decimal(v) for k, v in AMOUNTS.items()}, regions={})
    regions = {}
    for region in national.regions:
        dataset, _ = load_dataset(NATIONAL / f"{region.code}.yaml")
        figures = {p: dataset.programs[p].figures for p in ("rental", "renovation", "shantytown")}
        regions[region.code] = RegionInput(
            fiscal_difficulty=Decimal({"220000": "1.10", "650000": "1.20"}.get(region.code, "1.00")),
            quantities={p.id: {f.figure: Decimal(str(figures[p.id][f.figure])) for f in p.factors} for p in method.programs},
            scores={p.id: p.score for p in region.evaluation.programs})
    resolved = resolve(inputs.model_copy(update={"regions": regions}), method)
    engine = allocate(method, resolved.regions, resolved.amounts)
    assert Decimal(shares["220000"]) == engine.region_total("220000") > 0

    page = client.get("/national/?year=2022").content.decode()
    assert "中央下达2023年资金（万元）" in page
    overview = national_module.overview(2022)
    assert all(r.allocation == Decimal(shares[r.region.code]) for r in overview.rows)
    assert page.count('data-testid="national-allocation">—<') == 0

    # A second version; the form now shows the coefficients typed last time.
    again = client.get(reverse("national_allocation") + "?year=2022").content.decode()
    assert 'name="difficulty_220000" value="1.10"' in again
    assert client.post(reverse("national_allocation"), _allocation_form()).status_code == 302
    assert NationalAllocation.objects.filter(year=2023).count() == 2
    assert national_module.overview(2022).rows[0].allocation == Decimal(NationalAllocation.objects.get(year=2023, version=2)
                                                                      .shares()[national_module.overview(2022).rows[0].region.code])


def test_bad_allocation_input_is_refused_naming_the_region(national: NationalResult) -> None:
    client = client_for("mof")
    response = client.post(reverse("national_allocation"), _allocation_form({"220000": "", "210200": "-1"}))
    assert response.status_code == 422
    page = response.content.decode()
    assert "吉林省的财政困难程度系数应为大于0的数，实为“空白”" in page and "大连市的财政困难程度系数" in page
    assert not NationalAllocation.objects.exists()


def test_central_allocation_is_refused_for_readers(national: NationalResult) -> None:
    for username in ("mohurd", "admin", "evaluator-finance"):
        client = client_for(username)
        assert client.get(reverse("national_allocation") + "?year=2022").status_code == 403, username
        assert client.post(reverse("national_allocation"), _allocation_form()).status_code == 403, username
    assert not NationalAllocation.objects.exists()


def test_an_unexpected_fault_in_one_region_does_not_stop_the_others(national: NationalResult,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from anju_web.national import jobs as national_jobs

    _prepare_year()
    real = national_jobs.run_national_evaluation

    def faulty(user: Any, cycle: Cycle) -> Any:
        if cycle.region_id == "210200":
            raise RuntimeError("disk full")
        return real(user, cycle)

    monkeypatch.setattr(national_jobs, "run_national_evaluation", faulty)
    client_for("mof").post(reverse("national_run"), {"year": "2022"})
    job = Job.objects.get(kind="national_run")
    assert job.state == JobState.succeeded
    rows = {row["region"]: row for row in job.result["rows"]}
    assert rows["大连市"]["outcome"] == "failed" and "评价出错（RuntimeError）" in rows["大连市"]["status"]
    assert "disk full" not in rows["大连市"]["status"]
    assert job.result["counts"] == {"evaluated": 34, "refused": 1, "failed": 2}
    assert "评价失败 2 个（大连市、深圳市）" in job.result["summary"]
    assert rows["青岛市"]["outcome"] == "evaluated"


def test_a_central_allocation_saved_meanwhile_by_another_takes_the_next_version(
        national: NationalResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two 财政部 users save at once: the second writer's number is taken when it inserts; it takes
    the next one instead of failing (was: a unique-constraint error shown as a server error)."""
    from anju_web.allocations import national as allocations_national

    client = client_for("mof")
    assert client.post(reverse("national_allocation"), _allocation_form()).status_code == 302
    stale = iter([1])  # the number read before the other writer's version 1 was committed
    real = allocations_national.next_version
    monkeypatch.setattr(allocations_national, "next_version", lambda year: next(stale, None) or real(year))
    response = client.post(reverse("national_allocation"), _allocation_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(NationalAllocation.objects.filter(year=2023).values_list("version", flat=True)) == [1, 2]

    # A writer that never gets a free number is told so, in Chinese, and nothing is saved.
    monkeypatch.setattr(allocations_national, "next_version", lambda year: 1)
    refused = client.post(reverse("national_allocation"), _allocation_form())
    assert refused.status_code == 422
    assert "正被他人同时保存，本次未保存" in refused.content.decode()
    assert NationalAllocation.objects.filter(year=2023).count() == 2


def test_a_saved_central_allocation_downloads_as_its_table_notice_and_result(national: NationalResult) -> None:
    import docx
    import openpyxl

    client = client_for("mof")
    assert client.post(reverse("national_allocation"), _allocation_form({"220000": "1.10"})).status_code == 302
    row = NationalAllocation.objects.get(year=2023)
    page = client.get(reverse("national_allocation") + "?year=2022").content.decode()
    assert "第1版" in page and reverse("national_allocation_download", args=[row.pk, "table"]) in page

    table = client.get(reverse("national_allocation_download", args=[row.pk, "table"]))
    assert table.status_code == 200 and "2023年中央资金分配第1版资金分配表.xlsx" in unquote(table["Content-Disposition"])
    book = openpyxl.load_workbook(io.BytesIO(table.content), data_only=True)
    cells = [str(c) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
    assert "吉林省" in cells and "新疆生产建设兵团" in cells and "大连市" in cells
    jilin = Decimal(row.shares()["220000"])
    assert any(c.replace(",", "") and _close(c, jilin) for c in cells), jilin

    notice = client.get(reverse("national_allocation_download", args=[row.pk, "notice"]))
    assert notice.status_code == 200
    texts = [p.text for p in docx.Document(io.BytesIO(notice.content)).paragraphs]
    assert texts[0] == "关于下达2023年中央财政城镇保障性安居工程补助资金预算的通知"

    result = client.get(reverse("national_allocation_download", args=[row.pk, "json"])).json()
    assert Decimal(result["totals"]["regions"]["220000"]) == jilin
    assert client.get(reverse("national_allocation_download", args=[row.pk, "pdf"])).status_code == 404
    assert client.get(reverse("national_allocation_download", args=[row.pk + 99, "table"])).status_code == 404
    for username in ("mohurd", "supervisor", "evaluator-finance"):
        assert client_for(username).get(reverse("national_allocation_download", args=[row.pk, "table"])).status_code == 403


def _close(cell: str, amount: Decimal) -> bool:
    try:
        return abs(Decimal(cell.replace(",", "")) - amount) < Decimal("0.01")
    except ArithmeticError:
        return False

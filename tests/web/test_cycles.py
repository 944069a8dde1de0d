"""Evaluation years (review B2, ADR 0012): opening a year from a page and a command, copying from
the year before, the baseline beside each row and in the cross-year rules, switching, archiving
read-only, and loading a real province's dataset into a cycle."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from anju_web.audit.models import AuditAction, AuditEvent
from anju_web.regions.models import Region
from anju_web.regions.source import region_tree
from anju_web.reviews.cycles import CycleRequest, open_cycle
from anju_web.reviews.models import Judgement, Narrative
from anju_web.reviews.services import save_judgement
from anju_web.submissions.cycles import CycleArchived, CycleRefused, archive_cycle
from anju_web.submissions.models import Cycle, Status, Submission
from anju_web.submissions.services import save_figures
from anju_web.submissions.units import validate

from .conftest import EXAMPLE, client_for, rows, stored, unit, user

pytestmark = pytest.mark.django_db

FORM = {"province": "220000", "year": "2023", "framework": "2022", "region_year": "", "deadline": "2024-01-31",
        "title": "", "copy_no_task": "1", "copy_templates": "1", "copy_baseline": "1"}


def _open_2023(cycle: Cycle, **changes: str) -> Cycle:
    client = client_for("evaluator-finance")
    response = client.post("/cycles/new/", {**FORM, "previous": str(cycle.pk), **changes})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Cycle.objects.get(year=int(changes.get("year", "2023")))


def test_open_a_year_from_the_page_copies_what_was_asked(cycle):
    new = _open_2023(cycle)
    tree = region_tree("220000")
    assert new.submissions.count() == len(tree.reporting_units(2023)) > 40
    assert new.previous == cycle and new.framework_id == "2022" and new.deadline == dt.date(2024, 1, 31)
    assert set(new.submissions.values_list("status", flat=True)) == {Status.draft}
    # no-task switches and the baseline come from each unit's 2022 submission
    for old in Submission.objects.filter(cycle=cycle):
        fresh = Submission.objects.get(cycle=new, region=old.region)
        assert fresh.no_task == old.no_task
        assert fresh.entries.count() == 0
    nongan_2022, nongan_2023 = unit(cycle, "220122"), unit(new, "220122")
    last = stored(nongan_2022, "rental", "central_funds")
    assert Decimal(nongan_2023.baseline["programs"]["rental"]["figures"]["central_funds"]) == Decimal(last)
    # judgements and narrative as templates
    assert Judgement.objects.filter(cycle=new).count() == Judgement.objects.filter(cycle=cycle).count() > 0
    assert Narrative.objects.filter(cycle=new).count() == Narrative.objects.filter(cycle=cycle).count() > 0
    event = AuditEvent.objects.get(action=AuditAction.cycle_opened, cycle_id=new.pk)
    assert "上年数据" in event.new_value and "报表单位" in event.new_value
    # the clerk lands on the new year, and the form shows last year's figure beside the field
    clerk = client_for("clerk-220122")
    home = clerk.get("/")
    assert home.status_code == 302 and home["Location"] == f"/submissions/{nongan_2023.pk}/"
    page = clerk.get(home["Location"]).content.decode()
    assert "<th title=\"开启本年度时复制的本单位上年填报\">上年</th>" in page
    cell = re.search(r'data-testid="last-rental-central_funds">([^<]*)<', page)
    assert cell is not None and cell.group(1) == last
    assert "2023年度" in page


def test_the_baseline_feeds_the_cross_year_rules(cycle):
    new = _open_2023(cycle)
    sub = unit(new, "220122")
    last = Decimal(stored(unit(cycle, "220122"), "rental", "central_funds"))
    save_figures(user("clerk-220122"), sub, rows(rental__central_funds=str(last * 5)))
    sub.refresh_from_db()
    changes = [p for p in validate(sub) if "较上年变化" in p.message]
    assert any("中央财政" in p.message for p in changes), [p.message for p in changes]
    without = Submission.objects.get(pk=sub.pk)
    without.baseline = {}
    assert not [p for p in validate(without) if "较上年变化" in p.message]


def test_opening_is_refused_plainly(cycle):
    client = client_for("evaluator-finance")
    page = client.post("/cycles/new/", {**FORM, "year": "2022", "previous": ""}, follow=True).content.decode()
    assert "未开启新年度：吉林省2022年度已经开启，不能重复开启" in page
    page = client.post("/cycles/new/", {**FORM, "deadline": "0001-01-01", "previous": str(cycle.pk)}, follow=True).content.decode()
    assert "截止日期应在 2023年01月01日 至 2025年12月31日 之间" in page
    page = client.post("/cycles/new/", {**FORM, "framework": "1999", "previous": str(cycle.pk)}, follow=True).content.decode()
    assert "没有“1999”版指标体系" in page
    page = client.post("/cycles/new/", {**FORM, "year": "abc", "previous": str(cycle.pk)}, follow=True).content.decode()
    assert "年度应为四位年份" in page
    page = client.post("/cycles/new/", {**FORM, "previous": ""}, follow=True).content.decode()
    assert "须选择上一评价年度" in page
    assert not Cycle.objects.filter(year=2023).exists()
    # roles that may not open a year
    for name in ("clerk-220122", "reviewer-220100", "supervisor"):
        assert client_for(name).get("/cycles/new/").status_code == 404
        assert client_for(name).post("/cycles/new/", {**FORM, "previous": str(cycle.pk)}).status_code == 404
    assert not Cycle.objects.filter(year=2023).exists()
    # the administrator may (the brief: the province evaluator or the admin)
    assert client_for("admin").get("/cycles/new/").status_code == 200


def test_list_switch_and_archive(cycle):
    new = _open_2023(cycle)
    evaluator = client_for("evaluator-finance")
    listing = evaluator.get("/cycles/").content.decode()
    assert "吉林省2023年度" in listing and "吉林省2022年度" in listing
    assert evaluator.get("/").headers["Location"] == f"/cycles/{new.pk}/dashboard/"
    evaluator.post(f"/cycles/{cycle.pk}/choose/")
    assert evaluator.get("/").headers["Location"] == f"/cycles/{cycle.pk}/dashboard/"
    # a clerk switches too, and lands on its unit of that year
    clerk = client_for("clerk-220122")
    assert clerk.post(f"/cycles/{cycle.pk}/choose/").status_code == 302
    assert clerk.get("/").headers["Location"] == f"/submissions/{unit(cycle, '220122').pk}/"
    assert clerk.post(f"/cycles/{cycle.pk}/archive/").status_code == 404  # the province is outside its scope
    assert client_for("supervisor").post(f"/cycles/{cycle.pk}/archive/").status_code == 403
    # archive 2022: read-only everywhere
    response = evaluator.post(f"/cycles/{cycle.pk}/archive/", follow=True)
    assert "已归档" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.is_archived
    sub = unit(cycle, "220122")
    with pytest.raises(CycleArchived, match="已归档，只能查看"):
        save_figures(user("clerk-220122"), sub, rows(rental__violations="3"), expected_version=sub.version)
    judgement = Judgement.objects.filter(cycle=cycle).first()
    assert judgement is not None
    with pytest.raises(CycleArchived):
        save_judgement(user("evaluator-finance"), cycle, judgement.program, judgement.item_path,
                       points=judgement.points, reason="改分", clauses=judgement.clause_values(), evidence=[])
    page = clerk.get(f"/submissions/{sub.pk}/").content.decode()
    assert 'id="figure-form"' not in page
    api = clerk.put(f"/api/submissions/{sub.pk}/figures", {"version": sub.version, "figures": [
        {"program": "rental", "figure": "violations", "value": "3"}]}, content_type="application/json")
    assert api.status_code in (403, 409), api.content
    assert "已归档" in api.json()["detail"]
    with pytest.raises(CycleRefused, match="已归档"):
        archive_cycle(user("evaluator-finance"), cycle)
    # the new year is untouched
    assert unit(new, "220122").is_editable


def test_open_cycle_command(cycle):
    out = StringIO()
    call_command("open_cycle", "--user", "evaluator-housing", "--province", "220000", "--year", "2023",
                 "--framework", "2022", "--deadline", "2024-02-28", "--from-year", "2022", "--copy-all", stdout=out)
    assert "已开启吉林省2023年度" in out.getvalue()
    new = Cycle.objects.get(year=2023)
    assert new.deadline == dt.date(2024, 2, 28) and unit(new, "220122").baseline
    with pytest.raises(CommandError, match="已经开启"):
        call_command("open_cycle", "--user", "evaluator-housing", "--province", "220000", "--year", "2023",
                     "--framework", "2022", "--deadline", "2024-02-28")
    with pytest.raises(CommandError, match="无权"):
        call_command("open_cycle", "--user", "clerk-220122", "--province", "220000", "--year", "2024",
                     "--framework", "2022", "--deadline", "2025-02-28")


def _dataset_for(year: int, tmp_path: Path) -> Path:
    target = tmp_path / f"jilin-{year}"
    shutil.copytree(EXAMPLE, target)
    for name in ("dataset.yaml", "units.yaml"):
        path = target / name
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^year: 2022$", f"year: {year}", text, flags=re.M)
        text = text.replace("deadline: 2023-01-20", f"deadline: {year + 1}-01-20")
        path.write_text(text, encoding="utf-8")
    return target


def test_load_a_province_dataset_into_a_cycle(cycle, tmp_path):
    path = _dataset_for(2024, tmp_path)
    out = StringIO()
    call_command("load_dataset", str(path), "--user", "evaluator-finance", stdout=out)
    assert "已开启并导入吉林省2024年度" in out.getvalue()
    loaded = Cycle.objects.get(year=2024)
    subs = Submission.objects.filter(cycle=loaded)
    assert subs.filter(entries__isnull=False).distinct().count() == subs.count()
    assert set(subs.values_list("status", flat=True)) == {Status.draft}
    assert stored(unit(loaded, "220122"), "rental", "central_funds") == stored(unit(cycle, "220122"), "rental", "central_funds")
    assert loaded.judgements.count() == cycle.judgements.count()
    assert AuditEvent.objects.filter(action=AuditAction.dataset_loaded, cycle_id=loaded.pk).exists()
    # a second load is refused as a whole: the units already have figures
    with pytest.raises(CommandError, match="已有填报数据"):
        call_command("load_dataset", str(path), "--user", "evaluator-finance")
    with pytest.raises(CommandError, match="找不到数据集"):
        call_command("load_dataset", str(tmp_path / "none"), "--user", "evaluator-finance")


def test_open_cycle_service_checks_the_province(cycle):
    prefecture = Region.objects.get(pk="220100")
    with pytest.raises(Exception, match=r"不是省级单位|没有找到"):
        open_cycle(user("admin"), CycleRequest(province=prefecture, year=2023, framework_id="2022",
                                               deadline=dt.date(2024, 1, 31)))


def test_audit_log_and_api_per_cycle(cycle):
    new = _open_2023(cycle)
    client = client_for("evaluator-finance")
    page = client.get(f"/audit/?cycle={new.pk}").content.decode()
    assert "开启评价年度" in page and "导入示例数据" not in page
    page = client.get(f"/audit/?cycle={cycle.pk}").content.decode()
    assert "开启评价年度" not in page
    api = client.get(f"/api/audit?cycle={new.pk}").json()
    assert api and {e["action"] for e in api} == {"cycle_opened"}
    assert client.get("/api/audit?offset=99999999999999999999").status_code == 422
    listed = {c["year"]: c for c in client.get("/api/cycles").json()}
    assert listed[2023]["previous"] == cycle.pk and listed[2023]["region_year"] == 2023
    assert listed[2022]["archived_at"] is None

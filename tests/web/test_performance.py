"""The year's pages: the province imports its targets and monitoring rounds, sees the board per date
with its warnings, and downloads the self-evaluation report; bad files are refused with the units named."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from anju.yamlio import dump_yaml, read_yaml
from anju_web.audit.models import AuditAction, AuditEvent, AuditObject
from anju_web.performance.models import YearPlan
from anju_web.submissions.models import Cycle

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "jilin-2022"


def _upload(client: Client, cycle: Cycle, kind: str, text: str) -> object:
    return client.post(reverse("performance_upload", args=[cycle.pk, kind]),
                       {"file": SimpleUploadedFile(f"{kind}.yaml", text.encode("utf-8"))}, follow=True)


def _example(name: str) -> str:
    return (EXAMPLE / name).read_text(encoding="utf-8")


@pytest.mark.django_db
def test_targets_then_monitoring_then_board_then_report(clients: dict[str, Client], cycle: Cycle) -> None:
    client = clients["province_evaluator"]
    page = _upload(client, cycle, "targets", _example("targets.yaml"))
    body = page.content.decode()  # type: ignore[attr-defined]
    assert "已导入绩效目标：3个项目" in body and "保障性租赁住房筹集套数" in body and "≥12670套" in body
    page = _upload(client, cycle, "monitoring", _example("monitoring.yaml"))
    body = page.content.decode()  # type: ignore[attr-defined]
    assert "已导入监控数据：2轮" in body and "6月30日监控看板" in body and "11月30日（尚无报送）" in body
    events = AuditEvent.objects.filter(cycle_id=cycle.pk, object_type=AuditObject.year_plan).order_by("pk")
    assert [(e.action, e.new_value) for e in events] == [(AuditAction.targets_imported, "targets.yaml"),
                                                         (AuditAction.monitoring_imported, "monitoring.yaml")]
    assert all(e.actor is not None and e.region_id == cycle.region_id for e in events)
    board = client.get(reverse("performance_board", args=[cycle.pk, "2022-06-30"]))
    assert board.status_code == 200
    text = board.content.decode()
    assert "时序进度 49.59%" in text and "全省合计" in text and "红 9.4%" in text
    assert "按当前进度，年末预算执行率预计约18.96%，“预算执行率”指标将得0分（满分3分）" in text
    assert "本轮监控情况不能报送" not in text
    report = client.get(reverse("performance_selfreport", args=[cycle.pk]))
    assert report.status_code == 200
    document = docx.Document(io.BytesIO(report.content))
    assert len(document.inline_shapes) == 1  # the execution chart
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "公文一级标题"]
    assert headings == ["一、绩效目标分解下达情况", "二、绩效目标完成情况分析", "三、偏离绩效目标的原因和下一步改进措施",
                        "四、绩效自评结果"]


@pytest.mark.django_db
def test_targets_that_do_not_add_up_are_refused_naming_the_units(clients: dict[str, Client], cycle: Cycle) -> None:
    data = read_yaml(EXAMPLE / "targets.yaml").data
    data["programs"]["renovation"]["units"]["220122"]["communities"] += 5
    page = _upload(clients["province_evaluator"], cycle, "targets", dump_yaml(data))
    body = page.content.decode()  # type: ignore[attr-defined]
    assert "未导入" in body and "长春市所属单位合计" in body and "农安县" in body
    assert not YearPlan.objects.filter(cycle=cycle).exists()


@pytest.mark.django_db
def test_an_unexplained_warning_shows_on_the_board(clients: dict[str, Client], cycle: Cycle) -> None:
    client = clients["province_evaluator"]
    _upload(client, cycle, "targets", _example("targets.yaml"))
    data = read_yaml(EXAMPLE / "monitoring.yaml").data
    data["rounds"][0]["reports"]["220122"]["programs"]["renovation"]["explanations"] = []
    _upload(client, cycle, "monitoring", dump_yaml(data))
    text = client.get(reverse("performance_board", args=[cycle.pk, "2022-06-30"])).content.decode()
    assert "本轮监控情况不能报送" in text and "农安县城镇老旧小区改造：预警“预算执行进度严重滞后”" in text


@pytest.mark.django_db
def test_only_the_province_imports(clients: dict[str, Client], cycle: Cycle) -> None:
    refused = clients["county_clerk"].post(reverse("performance_upload", args=[cycle.pk, "targets"]),
                                           {"file": SimpleUploadedFile("t.yaml", _example("targets.yaml").encode())})
    assert refused.status_code in (403, 404)
    assert not YearPlan.objects.filter(cycle=cycle).exists()
    assert clients["supervision_reviewer"].get(reverse("performance", args=[cycle.pk])).status_code == 200


def _plan(client: Client, cycle: Cycle, monitoring: str | None = None) -> None:
    _upload(client, cycle, "targets", _example("targets.yaml"))
    _upload(client, cycle, "monitoring", monitoring or _example("monitoring.yaml"))


@pytest.mark.django_db
def test_a_unit_reports_a_round_and_cannot_submit_a_warning_without_reason(clients: dict[str, Client],
                                                                           cycle: Cycle) -> None:
    data = read_yaml(EXAMPLE / "monitoring.yaml").data
    for round_ in data["rounds"]:
        del round_["reports"]["220122"]  # 农安县 has not reported yet
    _plan(clients["province_evaluator"], cycle, dump_yaml(data))
    clerk = clients["county_clerk"]
    url = reverse("performance_unit_report", args=[cycle.pk, "2022-06-30", "220122"])
    assert clerk.get(url).status_code == 200
    form = {"rental-budget": "1458.16", "rental-spent": "100", "rental-progress-rental_subsidy": "1500",
            "renovation-budget": "9000", "renovation-spent": "9000"}
    refused = clerk.post(url, {**form, "action": "submit"})
    text = refused.content.decode()
    assert "农安县住房租赁保障：预警“预算执行进度严重滞后”（预算执行）缺少原因和纠偏措施，本轮监控情况不能报送" in text
    assert "年末执行率预计约14%" in text
    assert 'name="reason::rental::execution_far_behind::"' in text
    plan = YearPlan.objects.get(cycle=cycle)
    assert "submitted" not in str(read_yaml_text(plan.monitoring)["rounds"][0]["reports"]["220122"])
    typo = clerk.post(url, {**form, "rental-spent": "一百", "action": "save"})
    assert "实际支出" in typo.content.decode()
    answered = {**form, "reason::rental::execution_far_behind::": "项目前期手续未完成。",
                "measure::rental::execution_far_behind::": "按月调度支出进度。", "action": "submit"}
    done = clerk.post(url, answered, follow=True)
    assert "已报送" in done.content.decode()
    stored = read_yaml_text(YearPlan.objects.get(cycle=cycle).monitoring)["rounds"][0]["reports"]["220122"]
    assert stored["submitted"] and stored["programs"]["rental"]["explanations"][0]["measure"] == "按月调度支出进度。"
    board = clients["province_evaluator"].get(reverse("performance_board", args=[cycle.pk, "2022-06-30"]))
    assert "项目前期手续未完成。" in board.content.decode()
    logged = list(AuditEvent.objects.filter(object_type=AuditObject.year_plan, region_id="220122").order_by("pk"))
    assert [e.action for e in logged] == [AuditAction.monitoring_saved, AuditAction.monitoring_reported]
    assert logged[-1].field == "6月30日监控"
    assert logged[-1].new_value.startswith("住房租赁保障：预算1458.16万元，实际支出100万元，目标进度1项，预警说明1条")
    assert "rental" not in logged[-1].new_value
    other = reverse("performance_unit_report", args=[cycle.pk, "2022-06-30", "220182"])
    assert clerk.get(other).status_code == 404


def read_yaml_text(text: str) -> dict[str, object]:
    from anju.yamlio import parse_yaml

    data = parse_yaml(text, "monitoring.yaml").data
    assert isinstance(data, dict)
    return data


@pytest.mark.django_db
def test_a_clerk_finds_its_own_reports(clients: dict[str, Client], cycle: Cycle) -> None:
    _plan(clients["province_evaluator"], cycle)
    page = clients["county_clerk"].get(reverse("performance", args=[cycle.pk]), follow=True)
    text = page.content.decode()
    assert page.status_code == 200 and "绩效运行监控填报" in text
    assert "农安县" in text and "榆树市" not in text and "已报送" in text and "未填报" in text  # 11月30日 not yet


@pytest.mark.django_db
def test_a_reviewer_returns_a_report_and_the_unit_resubmits(clients: dict[str, Client], cycle: Cycle) -> None:
    _plan(clients["province_evaluator"], cycle)
    reviewer, clerk = clients["prefecture_reviewer"], clients["county_clerk"]
    url = reverse("performance_unit_report", args=[cycle.pk, "2022-06-30", "220122"])
    back = reverse("performance_unit_return", args=[cycle.pk, "2022-06-30", "220122"])
    # The 长春 reviewer finds 农安县 among its units, sees its submitted report read-only, with the return form.
    listing = reviewer.get(reverse("performance", args=[cycle.pk]), follow=True).content.decode()
    assert "绩效运行监控审核" in listing and "农安县" in listing and "榆树市" in listing and "松原" not in listing
    page = reviewer.get(url).content.decode()
    assert 'data-testid="unit-return"' in page and 'data-testid="unit-submit"' not in page
    refused = reviewer.post(url, {"rental-budget": "1", "rental-spent": "1", "action": "save"})
    assert refused.status_code == 403
    # A return needs a reason; a unit outside the reviewer's prefecture cannot be returned.
    empty = reviewer.post(back, {"reason": "  "}, follow=True).content.decode()
    assert "未退回：请填写退回原因" in empty
    assert reviewer.post(reverse("performance_unit_return", args=[cycle.pk, "2022-06-30", "220200"]),
                         {"reason": "x"}).status_code in (403, 404)
    assert clerk.post(back, {"reason": "我退回我自己"}).status_code == 403
    reason = "租赁补贴累计发放户数与月报不一致，请核实。"
    done = reviewer.post(back, {"reason": reason}, follow=True).content.decode()
    assert "已退回农安县的监控情况" in done
    stored = read_yaml_text(YearPlan.objects.get(cycle=cycle).monitoring)["rounds"][0]["reports"]["220122"]
    assert "submitted" not in stored and stored["returned"]["reason"] == reason
    again = reviewer.post(back, {"reason": reason}, follow=True).content.decode()
    assert "尚未报送，不能退回" in again
    # The unit sees it in its list and on the form; the board counts it as waiting.
    mine = clerk.get(reverse("performance_mine", args=[cycle.pk])).content.decode()
    assert "已退回，待重新报送" in mine and reason in mine
    form_page = clerk.get(url).content.decode()
    assert 'data-testid="unit-returned"' in form_page and reason in form_page and "重新报送" in form_page
    board = clients["province_evaluator"].get(reverse("performance_board", args=[cycle.pk, "2022-06-30"])).content.decode()
    assert "农安县2022年6月30日的监控情况已于" in board and "待修改后重新报送" in board
    # Saving keeps it returned; resubmitting (with the corrected figure) clears it.
    report = read_yaml_text(YearPlan.objects.get(cycle=cycle).monitoring)["rounds"][0]["reports"]["220122"]["programs"]
    form = {f"{p}-budget": str(r["budget"]) for p, r in report.items()} | \
        {f"{p}-spent": str(r["spent"]) for p, r in report.items()} | \
        {f"{p}-progress-{i}": str(v) for p, r in report.items() for i, v in (r.get("progress") or {}).items()} | \
        {f"{k}::{p}::{e['rule']}::{e.get('indicator') or ''}": e[k] for p, r in report.items()
         for e in r.get("explanations") or [] for k in ("reason", "measure")}
    corrected = Decimal(form["rental-progress-rental_subsidy"]) + 100
    form["rental-progress-rental_subsidy"] = str(corrected)
    clerk.post(url, {**form, "action": "save"}, follow=True)
    assert "returned" in read_yaml_text(YearPlan.objects.get(cycle=cycle).monitoring)["rounds"][0]["reports"]["220122"]
    resubmitted = clerk.post(url, {**form, "action": "submit"}, follow=True).content.decode()
    assert "已报送" in resubmitted, re.findall(r'class="field-error[^>]*>([^<]*)', resubmitted) + \
        re.findall(r'<li class="msg[^"]*" role="status">([^<]*)</li>', resubmitted)
    stored = read_yaml_text(YearPlan.objects.get(cycle=cycle).monitoring)["rounds"][0]["reports"]["220122"]
    assert stored["submitted"] and "returned" not in stored
    assert Decimal(str(stored["programs"]["rental"]["progress"]["rental_subsidy"])) == corrected
    assert "已退回" not in clerk.get(reverse("performance_mine", args=[cycle.pk])).content.decode()
    # Audited: the return with its reason, then the save and the new 报送.
    logged = list(AuditEvent.objects.filter(object_type=AuditObject.year_plan, region_id="220122").order_by("pk"))
    assert [e.action for e in logged] == [AuditAction.returned, AuditAction.monitoring_saved,
                                          AuditAction.monitoring_reported]
    assert (logged[0].note, logged[0].old_value, logged[0].new_value) == (reason, "已报送", "已退回")
    assert logged[0].actor is not None and logged[0].actor.username == "reviewer-220100"
    assert logged[-1].note == "退回后重新报送"


@pytest.mark.django_db
def test_the_form_rows_are_the_workbooks(clients: dict[str, Client], cycle: Cycle) -> None:
    """The web form asks for what the monitoring workbook asks for: same rows, labels, units and targets."""
    from anju.adapters.monitoring.workbook import Context, build_layout
    from anju_web.performance.services import year_data

    _plan(clients["province_evaluator"], cycle)
    data = year_data(cycle)
    assert data is not None and data.monitoring is not None
    unit = data.tree.unit("220122")
    layout = build_layout(Context(data.framework, data.monitoring, data.targets, data.tree), unit, data.dates()[0])
    page = clients["county_clerk"].get(reverse("performance_unit_report", args=[cycle.pk, "2022-06-30", "220122"]))
    text = page.content.decode()
    for sheet in layout.sheets:
        assert sheet.program.label in text
        for row in sheet.values:
            assert f">{row.label}</label>" in text and f'<td class="num">{row.target}</td>' in text
    assert text.count("</label></td>") == sum(len(s.values) for s in layout.sheets)

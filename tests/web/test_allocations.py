"""The allocation page: the province's finance department picks the method and year, types the
amounts and coefficients, sees the table, each prefecture's trace and what a point is worth,
downloads the table and the notice; every save is a new, audited version; scope and roles hold."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import docx
import openpyxl
import pytest
from django.test import Client

from anju_web.allocations.models import Allocation
from anju_web.audit.models import AuditAction, AuditEvent
from anju_web.submissions.models import Cycle

from .conftest import client_for

pytestmark = pytest.mark.django_db

PREFECTURES = ("220100", "220200", "220300", "220400", "220500", "220600", "220700", "220800", "222400")
D = Decimal


def _form(**amounts: str) -> dict[str, str]:
    data = {"method": "2022", "year": "2023", "note": "测试"}
    data.update({f"amount_{p}": v for p, v in (amounts or {"rental": "40000", "renovation": "70000", "shantytown": "45000"}).items()})
    for index, code in enumerate(PREFECTURES):
        data[f"difficulty_{code}"] = str(D("0.9") + D(index) / 20)
    return data


def _save(client: Client, cycle: Cycle, **amounts: str) -> Any:
    return client.post(f"/cycles/{cycle.pk}/allocations/", _form(**amounts))


def test_the_evaluator_allocates_and_sees_table_trace_and_worth(clients: dict[str, Client], cycle: Cycle) -> None:
    evaluator = clients["province_evaluator"]
    page = evaluator.get(f"/cycles/{cycle.pk}/allocations/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "因素权重为假设" in text and "长春市" in text and "延边朝鲜族自治州" in text
    response = _save(evaluator, cycle)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = Allocation.objects.get(region__pk="220000", year=2023, version=1)
    assert row.total == D(155000)
    assert sum(D(r["amount"]) for r in row.result["rows"]) == D(155000)
    detail = evaluator.get(response["Location"])
    html = detail.content.decode()
    assert detail.status_code == 200
    assert 'data-testid="grand-total">155000.00<' in html
    assert "任务量指数（各因素占比按权重加权）" in html  # the trace
    assert "每提高 1 分，次年奖励资金约增加" in html
    assert "约增加奖励资金" in html or "得分" in html
    assert 'data-testid="assumed"' in html
    assert row.inputs["regions"]["220100"]["quantities"]["shantytown"]["planned_units"]
    event = AuditEvent.objects.get(action=AuditAction.allocation_saved, object_id=str(row.pk))
    assert event.new_value == "155000万元"
    assert event.region_id == "220000"


def test_each_save_is_a_new_version_compared_with_the_last(clients: dict[str, Client], cycle: Cycle) -> None:
    evaluator = clients["province_evaluator"]
    _save(evaluator, cycle)
    second = _save(evaluator, cycle, rental="41000", renovation="70000", shantytown="45000")
    versions = list(Allocation.objects.filter(region__pk="220000", year=2023).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].total == D(155000) and versions[1].total == D(156000)
    html = evaluator.get(second["Location"]).content.decode()
    assert "与第1版比较" in html
    assert AuditEvent.objects.filter(action=AuditAction.allocation_saved).count() == 2


def test_downloads_are_the_table_and_the_notice(clients: dict[str, Client], cycle: Cycle) -> None:
    evaluator = clients["province_evaluator"]
    _save(evaluator, cycle)
    row = Allocation.objects.get(region__pk="220000", year=2023)
    table = evaluator.get(f"/allocations/{row.pk}/table/")
    assert table.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(table.content), data_only=True)
    summary = book["汇总"]
    totals_row = 5 + len(PREFECTURES)
    assert D(str(summary.cell(row=totals_row, column=7).value)).quantize(D("0.01")) == D("155000.00")
    notice = evaluator.get(f"/allocations/{row.pk}/notice/")
    assert notice.status_code == 200
    document = docx.Document(io.BytesIO(notice.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "关于下达2023年中央财政城镇保障性安居工程补助资金预算的通知"
    assert any("收到本通知后30日内" in t for t in texts)
    assert "吉林省财政厅" in texts
    data = evaluator.get(f"/allocations/{row.pk}/json/")
    assert data.json()["totals"]["amount"] == "155000.00"
    assert evaluator.get(f"/allocations/{row.pk}/pdf/").status_code == 404


def test_bad_input_is_refused_with_every_reason(clients: dict[str, Client], cycle: Cycle) -> None:
    evaluator = clients["province_evaluator"]
    data = _form()
    data["difficulty_220300"] = "0"
    data["amount_rental"] = "很多"
    response = evaluator.post(f"/cycles/{cycle.pk}/allocations/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "四平市的财政困难程度系数应为大于0的数" in html
    assert "住房租赁保障的下达金额应为非负数" in html
    assert not Allocation.objects.exists()


def test_roles_and_scope(clients: dict[str, Client], cycle: Cycle) -> None:
    _save(clients["province_evaluator"], cycle)
    row = Allocation.objects.get()
    supervisor = clients["supervision_reviewer"]
    assert supervisor.get(f"/allocations/{row.pk}/").status_code == 200
    page = supervisor.get(f"/cycles/{cycle.pk}/allocations/").content.decode()
    assert 'data-testid="allocation-form"' not in page
    assert _save(supervisor, cycle).status_code == 403
    clerk = client_for("clerk-220122")
    assert clerk.get(f"/allocations/{row.pk}/").status_code in (403, 404)
    assert clients["prefecture_reviewer"].get(f"/allocations/{row.pk}/").status_code in (403, 404)
    assert Allocation.objects.count() == 1

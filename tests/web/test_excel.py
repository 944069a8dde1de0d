"""Excel filling through the collection module: the unit's template downloads pre-filled, and an
upload goes through the strict import — refused whole with per-cell messages, or saved whole."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anju_web.audit.models import AuditEvent
from anju_web.submissions.models import FigureEntry
from anju_web.submissions.units import layout_of

from .conftest import client_for, stored, unit

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _template(client, sub) -> openpyxl.Workbook:
    response = client.get(f"/submissions/{sub.pk}/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert sub.region_id in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _upload(client, sub, workbook: openpyxl.Workbook, name: str = "220122_农安县.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(f"/submissions/{sub.pk}/upload/", {"workbook": SimpleUploadedFile(name, buffer.getvalue(), XLSX)})


def test_template_is_prefilled_with_the_stored_report(cycle):
    sub = unit(cycle, "220122")
    workbook = _template(client_for("clerk-220122"), sub)
    row = layout_of(sub).sheet("rental").row_of("total_funds")
    sheet = workbook["住房租赁保障"]
    assert Decimal(str(sheet[row.cell].value)) == Decimal(stored(sub, "rental", "total_funds"))


def test_a_bad_workbook_is_refused_whole_with_cell_messages(cycle):
    client = client_for("clerk-220122")
    sub = unit(cycle, "220122")
    workbook = _template(client, sub)
    layout = layout_of(sub)
    total = layout.sheet("rental").row_of("total_funds")
    violations = layout.sheet("rental").row_of("violations")
    workbook["住房租赁保障"][total.cell] = Decimal(stored(sub, "rental", "total_funds")) + 1
    workbook["住房租赁保障"][violations.cell] = "两件"
    before = list(FigureEntry.objects.filter(submission=sub).values_list("figure_id", "value"))
    response = _upload(client, sub, workbook)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"住房租赁保障!{violations.cell}" in page and "未导入" in page
    assert list(FigureEntry.objects.filter(submission=sub).values_list("figure_id", "value")) == before


def test_a_good_workbook_is_saved_and_audited(cycle):
    client = client_for("clerk-220122")
    sub = unit(cycle, "220122")
    workbook = _template(client, sub)
    row = layout_of(sub).sheet("rental").row_of("violations")
    workbook["住房租赁保障"][row.cell] = 2
    response = _upload(client, sub, workbook)
    assert response.status_code == 302
    assert FigureEntry.objects.get(submission=sub, program="rental", figure_id="violations").value == 2
    sub.refresh_from_db()
    assert sub.source.startswith("Excel 导入") and sub.issues == []
    event = AuditEvent.objects.get(field="rental.violations")
    assert (event.old_value, event.new_value) == ("0", "2")


def test_another_units_workbook_is_refused(cycle):
    other = unit(cycle, "220182")  # 榆树市, also under 长春 and in draft
    workbook = _template(client_for("clerk-220182"), other)
    sub = unit(cycle, "220122")
    response = _upload(client_for("clerk-220122"), sub, workbook, name="220182_榆树市.xlsx")
    assert response.status_code == 400
    assert "不是本单位的" in response.content.decode()


def test_not_a_workbook_is_refused(cycle):
    sub = unit(cycle, "220122")
    client = client_for("clerk-220122")
    response = client.post(f"/submissions/{sub.pk}/upload/", {
        "workbook": SimpleUploadedFile("假的.xlsx", b"<html>not a workbook</html>", XLSX)})
    assert response.status_code == 400
    assert "未导入" in response.content.decode()

"""One table of raw inputs, three ways in: a real workbook (the unit's template, filled with
openpyxl and imported), the web form (the save service and the POST view) and the API. Every way
reads the value with :func:`anju.collect.entry.read_value`, so each row of the table must give the
same stored value — or the same code and the same message — whichever way it came in."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils.html import escape

from anju.dataset import NOT_APPLICABLE
from anju.problems import EntryCode
from anju_web.accounts.services import issue_token
from anju_web.submissions.inputs import RowInput
from anju_web.submissions.models import FigureEntry, Submission
from anju_web.submissions.services import FigureErrors, save_figures, save_unit_report
from anju_web.submissions.units import layout_of
from anju_web.submissions.workbooks import XLSX, WorkbookRefused, read_workbook

from .conftest import client_for, unit, user

pytestmark = pytest.mark.django_db

CLERKS = {"220122": "clerk-220122", "220100": "clerk-220100"}

# (unit, program, figure, what the clerk typed, the value stored or the code of the refusal)
TABLE: list[tuple[str, str, str, str, object]] = [
    ("220122", "rental", "total_funds", "1234.5", Decimal("1234.5")),
    ("220122", "rental", "total_funds", "  1234.50 ", Decimal("1234.5")),
    ("220122", "rental", "total_funds", "1,328", Decimal(1328)),
    ("220122", "rental", "total_funds", "１３２８", Decimal(1328)),  # full-width digits
    ("220122", "rental", "total_funds", "1_328", EntryCode.NOT_A_NUMBER),
    ("220122", "rental", "total_funds", "一千", EntryCode.NOT_A_NUMBER),
    ("220122", "rental", "total_funds", "abc", EntryCode.NOT_A_NUMBER),
    ("220122", "rental", "total_funds", "1e30", EntryCode.TOO_LARGE),
    ("220122", "rental", "total_funds", "12.345", EntryCode.TOO_MANY_DECIMALS),
    ("220122", "rental", "total_funds", "-5", EntryCode.NEGATIVE),
    ("220122", "rental", "central_budget", "不适用", EntryCode.NOT_APPLICABLE_REFUSED),
    ("220122", "rental", "target_new_rental", "不适用", NOT_APPLICABLE),
    ("220122", "rental", "target_new_rental", "N/A", NOT_APPLICABLE),
    ("220122", "rental", "violations", "3", Decimal(3)),
    ("220122", "rental", "violations", "0.5", EntryCode.NOT_WHOLE),
    ("220122", "rental", "satisfaction_rate", "94.5", Decimal("94.5")),
    ("220122", "rental", "satisfaction_rate", "120", EntryCode.PERCENT_RANGE),
    ("220100", "renovation", "cities_issuing_bonds", "是", True),
    ("220100", "renovation", "cities_issuing_bonds", "否", False),
    ("220100", "renovation", "cities_issuing_bonds", "yes", True),
    ("220100", "renovation", "cities_issuing_bonds", "１", True),  # a full-width 1
    ("220100", "renovation", "cities_issuing_bonds", "不适用", EntryCode.ANSWER_INVALID),
    ("220100", "renovation", "cities_issuing_bonds", "也许", EntryCode.ANSWER_INVALID),
]


@dataclass(frozen=True)
class Outcome:
    """What one way in made of the input: the stored value, or the refusal's code and message."""

    value: object = None
    code: str | None = None
    message: str | None = None


@contextmanager
def rolled_back(sub: Submission) -> Iterator[None]:
    """Each way in starts from the same stored data: whatever it wrote is undone afterwards (and
    the submission read again, its version included)."""
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        sub.refresh_from_db()


def stored(sub: Submission, program: str, figure: str) -> object:
    return FigureEntry.objects.get(submission=sub, program=program, figure_id=figure).entered


def through_form(sub: Submission, program: str, figure: str, typed: str) -> Outcome:
    with rolled_back(sub):
        try:
            save_figures(user(CLERKS[sub.region_id]), sub, {(program, figure): RowInput(typed)})
        except FigureErrors as exc:
            [problem] = exc.problems
            assert (problem.where.program, problem.where.figure) == (program, figure)
            return Outcome(code=problem.code, message=problem.message)
        return Outcome(value=stored(sub, program, figure))


def through_form_page(client: Client, sub: Submission, program: str, figure: str, typed: str) -> Outcome:
    """The POST view behind the form: 400 with the message beside the row, or saved."""
    with rolled_back(sub):
        response = client.post(f"/submissions/{sub.pk}/save/", {f"f-{program}-{figure}": typed, "version": sub.version})
        if response.status_code == 400:
            return Outcome(message=response.content.decode())
        assert response.status_code == 302
        return Outcome(value=stored(sub, program, figure))


def filled(template: bytes, sub: Submission, program: str, figure: str, typed: str) -> bytes:
    """The unit's template with the figure's cell holding what was typed (as text, exactly as the
    form and the API receive it)."""
    sheet = layout_of(sub).sheet(program)
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    workbook[sheet.name][sheet.row_of(figure).cell] = typed
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def through_workbook(data: bytes, sub: Submission, program: str, figure: str) -> Outcome:
    cell = layout_of(sub).sheet(program).row_of(figure).cell
    try:
        report, _version = read_workbook(sub, [data], f"{sub.region_id}.xlsx")
    except WorkbookRefused as exc:
        [problem] = exc.problems
        assert (problem.where.sheet, problem.where.cell) == (layout_of(sub).sheet(program).name, cell)
        return Outcome(code=problem.code, message=problem.message)
    with rolled_back(sub):
        save_unit_report(user(CLERKS[sub.region_id]), sub, report, source="Excel 导入")
        return Outcome(value=stored(sub, program, figure))


def through_upload_page(client: Client, data: bytes, sub: Submission, program: str, figure: str) -> Outcome:
    with rolled_back(sub):
        response = client.post(f"/submissions/{sub.pk}/upload/",
                               {"workbook": SimpleUploadedFile(f"{sub.region_id}.xlsx", data, XLSX)})
        if response.status_code == 400:
            return Outcome(message=response.content.decode())
        assert response.status_code == 302
        return Outcome(value=stored(sub, program, figure))


def through_api(api: Client, sub: Submission, program: str, figure: str, typed: str) -> Outcome:
    with rolled_back(sub):
        response = api.put(f"/api/submissions/{sub.pk}/figures", content_type="application/json",
                           data=json.dumps({"version": sub.version,
                                            "figures": [{"program": program, "figure": figure, "value": typed}]}))
        if response.status_code == 422:
            [problem] = json.loads(response.content)["problems"]
            assert (problem["where"]["program"], problem["where"]["figure"]) == (program, figure)
            assert problem["severity"] == "error"
            return Outcome(code=problem["code"], message=problem["message"])
        assert response.status_code == 200, response.content
        return Outcome(value=stored(sub, program, figure))


def expected_outcome(expected: object, reference: Outcome) -> bool:
    if isinstance(expected, EntryCode):
        return reference.code == expected and bool(reference.message)
    return reference.code is None and reference.value == expected and type(reference.value) is type(expected)


def test_one_table_through_the_workbook_the_form_and_the_api(cycle):
    units = {code: unit(cycle, code) for code in CLERKS}
    pages = {code: client_for(name) for code, name in CLERKS.items()}
    apis = {code: Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user(name), '对接')}") for code, name in CLERKS.items()}
    templates = {code: pages[code].get(f"/submissions/{sub.pk}/template.xlsx").content for code, sub in units.items()}
    mismatches: list[str] = []
    for code, program, figure, typed, expected in TABLE:
        sub = units[code]
        workbook = filled(templates[code], sub, program, figure, typed)
        form = through_form(sub, program, figure, typed)
        outcomes: dict[str, Any] = {
            "workbook": through_workbook(workbook, sub, program, figure),
            "api": through_api(apis[code], sub, program, figure, typed),
        }
        where = f"{code} {program}.{figure} “{typed}”"
        if not expected_outcome(expected, form):
            mismatches.append(f"{where}: the form gave {form}, expected {expected!r}")
        mismatches += [f"{where}: {way} gave {got}, the form {form}" for way, got in outcomes.items() if got != form]
        # The pages say the same: the message beside the row / in the upload's list, or the value saved.
        for way, page in (("form page", through_form_page(pages[code], sub, program, figure, typed)),
                          ("upload page", through_upload_page(pages[code], workbook, sub, program, figure))):
            if form.message is not None:
                if page.message is None or escape(form.message) not in page.message:
                    mismatches.append(f"{where}: the {way} does not show “{form.message}”")
            elif page.value != form.value:
                mismatches.append(f"{where}: the {way} stored {page.value!r}, the form {form.value!r}")
    assert not mismatches, "\n".join(mismatches)

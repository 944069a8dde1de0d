"""The batch writer's fast path (:mod:`anju.adapters.excel.derived`): a workbook derived from its
layout's skeleton is, cell for cell and format for format, the workbook XlsxWriter writes directly,
whether blank or pre-filled, and it opens in openpyxl and python-calamine."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from anju.adapters.excel import template
from anju.adapters.excel.derived import MARKER, Skeleton
from anju.adapters.excel.layout import build_layout
from anju.collect.regions import RegionTree
from anju.collect.units import UnitsFile
from anju.collect.validation import RuleSet
from anju.framework import Framework


def _style(cell: object) -> tuple[object, ...]:
    c: openpyxl.cell.cell.Cell = cell  # type: ignore[assignment]
    return (c.number_format, repr(c.font), repr(c.fill), repr(c.border), repr(c.alignment), repr(c.protection))


def _dump(data: bytes) -> dict[str, object]:
    """Everything openpyxl reads of a workbook: each cell's value, type and style, the row heights,
    the column widths, the data validation, the sheet and workbook protection and the sheets' states."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    dump: dict[str, object] = {"sheets": book.sheetnames, "lock": book.security.lockStructure if book.security else None,
                               "active": book.active.title if book.active else None}
    for ws in book.worksheets:
        dump[ws.title] = {
            "cells": {c.coordinate: (c.value, c.data_type, _style(c)) for row in ws.iter_rows() for c in row},
            "rows": {k: (d.height, d.customHeight) for k, d in ws.row_dimensions.items()},
            "columns": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()},
            "validation": [(str(v.sqref), v.type, v.operator, v.formula1, v.formula2, v.allow_blank, v.promptTitle,
                            v.prompt, v.errorTitle, v.error, v.showInputMessage) for v in ws.data_validations.dataValidation],
            "protection": repr(ws.protection),
            "state": ws.sheet_state,
            "freeze": ws.freeze_panes,
            "print": (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth,
                      ws.page_setup.fitToHeight),
        }
    return dump


def _calamine(data: bytes) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


CODES = ["220100", "220200", "220182", "220183", "220122"]
"""Two prefecture cities, two county-level cities and a county of Jilin."""


@pytest.mark.parametrize("filled", [False, True])
def test_a_derived_workbook_is_the_directly_written_one(framework: Framework, tree: RegionTree, rules: RuleSet,
                                                        example_units: UnitsFile, filled: bool) -> None:
    skeletons: dict[object, Skeleton | None] = {}
    for code in CODES:
        layout = build_layout(framework, tree, tree.unit(code))
        values = example_units.units.get(code) if filled else None
        content = template._content(layout, None, rules, values)
        direct = template._direct_bytes(layout, content)
        derived = template._derived_bytes(layout, content, skeletons)
        assert derived != direct  # really derived (not the direct path's bytes)
        assert _dump(derived) == _dump(direct), code
        assert _calamine(derived) == _calamine(direct), code
        with zipfile.ZipFile(io.BytesIO(derived)) as archive:
            assert archive.testzip() is None
            assert not any(MARKER.split("{")[0].encode() in archive.read(n) for n in archive.namelist())
    assert None not in skeletons.values()
    assert len(skeletons) < len(CODES)  # units of one kind share a skeleton


def test_odd_values_are_derived_exactly(framework: Framework, tree: RegionTree, example_units: UnitsFile) -> None:
    """Texts that XML must escape or XlsxWriter writes specially, numbers of every size, a date, and
    a text equal to one of the template's own labels."""
    code = next(iter(example_units.units))
    report = example_units.units[code]
    layout = build_layout(framework, tree, tree.unit(code))
    sheet = layout.sheets[0]
    odd = ["<r>x</r>", "a & b < c > \"d\"", " leading", "trailing ", "_x0041_", "第一行\n第二行", sheet.rows[0].label,
           "=1+1"]
    figures = [Decimal("0.1"), Decimal("123456789.123"), Decimal("1E+20"), Decimal("0"), Decimal("-3")]
    program = report.program(sheet.program.id)
    rows = [r for r in sheet.rows if not r.question]
    changed_program = program.model_copy(update={
        "figures": {**program.figures, **{r.spec.id: f for r, f in zip(rows, figures, strict=False)}},
        "explanations": {r.spec.id: t for r, t in zip(sheet.rows, odd, strict=False)},
    })
    changed = report.model_copy(update={
        "reporter": odd[0], "phone": odd[1], "submitted_at": dt.date(2023, 2, 28),
        "programs": {**report.programs, sheet.program.id: changed_program},
    })
    content = template._content(layout, dt.date(2023, 3, 1), None, changed)
    skeletons: dict[object, Skeleton | None] = {}
    other = template._content(build_layout(framework, tree, tree.unit(code)), dt.date(2023, 3, 1), None, report)
    template._derived_bytes(layout, other, skeletons)  # the skeleton made from another fill
    derived = template._derived_bytes(layout, content, skeletons)
    direct = template._direct_bytes(layout, content)
    assert len(skeletons) == 1 and None not in skeletons.values()
    assert derived != direct
    assert _dump(derived) == _dump(direct)
    assert _calamine(derived) == _calamine(direct)


def test_what_the_fast_path_cannot_write_is_written_directly(framework: Framework, tree: RegionTree,
                                                             example_units: UnitsFile) -> None:
    """A text longer than a cell holds (XlsxWriter cuts it) and a date before 1900-03-01 (Excel's
    leap-year quirk) are left to XlsxWriter: the same workbook as the direct path."""
    code = next(iter(example_units.units))
    report = example_units.units[code]
    layout = build_layout(framework, tree, tree.unit(code))
    sheet = layout.sheets[0]
    program = report.program(sheet.program.id)
    long_note = program.model_copy(update={"explanations": {sheet.rows[0].spec.id: "长" * 40000}})
    for changed in (report.model_copy(update={"programs": {**report.programs, sheet.program.id: long_note}}),
                    report.model_copy(update={"submitted_at": dt.date(1900, 2, 1)})):
        content = template._content(layout, None, None, changed)
        skeletons: dict[object, Skeleton | None] = {}
        derived = template._derived_bytes(layout, content, skeletons)
        skeleton = next(iter(skeletons.values()))
        assert skeleton is not None and skeleton.fill(content.values) is None
        assert _dump(derived) == _dump(template._direct_bytes(layout, content))

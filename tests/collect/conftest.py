"""Shared fixtures for the collection tests: the 2022 framework, Jilin's tree, the example units,
templates generated once per session and filled the way a clerk would (openpyxl, cell by cell)."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from anju.adapters.excel.importer import ImportContext
from anju.adapters.excel.layout import COVER_SHEET, NOT_APPLICABLE_TEXT, YES, build_layout, cover_row
from anju.adapters.excel.template import write_templates
from anju.collect.regions import RegionTree, builtin_region_tree
from anju.collect.units import UnitReport, UnitsFile, load_units
from anju.collect.validation import RuleSet, builtin_rules
from anju.dataset.models import NOT_APPLICABLE
from anju.framework import Framework, builtin_framework

from ..helpers import EXAMPLE


@pytest.fixture(scope="session")
def framework() -> Framework:
    return builtin_framework("2022")


@pytest.fixture(scope="session")
def tree() -> RegionTree:
    return builtin_region_tree("220000")


@pytest.fixture(scope="session")
def rules(framework: Framework) -> RuleSet:
    return builtin_rules(framework)


@pytest.fixture(scope="session")
def example_units(framework: Framework, tree: RegionTree) -> UnitsFile:
    return load_units(EXAMPLE, framework, tree)


@pytest.fixture(scope="session")
def blank_templates(tmp_path_factory: pytest.TempPathFactory, framework: Framework, tree: RegionTree,
                    rules: RuleSet) -> Path:
    target = tmp_path_factory.mktemp("templates")
    write_templates(framework, tree, target, deadline=dt.date(2023, 1, 20), rules=rules)
    return target


def fill_workbook(path: Path, framework: Framework, tree: RegionTree, code: str, report: UnitReport) -> None:
    """Type a unit's report into its template cell by cell, as a clerk would, and save."""
    layout = build_layout(framework, tree, tree.unit(code))
    wb = openpyxl.load_workbook(path)
    cover = wb[COVER_SHEET]
    cover[f"B{cover_row('reporter')}"] = "张三"
    cover[f"B{cover_row('phone')}"] = "0431-88888888"
    if report.submitted_at is not None:
        cover[f"B{cover_row('submitted_at')}"] = report.submitted_at
    for sheet in layout.sheets:
        ws = wb[sheet.name]
        data = report.program(sheet.program.id)
        assert data is not None
        if data.no_task:
            ws["C3"] = YES
            continue
        for row in sheet.rows:
            if row.question:
                ws[row.cell] = YES if data.answers[row.spec.id] else "否"
                continue
            value = data.figures[row.spec.id]
            if value == NOT_APPLICABLE:
                ws[row.cell] = NOT_APPLICABLE_TEXT
            else:
                assert isinstance(value, Decimal)
                ws[row.cell] = int(value) if value == value.to_integral_value() else float(value)
    wb.save(path)


@pytest.fixture(scope="session")
def filled_templates(tmp_path_factory: pytest.TempPathFactory, blank_templates: Path, framework: Framework,
                     tree: RegionTree, example_units: UnitsFile) -> Path:
    target = tmp_path_factory.mktemp("filled")
    for code, report in example_units.units.items():
        layout = build_layout(framework, tree, tree.unit(code))
        shutil.copy(blank_templates / layout.file_name, target / layout.file_name)
        fill_workbook(target / layout.file_name, framework, tree, code, report)
    return target


@pytest.fixture
def context(framework: Framework, tree: RegionTree, rules: RuleSet) -> ImportContext:
    return ImportContext(framework, {tree.code: tree}, rules)


@pytest.fixture
def one_filled(tmp_path: Path, filled_templates: Path) -> Path:
    """A private copy of 长春市's filled workbook, to be broken by a test."""
    source = filled_templates / "220100_长春市.xlsx"
    target = tmp_path / "长春市.xlsx"
    shutil.copy(source, target)
    return target

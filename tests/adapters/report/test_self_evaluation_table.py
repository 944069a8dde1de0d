"""The MoF-format 区域绩效自评表 (issue 10, item 6): from the targets when given, else from the dataset."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from anju.adapters.document.self_evaluation_table import (
    COLUMNS,
    self_evaluation_tables,
    write_self_evaluation_docx,
    write_self_evaluation_xlsx,
)
from anju.collect.regions import builtin_region_tree
from anju.dataset import load_dataset
from anju.scoring import evaluate
from anju.targets import load_targets

from ...helpers import EXAMPLE, with_figures


def test_from_targets_met_and_not_met(tmp_path: Path) -> None:
    dataset, framework = load_dataset(EXAMPLE)
    targets = load_targets(EXAMPLE / "targets.yaml", framework, builtin_region_tree("220000"))
    short = with_figures(dataset, "rental", rental_housing_raised=Decimal(11000))
    tables = self_evaluation_tables(evaluate(framework, short), framework, short, targets)
    rental = tables[0]
    assert rental.program == "中央财政城镇保障性安居工程补助资金（住房租赁保障）"
    assert rental.execution_rate == Decimal("64.93") and rental.execution_score == Decimal("6.49")
    assert sum(r.points for r in rental.rows) == 90
    housing = next(r for r in rental.rows if r.label == "保障性租赁住房筹集套数")
    assert (housing.target, housing.actual) == ("≥12670套", "11000套")
    assert housing.score == (housing.points * Decimal(11000) / Decimal(12670)).quantize(Decimal("0.01"))
    assert "相差1670套" in housing.deviation
    assert rental.total == rental.execution_score + sum(r.score for r in rental.rows)
    docx_path = write_self_evaluation_docx(tables, tmp_path / "自评表.docx", author="吉林省财政厅")
    doc = Document(str(docx_path))
    grids = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == list(COLUMNS)]
    assert len(grids) == len(tables)
    assert any(c.text == "11000套" for r in grids[0].rows for c in r.cells)
    book = load_workbook(write_self_evaluation_xlsx(tables, tmp_path / "自评表.xlsx"))
    assert len(book.worksheets) == len(tables)
    assert any(c.value == "11000套" for r in book.worksheets[0].iter_rows() for c in r)


def test_from_the_dataset_without_targets() -> None:
    dataset, framework = load_dataset(EXAMPLE)
    tables = self_evaluation_tables(evaluate(framework, dataset), framework, dataset)
    rental = tables[0]
    housing = next(r for r in rental.rows if r.target == "≥12670套")
    assert housing.actual == "12670套" and housing.score == housing.points
    assert any(r.category == "服务对象满意度指标" for r in rental.rows)
    assert sum(r.points for r in rental.rows) == 90

"""The MoF-format 区域绩效自评表 (issue 10, item 6; issue 14): from the targets when given, else from
the dataset; its 分值 and 得分 are the evaluation's, so its 总分 is the evaluation's score (ADR 0013)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
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
from anju.scoring.result import ProgramResult
from anju.targets import load_targets

from ...helpers import EXAMPLE, ROOT, with_figures

GUANGXI = ROOT / "examples" / "guangxi-2022"


def _counted_once(table_rows: list[tuple[Decimal | None, Decimal | None]], execution: tuple[Decimal | None, Decimal | None],
                  program: ProgramResult) -> None:
    points = [p for p, _ in [execution, *table_rows] if p is not None]
    assert sum(points, Decimal(0)) == program.points


@pytest.mark.parametrize(("example", "with_targets"), [(EXAMPLE, True), (EXAMPLE, False), (GUANGXI, False)])
def test_the_totals_equal_the_evaluation(example: Path, with_targets: bool, tmp_path: Path) -> None:
    dataset, framework = load_dataset(example)
    evaluation = evaluate(framework, dataset)
    targets = load_targets(example / "targets.yaml", framework, builtin_region_tree("220000")) if with_targets else None
    tables = self_evaluation_tables(evaluation, framework, dataset, targets)
    assert [t.total for t in tables] == [p.score for p in evaluation.programs]
    assert len(tables) == 3
    for table, program in zip(tables, evaluation.programs, strict=True):
        _counted_once([(r.points, r.score) for r in table.rows], (table.execution_points, table.execution_score), program)
        assert table.points == program.points
        execution = next(i for i in program.items() if i.path.endswith("budget_execution.execution_rate"))
        assert (table.execution_points, table.execution_score) == (execution.points, execution.score)
        assert "未采用“预算执行率10分" in table.note
    # What is printed: the 总分 row of every Word table and Excel sheet.
    doc = Document(str(write_self_evaluation_docx(tables, tmp_path / "自评表.docx", author="财政厅")))
    grids = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == list(COLUMNS)]
    assert [(g.rows[-1].cells[0].text, g.rows[-1].cells[6].text) for g in grids] == \
        [("总分", f"{p.score.normalize():f}") for p in evaluation.programs]
    book = load_workbook(write_self_evaluation_xlsx(tables, tmp_path / "自评表.xlsx"))
    totals = [next(row[6].value for row in sheet.iter_rows() if row[0].value == "总分") for sheet in book.worksheets]
    assert [Decimal(str(t)) for t in totals] == [p.score for p in evaluation.programs]


def test_jilin_prints_the_seed_scores() -> None:
    dataset, framework = load_dataset(EXAMPLE)
    targets = load_targets(EXAMPLE / "targets.yaml", framework, builtin_region_tree("220000"))
    tables = self_evaluation_tables(evaluate(framework, dataset), framework, dataset, targets)
    assert [t.total for t in tables] == [Decimal(88), Decimal(85), Decimal(93)]


def test_from_targets_met_and_not_met(tmp_path: Path) -> None:
    dataset, framework = load_dataset(EXAMPLE)
    targets = load_targets(EXAMPLE / "targets.yaml", framework, builtin_region_tree("220000"))
    short = with_figures(dataset, "rental", rental_housing_raised=Decimal(11000))
    evaluation = evaluate(framework, short)
    tables = self_evaluation_tables(evaluation, framework, short, targets)
    rental = tables[0]
    assert rental.program == "中央财政城镇保障性安居工程补助资金（住房租赁保障）"
    assert rental.execution_rate == Decimal("64.93")
    housing = next(r for r in rental.rows if r.label == "保障性租赁住房筹集套数")
    item = evaluation.program("rental").item("outputs.rental_housing_completion")
    assert (housing.target, housing.actual) == ("≥12670套", "11000套")
    assert (housing.points, housing.score) == (item.points, item.score) and item.score < item.points
    assert "相差1670套" in housing.deviation
    assert rental.total == evaluation.program("rental").score < Decimal(88)
    # An item no target names is a row of its own, its deduction explained.
    development = next(r for r in rental.rows if r.category == "确定保障性租赁住房发展目标")
    assert (development.dimension, development.label, development.points, development.score) == \
        ("产出效益", "", Decimal(10), Decimal(3))
    assert development.actual == "新增保障性租赁住房占新增住房供应总量比例15%"
    assert development.deviation.startswith("扣7分")
    # A target no framework item scores is shown, but counted nowhere.
    shantytown = tables[2]
    unscored = next(r for r in shantytown.rows if r.label == "棚户区居民住房条件")
    assert (unscored.points, unscored.score) == (None, None)
    docx_path = write_self_evaluation_docx(tables, tmp_path / "自评表.docx", author="吉林省财政厅")
    doc = Document(str(docx_path))
    grids = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == list(COLUMNS)]
    assert len(grids) == len(tables)
    assert any(c.text == "11000套" for r in grids[0].rows for c in r.cells)
    assert any(c.text == "—" for r in grids[2].rows for c in r.cells[5:7])
    book = load_workbook(write_self_evaluation_xlsx(tables, tmp_path / "自评表.xlsx"))
    assert len(book.worksheets) == len(tables)
    assert any(c.value == "11000套" for r in book.worksheets[0].iter_rows() for c in r)


def test_every_item_is_counted_once_even_when_two_targets_name_it() -> None:
    dataset, framework = load_dataset(EXAMPLE)
    targets = load_targets(EXAMPLE / "targets.yaml", framework, builtin_region_tree("220000"))
    rental = targets.programs["rental"]
    twice = rental.indicators[0].model_copy(update={"id": "rental_housing_again", "label": "保障性租赁住房筹集（再列）"})
    changed = targets.model_copy(update={"programs": {**targets.programs,
                                                      "rental": rental.model_copy(update={"indicators": [*rental.indicators, twice]})}})
    evaluation = evaluate(framework, dataset)
    table = self_evaluation_tables(evaluation, framework, dataset, changed)[0]
    again = next(r for r in table.rows if r.label == "保障性租赁住房筹集（再列）")
    assert (again.points, again.score) == (None, None)
    assert table.total == evaluation.program("rental").score
    labels = Counter(r.label for r in table.rows)
    assert labels["保障性租赁住房计划完成率"] == 0  # scored on the target's row, not repeated among the rest


def test_from_the_dataset_without_targets() -> None:
    dataset, framework = load_dataset(EXAMPLE)
    evaluation = evaluate(framework, dataset)
    tables = self_evaluation_tables(evaluation, framework, dataset)
    rental = tables[0]
    housing = next(r for r in rental.rows if r.target == "≥12670套")
    assert housing.actual == "12670套" and housing.score == housing.points == Decimal(10)
    assert housing.label == "保障性租赁住房计划"
    assert any(r.category == "服务对象满意度指标" for r in rental.rows)
    coverage = next(r for r in rental.rows if r.label.startswith("城镇户籍低保"))
    assert coverage.dimension == "效益指标"
    assert next(r for r in tables[2].rows if r.target == "≥20445套").label == "城市棚户区改造年度计划"

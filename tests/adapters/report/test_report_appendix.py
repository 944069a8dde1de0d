"""The appendix tables come from the framework's declaration: Jilin's workbook is the same cell for
cell as before the tables became data (goldens recorded from the hard-coded tables), and the
values follow the data rules (blank, 不适用, ratios from sums)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from anju.adapters.report import ReportFiles
from anju.adapters.report.appendix import NOT_COMPUTABLE, rate_value, row_values, totals_values
from anju.adapters.report.content import ReportContent, build_content
from anju.adapters.report.xlsx import write_appendix_workbook
from anju.collect.pipeline import partial_prefecture_rows, read_units
from anju.collect.regions import builtin_region_tree
from anju.dataset import Dataset
from anju.dataset.models import NOT_APPLICABLE
from anju.framework.models import Framework
from anju.scoring import Evaluation

from ...helpers import EXAMPLE, FIXTURES, workbook_cells

GOLDEN = FIXTURES / "appendix"


def golden(name: str) -> object:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def as_json(dump: object) -> object:
    """The dump as the golden file holds it (tuples become lists, keys strings)."""
    return json.loads(json.dumps(dump, ensure_ascii=False))


def test_province_workbook_is_unchanged_cell_for_cell(report: ReportFiles) -> None:
    assert report.appendix.name == "吉林省2022年度绩效评价附件1-4统计表.xlsx"
    assert as_json(workbook_cells(report.appendix)) == golden("jilin-2022-province")


def test_per_prefecture_workbook_is_unchanged_cell_for_cell(
    tmp_path: Path, content: ReportContent, scored_jilin: tuple[Dataset, Framework, Evaluation]
) -> None:
    """The rows ``make demo`` writes: one per 市州 from units.yaml, then the totals."""
    dataset, framework, _ = scored_jilin
    tree = builtin_region_tree(dataset.region.code)
    rows = partial_prefecture_rows(framework, read_units(EXAMPLE / "units.yaml", framework, tree), tree)
    target = tmp_path / "附件.xlsx"
    write_appendix_workbook(target, content, framework, rows)
    dump = as_json(workbook_cells(target))
    expected = golden("jilin-2022-prefectures")
    assert isinstance(dump, dict) and isinstance(expected, dict)
    assert dump["sheets"] == expected["sheets"]
    for sheet in expected["sheets"]:
        assert dump[sheet] == expected[sheet], sheet


def test_titles_and_attachment_numbers_come_from_the_declaration(
    content: ReportContent, scored_jilin: tuple[Dataset, Framework, Evaluation]
) -> None:
    assert content.appendix_titles[1] == "2022年中央财政城镇保障性安居工程补助资金支出情况统计表"
    assert content.appendix_titles[4] == "2022年吉林省城镇老旧小区改造任务情况统计表"
    assert [a.number for a in content.attachments] == [1, 2, 3, 4, 5, 6]
    # without --charts the 佐证材料目录 follows the score table directly
    assert content.score_table.number == 5 and content.charts is None
    assert content.evidence_list is not None and content.evidence_list.number == 6
    dataset, framework, evaluation = scored_jilin
    charted = build_content(evaluation, framework, dataset, charts=True)
    assert [a.number for a in charted.attachments] == [1, 2, 3, 4, 5, 6, 7]
    assert charted.charts is not None and charted.charts.number == 6
    assert charted.evidence_list is not None and charted.evidence_list.number == 7


def test_row_and_totals_values_follow_the_data_rules(scored_jilin: tuple[Dataset, Framework, Evaluation]) -> None:
    _, framework, _ = scored_jilin
    table = framework.appendix.tables[0]
    a = row_values(table, {"rental": {"central_budget": Decimal(200), "central_spent": Decimal(150)},
                           "renovation": {"central_budget": NOT_APPLICABLE, "central_spent": NOT_APPLICABLE},
                           "shantytown": {"central_budget": Decimal(0), "central_spent": Decimal(0)}})
    b = row_values(table, {"rental": {"central_budget": Decimal(100), "central_spent": Decimal(10)},
                           "renovation": {"central_budget": Decimal(40), "central_spent": None},
                           "shantytown": {"central_budget": Decimal(10), "central_spent": Decimal(5)}})
    assert a["budget_total"] == Decimal(200)  # 不适用 adds nothing
    assert a["renovation_rate"] == NOT_APPLICABLE and a["shantytown_rate"] == NOT_COMPUTABLE
    assert b["spent_total"] is None and b["rate_total"] is None  # a blank part: the sum is unknown
    totals = totals_values(table, [a, b])
    assert totals["rental_rate"] == Decimal(160) / Decimal(300)  # from the sums, not the mean of 75% and 10%
    assert totals["renovation_budget"] == Decimal(40)
    assert totals["renovation_spent"] is None
    assert totals_values(table, [])["rental_budget"] == NOT_APPLICABLE  # no unit: nothing applies


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(Decimal(1), Decimal(4), Decimal("0.25")), (None, Decimal(4), None), (Decimal(1), NOT_APPLICABLE, NOT_APPLICABLE),
     (Decimal(1), Decimal(0), NOT_COMPUTABLE)],
)
def test_rate_value(numerator: Decimal | None, denominator: Decimal | str, expected: object) -> None:
    assert rate_value(numerator, denominator) == expected  # type: ignore[arg-type]

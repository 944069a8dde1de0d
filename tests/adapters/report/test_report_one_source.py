"""One source of truth (issue 10, item 1): the body, the score table and 附件1–4 come from the same
figures; a dataset that disagrees with its units stops ``anju evaluate`` and ``anju report`` with a
message naming the figure and both values, unless ``--figures`` says which side to use."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from ...helpers import EXAMPLE, run_cli

RAISED = "rental_housing_raised: 12670"


def _changed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "jilin"
    shutil.copytree(EXAMPLE, target)
    path = target / "dataset.yaml"
    text = path.read_text(encoding="utf-8")
    assert RAISED in text
    path.write_text(text.replace(RAISED, "rental_housing_raised: 11000"), encoding="utf-8")
    return target


def _numbers(workbook: Path) -> dict[str, list[object]]:
    book = load_workbook(workbook, data_only=True)
    return {sheet.title: [c.value for row in sheet.iter_rows() for c in row if c.value is not None] for sheet in book}


def _score_of(workbook: Path, label: str) -> object:
    book = load_workbook(workbook, data_only=True)
    for row in book["住房租赁保障"].iter_rows(values_only=True):
        if row[0] is not None and str(row[0]).strip() == label:
            return row[2]
    raise AssertionError(label)


def test_a_disagreement_stops_report_and_evaluate(tmp_path: Path, capsys: Any) -> None:
    data = _changed_copy(tmp_path)
    out = tmp_path / "out"
    code, text = run_cli(capsys, "report", data, "-o", out)
    assert code == 2, text
    assert "不一致" in text and "未生成材料" in text
    assert "住房租赁保障“保障性租赁住房实际筹集”：数据集为11000，各单位汇总为12670" in text
    assert "--figures dataset" in text and "--figures units" in text
    assert not out.exists()
    code, text = run_cli(capsys, "evaluate", data, "-o", tmp_path / "e.json")
    assert code == 2 and "数据集为11000，各单位汇总为12670" in text
    assert not (tmp_path / "e.json").exists()


def test_figures_dataset_puts_the_dataset_everywhere(tmp_path: Path, capsys: Any) -> None:
    data = _changed_copy(tmp_path)
    out = tmp_path / "out"
    code, text = run_cli(capsys, "report", data, "-o", out, "--figures", "dataset")
    assert code == 0, text
    assert "采用数据集" in text
    body = (out / "吉林省2022年度绩效评价指标说明.md").read_text(encoding="utf-8")
    assert "实际筹集11000套" in body and "12670套" not in body.replace("计划筹集保障性租赁住房12670套", "")
    sheets = _numbers(out / "吉林省2022年度绩效评价附件1-4统计表.xlsx")
    housing = next(values for values in sheets.values() if 11000 in values)
    assert "吉林省" in housing  # the province's own row only: units are not shown beside other figures
    assert 12670 in housing  # the plan, not the raised count
    assert not any("长春市" in str(v) for values in sheets.values() for v in values)
    assert _score_of(out / "吉林省2022年度绩效评价附件5指标得分表.xlsx", "保障性租赁住房计划完成率") == 9  # 8.682 → 9, whole points (2022)


def test_figures_units_puts_the_aggregate_everywhere(tmp_path: Path, capsys: Any) -> None:
    data = _changed_copy(tmp_path)
    out = tmp_path / "out"
    code, text = run_cli(capsys, "report", data, "-o", out, "--figures", "units")
    assert code == 0, text
    assert "采用各单位汇总数" in text
    body = (out / "吉林省2022年度绩效评价指标说明.md").read_text(encoding="utf-8")
    assert "实际筹集12670套" in body and "11000" not in body
    sheets = _numbers(out / "吉林省2022年度绩效评价附件1-4统计表.xlsx")
    assert not any(11000 in values for values in sheets.values())
    assert _score_of(out / "吉林省2022年度绩效评价附件5指标得分表.xlsx", "保障性租赁住房计划完成率") == 10


def test_a_wrong_choice_is_refused(tmp_path: Path, capsys: Any) -> None:
    code, text = run_cli(capsys, "report", EXAMPLE, "-o", tmp_path / "o", "--figures", "both")
    assert code == 2 and "--figures 只能是 dataset" in text


def test_example_rows_are_labelled_in_the_appendix_workbook(tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "out"
    code, text = run_cli(capsys, "report", EXAMPLE, "-o", out)
    assert code == 0, text
    assert "示例数据" in text
    book = load_workbook(out / "吉林省2022年度绩效评价附件1-4统计表.xlsx")
    for sheet in book:
        cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert any(c.startswith("示例数据") for c in cells), sheet.title
        assert "示例数据" in (sheet.oddHeader.left.text or ""), sheet.title


def test_province_only_needs_no_units(tmp_path: Path, capsys: Any) -> None:
    data = _changed_copy(tmp_path)
    code, text = run_cli(capsys, "report", data, "-o", tmp_path / "out", "--province-only")
    assert code == 0, text
    sheets = _numbers(tmp_path / "out" / "吉林省2022年度绩效评价附件1-4统计表.xlsx")
    assert any(11000 in values for values in sheets.values())
    assert not any("示例数据" in str(v) for values in sheets.values() for v in values)

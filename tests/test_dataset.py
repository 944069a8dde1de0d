"""Dataset loading: blank, zero and not applicable stay distinct; bad input names file and line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from anju.dataset import NOT_APPLICABLE, DatasetError, load_dataset

from .helpers import EXAMPLE

HEAD = 'region: {code: "220000", name: 吉林省}\nyear: 2022\nframework: "2022"\nprograms:\n  rental:\n    figures:\n'


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "dataset.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def test_example_loads(jilin: object) -> None:
    dataset, framework = load_dataset(EXAMPLE)
    assert dataset.region.code == "220000"
    assert framework.id == "2022"
    assert dataset.figure("rental", "county_funds") == Decimal("41256.62")


def test_blank_zero_and_not_applicable(tmp_path: Path) -> None:
    path = write(tmp_path, "      violations: 0\n      central_spent:\n      target_new_rental: 不适用\n      central_budget: ''\n")
    dataset, _ = load_dataset(path)
    figures = dataset.programs["rental"].figures
    assert figures["violations"] == Decimal(0)
    assert figures["central_spent"] is None
    assert figures["central_budget"] is None
    assert figures["target_new_rental"] == NOT_APPLICABLE


def test_decimal_exactness(tmp_path: Path) -> None:
    dataset, _ = load_dataset(write(tmp_path, "      county_funds: 41256.62\n      central_funds: 0.1\n"))
    assert dataset.figure("rental", "county_funds") == Decimal("41256.62")
    assert dataset.figure("rental", "central_funds") == Decimal("0.1")  # not 0.1000000000000000055…


def test_text_in_number_names_figure_and_line(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as info:
        load_dataset(write(tmp_path, "      violations: 0\n      county_funds: 约3万\n"))
    message = str(info.value)
    assert "county_funds" in message and "约3万" in message
    assert "dataset.yaml:" in message


def test_unknown_figure_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as info:
        load_dataset(write(tmp_path, "      county_fund: 5\n"))
    problem = info.value.problems[0]
    assert "未知的数据项“county_fund”" in problem.message
    assert (problem.where.line, problem.code) == (7, "REFERENCE_UNKNOWN")


def test_unknown_judgement_target_and_clause(tmp_path: Path) -> None:
    body = (
        "      violations: 0\n    judgements:\n      fund_management.nothing:\n        clauses: {a: true}\n"
        "      fund_management.fund_distribution:\n        clauses: {method: true, timly: true}\n"
    )
    with pytest.raises(DatasetError) as info:
        load_dataset(write(tmp_path, body))
    text = str(info.value)
    assert "“fund_management.nothing”不存在" in text
    assert "未知的评分要点“timly”" in text
    assert len(info.value.problems) == 2


def test_duplicate_key_in_dataset(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="重复的键“violations”"):
        load_dataset(write(tmp_path, "      violations: 0\n      violations: 1\n"))


def test_bad_region_code(tmp_path: Path) -> None:
    path = tmp_path / "dataset.yaml"
    path.write_text(HEAD.replace('"220000"', '"22"') + "      violations: 0\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="code"):
        load_dataset(path)


def test_missing_dataset_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="文件不存在"):
        load_dataset(tmp_path)


def test_partial_clause_points_survive_a_json_round_trip() -> None:
    """A clause that earned part of its points (Jilin's 信贷支持 1 of 2) stays points when the dataset
    is stored as JSON (as the web system stores each run's dataset) and read back, and scores the same."""
    from anju.dataset import Dataset
    from anju.scoring import evaluate

    dataset, framework = load_dataset(EXAMPLE)
    clauses = dataset.programs["rental"].judgements["outputs.support_policies"].clauses
    assert clauses["credit_support"] == 1 and not isinstance(clauses["credit_support"], bool)
    again = Dataset.model_validate(dataset.model_dump(mode="json"))
    kept = again.programs["rental"].judgements["outputs.support_policies"].clauses
    assert not isinstance(kept["credit_support"], bool) and kept["credit_support"] == 1
    assert kept["mechanism"] is True
    assert [p.score for p in evaluate(framework, again).programs] == [p.score for p in evaluate(framework, dataset).programs]

"""The engine reads every rule from data, refuses to guess blanks, and hashes its inputs."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from anju.dataset import Dataset, load_dataset
from anju.dataset.models import NOT_APPLICABLE
from anju.framework import Framework, FrameworkError, builtin_framework, load_framework
from anju.framework.loader import BUILTIN_DIR
from anju.scoring import Evaluation, EvaluationError, evaluate

from .helpers import EXAMPLE, with_figures


def copy_framework(tmp_path: Path) -> Path:
    target = tmp_path / "fw2022"
    shutil.copytree(BUILTIN_DIR / "2022", target)
    return target


def test_threshold_change_in_yaml_changes_score(tmp_path: Path, jilin: tuple[Dataset, Framework]) -> None:
    dataset, _ = jilin
    fw_dir = copy_framework(tmp_path)
    rental = fw_dir / "rental.yaml"
    text = rental.read_text(encoding="utf-8")
    # execution rate 64.93%: move the 1-point band's lower cut from 60% to 65% → 0 points
    text = text.replace(
        "                - {below: 60, points: 0}\n                - {at_least: 60, below: 80, points: 1}",
        "                - {below: 65, points: 0}\n                - {at_least: 65, below: 80, points: 1}",
        1,
    )
    rental.write_text(text, encoding="utf-8")
    framework = load_framework(fw_dir)
    result = evaluate(framework, dataset).program("rental")
    assert result.item("fund_management.budget_execution.execution_rate").score == 0
    assert result.score == Decimal(87)


def test_points_change_in_yaml_changes_score(tmp_path: Path, jilin: tuple[Dataset, Framework]) -> None:
    """The framework's one declared rounding (issue 10, item 7) decides every proportional score."""
    dataset, _ = jilin
    fw_dir = copy_framework(tmp_path)
    path = fw_dir / "framework.yaml"
    text = path.read_text(encoding="utf-8").replace("  proportional: 0\n", "  proportional: 2\n")
    path.write_text(text, encoding="utf-8")
    result = evaluate(load_framework(fw_dir), dataset).program("shantytown")
    assert result.item("outputs.allocation_rate").score == Decimal("20.06")
    assert result.score == Decimal("93.06")
    assert "25 × 80.25% = 20.0625，按规定保留两位小数计20.06分" in result.item("outputs.allocation_rate").branch


def test_one_rounding_per_framework_rule_level_decimals_refused(tmp_path: Path) -> None:
    fw_dir = copy_framework(tmp_path)
    path = fw_dir / "rental.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "          metric: {label: 保障性租赁住房计划完成率"
    assert marker in text
    path.write_text(text.replace(marker, "          decimals: 2\n" + marker, 1), encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(fw_dir)
    message = str(info.value)
    assert "rental.yaml" in message and "一个指标体系的按比例计分只用一种保留方式" in message
    assert "rounding" in message


def test_builtin_frameworks_declare_one_rounding() -> None:
    assert builtin_framework("2022").rounding.proportional == 0
    assert builtin_framework("2022").rounding.provenance.value == "inferred"
    for year in ("2020", "2024"):
        rounding = builtin_framework(year).rounding
        assert rounding.proportional == 2 and rounding.provenance.value == "assumed" and rounding.note


def test_blank_required_figure_names_figure_and_item(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    broken = with_figures(dataset, "rental", central_spent=None)
    with pytest.raises(EvaluationError) as info:
        evaluate(framework, broken)
    (problem,) = info.value.problems
    assert (problem.code, problem.where.program, problem.where.item) == (
        "FIGURE_BLANK", "rental", "fund_management.budget_execution.execution_rate")
    assert "中央财政补助资金实际支出" in problem.message and "central_spent" not in problem.message
    assert "为空" in problem.message


def test_all_unscorable_items_reported_together(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    broken = with_figures(dataset, "renovation", planned_communities=None, violations=None)
    with pytest.raises(EvaluationError) as info:
        evaluate(framework, broken)
    paths = {f"{p.where.program}.{p.where.item}" for p in info.value.problems}
    assert "renovation.fund_management.fund_use" in paths
    assert "renovation.outputs.plan_completion.communities" in paths
    assert len(paths) >= 8  # every share over planned communities, plus the deduction


def test_zero_plan_is_an_error_not_a_silent_score(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    broken = with_figures(dataset, "rental", rental_housing_planned=Decimal(0), rental_housing_raised=Decimal(0))
    with pytest.raises(EvaluationError, match=r"分母.*为0"):
        evaluate(framework, broken)


def test_not_applicable_follows_rule_policy(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    na = with_figures(dataset, "rental", target_new_rental=NOT_APPLICABLE, target_new_supply=NOT_APPLICABLE)
    item = evaluate(framework, na).program("rental").item("outputs.development_target")
    assert item.score == item.points == 10
    assert "不适用" in item.branch and item.explanation == "本项不适用。"
    assert item.narrative is None  # its narrative names the rate, which a not-applicable item does not have
    refused = with_figures(dataset, "rental", central_spent=NOT_APPLICABLE)
    with pytest.raises(EvaluationError, match="不适用"):
        evaluate(framework, refused)


def test_findings_deduct(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    result = evaluate(framework, with_figures(dataset, "rental", violations=Decimal(2))).program("rental")
    item = result.item("fund_management.fund_use")
    assert item.score == 3
    assert item.explanation == "经核查，发现资金截留、挪用等违规违纪问题2件。"
    assert result.score == 86


def test_below_100_completion_is_proportional(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    result = evaluate(framework, with_figures(dataset, "rental", rental_housing_raised=Decimal(6335))).program("rental")
    item = result.item("outputs.rental_housing_completion")
    assert item.score == Decimal("5.00")
    assert "完成计划的50%" in item.explanation


def test_result_is_reproducible_and_hash_tracks_inputs(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    first, second = evaluate(framework, dataset), evaluate(framework, dataset)
    assert first == second
    assert first.input_hash == second.input_hash and len(first.input_hash) == 64
    changed = evaluate(framework, with_figures(dataset, "rental", central_spent=Decimal("31524.97")))
    assert changed.input_hash != first.input_hash
    assert changed.framework_hash == first.framework_hash


def test_json_round_trip(jilin_evaluation: Evaluation) -> None:
    text = jilin_evaluation.model_dump_json()
    again = Evaluation.model_validate_json(text)
    assert again.program("renovation").score == 85
    assert '"score":"88"' in text.replace(" ", "")


def test_judged_points_lower_total_and_unknown_field_refused(tmp_path: Path) -> None:
    text = (EXAMPLE / "dataset.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "      outputs.policies:\n        points: 2\n", "      outputs.policies:\n        points: 1\n", 1
    )
    path = tmp_path / "dataset.yaml"
    path.write_text(text, encoding="utf-8")
    dataset, framework = load_dataset(path)
    # a reason is given in the example, so 1 point is accepted and lowers the total by 1
    assert evaluate(framework, dataset).program("renovation").score == 84
    text = text.replace("        reason: 围绕项目实施", "        evidence_note: 围绕项目实施", 1)
    path.write_text(text, encoding="utf-8")
    from anju.dataset import DatasetError

    with pytest.raises(DatasetError, match="evidence_note"):
        load_dataset(path)

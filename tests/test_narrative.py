"""Narrative that cannot contradict the data (issue 10, item 2): placeholders rendered from the
evaluation, and contradictions reported as errors before any document is written."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from anju.checks import run_checks
from anju.dataset import Dataset, load_dataset
from anju.framework.models import Framework
from anju.problems import ConsistencyCode
from anju.scoring import EvaluationError, evaluate

from .helpers import EXAMPLE, run_cli, with_figures

FUND_USE = "fund_management.fund_use"
DISTRIBUTION = "fund_management.fund_distribution"


@pytest.fixture(scope="module")
def jilin() -> tuple[Dataset, Framework]:
    return load_dataset(EXAMPLE)


def _with(dataset: Dataset, program: str, *, narrative: dict[str, str] | None = None,
          judgement: tuple[str, dict[str, Any]] | None = None) -> Dataset:
    data = dataset.programs[program]
    update: dict[str, Any] = {}
    if narrative:
        update["narrative"] = {**data.narrative, **narrative}
    if judgement:
        path, clauses = judgement
        judgements = dict(data.judgements)
        judgements[path] = judgements[path].model_copy(update={"clauses": clauses, "reason": "未在30日内分解下达。"})
        update["judgements"] = judgements
    programs = dict(dataset.programs)
    programs[program] = data.model_copy(update=update)
    return dataset.model_copy(update={"programs": programs})


def _contradictions(framework: Framework, dataset: Dataset) -> list[str]:
    evaluation = evaluate(framework, dataset)
    return [p.message for p in run_checks(framework, dataset, evaluation)
            if p.code == ConsistencyCode.NARRATIVE_CONTRADICTION]


def test_the_seed_narrative_has_no_contradiction(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    assert _contradictions(framework, dataset) == []


def test_violations_beside_no_violations_is_an_error(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    found = _contradictions(framework, with_figures(dataset, "renovation", violations=Decimal(2)))
    assert len(found) == 1
    assert "“资金使用管理”的说明文字称“没有发现资金截留、挪用等违规违纪行为”，但数据为发现问题2件（得分3分）" in found[0]


def test_quality_problems_beside_none_found_is_an_error(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    found = _contradictions(framework, with_figures(dataset, "shantytown", quality_problems=Decimal(1)))
    assert any("尚未发现" in f and "1件" in f for f in found), found


def test_a_clause_judged_not_met_with_its_points_in_the_narrative(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    changed = _with(dataset, "rental", judgement=(DISTRIBUTION, {"method": True, "timely": False}))
    found = _contradictions(framework, changed)
    assert len(found) == 1
    assert "第2个要点" in found[0] and "（3分）" in found[0] and "计分为0分" in found[0]


def test_all_reached_for_an_item_that_lost_points(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    changed = with_figures(dataset, "rental", low_income_coverage_rate=Decimal(90))
    found = _contradictions(framework, changed)
    assert any("均达到100%" in f for f in found), found


def test_placeholders_follow_the_figures(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    text = "{our_region}各级财政和住建部门发现资金截留、挪用等问题{violations}件，本项得分{score}分。"
    changed = with_figures(_with(dataset, "renovation", narrative={FUND_USE: text}), "renovation", violations=Decimal(2))
    evaluation = evaluate(framework, changed)
    item = evaluation.program("renovation").item(FUND_USE)
    assert item.narrative == "我省各级财政和住建部门发现资金截留、挪用等问题2件，本项得分3分。"
    assert _contradictions(framework, changed) == []


def test_clause_placeholders(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    text = "1.资金管理办法健全（{clause_method}分）。2.及时分解下达（{clause_timely}分）。"
    changed = _with(dataset, "rental", narrative={DISTRIBUTION: text},
                    judgement=(DISTRIBUTION, {"method": True, "timely": False}))
    item = evaluate(framework, changed).program("rental").item(DISTRIBUTION)
    assert item.narrative == "1.资金管理办法健全（2分）。2.及时分解下达（0分）。"
    assert _contradictions(framework, changed) == []


def test_an_unknown_placeholder_is_refused(jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    changed = _with(dataset, "renovation", narrative={FUND_USE: "发现问题{violatons}件。"})
    with pytest.raises(EvaluationError) as caught:
        evaluate(framework, changed)
    assert "{violatons}" in str(caught.value.problems[0])


def test_report_writes_nothing_while_a_contradiction_remains(tmp_path: Path, capsys: Any) -> None:
    data = tmp_path / "jilin"
    shutil.copytree(EXAMPLE, data)
    (data / "units.yaml").unlink()
    path = data / "dataset.yaml"
    text = path.read_text(encoding="utf-8")
    head, renovation = text.split("\n  renovation:\n", 1)
    path.write_text(head + "\n  renovation:\n" + renovation.replace("violations: 0", "violations: 2", 1), encoding="utf-8")
    code, out = run_cli(capsys, "report", data, "-o", tmp_path / "out")
    assert code == 2, out
    assert "说明文字与评价结果有 1 处矛盾，未生成材料" in out and "没有发现资金截留" in out
    assert not (tmp_path / "out").exists()
    code, out = run_cli(capsys, "evaluate", data, "-o", tmp_path / "e.json")
    assert code == 0 and "NARRATIVE_CONTRADICTION" in out


def test_a_figure_in_wan_as_documents_write_large_counts() -> None:
    """{figure:万}: 30000 → 3万 (the seed's 3万套/20万套), 12345 → 1.2345万; blank stays visible."""
    from anju.scoring.explain import render

    assert render("计划新增{a:万}套，总量{b:万}套", {"a": Decimal(30000), "b": Decimal(200000)}) == "计划新增3万套，总量20万套"
    assert render("{a:万}", {"a": Decimal(12345)}) == "1.2345万"
    assert render("{a:万}套", {"a": None}) == "（未填报）套"

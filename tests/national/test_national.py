"""The national example (示例数据): 37 regions evaluated and ranked; bad sets refused."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anju.cli import app
from anju.national import NationalError, evaluate_national

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = ROOT / "examples" / "national-2022"
runner = CliRunner()


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return evaluate_national(NATIONAL)


def test_all_37_regions_evaluate_in_3_programs(result) -> None:  # type: ignore[no-untyped-def]
    assert len(result.regions) == 37 and result.missing == []
    assert [pid for pid, _ in result.programs] == ["rental", "renovation", "shantytown"]
    jilin = next(r for r in result.regions if r.code == "220000")
    assert [jilin.score(p) for p in ("rental", "renovation", "shantytown")] == [88, 85, 93]
    assert jilin.mean == Decimal("88.67")
    means = [r.mean for r in result.regions]
    assert means == sorted(means, reverse=True) and len(set(means)) > 10  # the figures differ by region
    assert [r.rank for r in result.regions][:2] == [1, 2]
    assert {r.code for r in result.regions} >= {"210200", "440300", "660000"}


def test_cli_prints_the_ranking_and_saves_json(tmp_path: Path) -> None:
    out = tmp_path / "national.json"
    run = runner.invoke(app, ["national", "evaluate", str(NATIONAL), "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "排名" in run.output and "吉林省" in run.output and "共 37 个地区" in run.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["regions"]) == 37
    jilin = next(r for r in data["regions"] if r["code"] == "220000")
    assert jilin["programs"]["rental"]["score"] == "88"


def test_a_region_missing_from_the_set(tmp_path: Path) -> None:
    target = tmp_path / "set"
    shutil.copytree(NATIONAL, target)
    text = (target / "national.yaml").read_text(encoding="utf-8")
    (target / "national.yaml").write_text("\n".join(line for line in text.splitlines() if "\"110000\"" not in line) + "\n",
                                          encoding="utf-8")
    run = runner.invoke(app, ["national", "evaluate", str(target)])
    assert run.exit_code == 0 and "缺少 1 个地区的数据：110000" in run.output
    assert runner.invoke(app, ["national", "evaluate", str(target), "--complete"]).exit_code == 1


def test_bad_entries_are_refused_with_file_and_line(tmp_path: Path) -> None:
    target = tmp_path / "set"
    shutil.copytree(NATIONAL, target)
    text = (target / "national.yaml").read_text(encoding="utf-8")
    text = text.replace("dataset: 120000.yaml", "dataset: 不存在.yaml").replace('"130000": {name: 河北省, dataset: 130000.yaml',
                                                                          '"130000": {name: 河北省, dataset: 140000.yaml')
    (target / "national.yaml").write_text(text + '  "999900": {name: 某地, dataset: 110000.yaml}\n', encoding="utf-8")
    with pytest.raises(NationalError) as caught:
        evaluate_national(target)
    messages = [str(p) for p in caught.value.problems]
    assert any("天津市的数据集“不存在.yaml”不存在" in m and "national.yaml:" in m for m in messages)
    assert any("与清单中的“130000”（河北省）不一致" in m for m in messages)
    assert any("“999900”（某地）不是内置的顶层报表地区" in m for m in messages)
    run = runner.invoke(app, ["national", "evaluate", str(target)])
    assert run.exit_code == 2 and "Traceback" not in run.output


def test_example_is_what_the_script_makes() -> None:
    run = subprocess.run([sys.executable, str(NATIONAL / "make_national.py"), "--check"], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr

"""The command line, through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from anju.cli import app

from .helpers import EXAMPLE, FIXTURES, ROOT

runner = CliRunner()


def test_evaluate_example(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "住房租赁保障 88 分（良）" in result.output
    assert "城镇老旧小区改造 85 分（良）" in result.output
    assert "城市棚户区改造 93 分（优）" in result.output
    assert "STATED_PERCENT_MISMATCH" in result.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert [p["score"] for p in payload["evaluation"]["programs"]] == ["88", "85", "93"]
    assert payload["evaluation"]["framework_id"] == "2022"
    assert any(i["code"] == "STATED_SUBTOTAL_MISMATCH" for i in payload["issues"])


def test_evaluate_strict_exits_1_on_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "-o", str(tmp_path / "r.json"), "--strict"])
    assert result.exit_code == 1


def test_evaluate_missing_figure_exits_2(tmp_path: Path) -> None:
    text = (EXAMPLE / "dataset.yaml").read_text(encoding="utf-8").replace("      central_spent: 31524.96\n", "      central_spent:\n", 1)
    path = tmp_path / "dataset.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(path), "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    assert "中央财政补助资金实际支出" in result.output and "预算执行" in result.output
    assert not (tmp_path / "r.json").exists()


def test_evaluate_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "dataset.yaml"
    path.write_text('region: {code: "220000", name: 吉林省}\nyear: 2022\n  framework: x\n', encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3" in result.output


def test_framework_check_ok_and_broken() -> None:
    ok = runner.invoke(app, ["framework", "check", "src/anju/framework/frameworks/2022"])
    assert ok.exit_code == 0, ok.output
    assert "校验通过" in ok.output
    assert "附件统计表：4 张（附件1 中央财政资金支出、" in ok.output
    bad = runner.invoke(app, ["framework", "check", str(FIXTURES / "frameworks" / "broken" / "unknown_rule_kind.yaml")])
    assert bad.exit_code == 2
    assert "未知的评分规则类型“magic”" in bad.output and "unknown_rule_kind.yaml:16" in bad.output


@pytest.mark.parametrize(("year", "programs"), [("2020", 3), ("2022", 3), ("2024", 4)])
def test_framework_check_takes_a_built_in_year(year: str, programs: int) -> None:
    result = runner.invoke(app, ["framework", "check", year])
    assert result.exit_code == 0, result.output
    assert result.output.count("个指标节点") == programs


def test_framework_show() -> None:
    result = runner.invoke(app, ["framework", "show", "2022", "--program", "renovation"])
    assert result.exit_code == 0, result.output
    assert "城镇老旧小区改造" in result.output and "住房租赁保障" not in result.output
    assert "预算执行率分档" in result.output
    assert "假设" in result.output


def test_framework_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = runner.invoke(app, ["framework", "schema", "-o", str(out)])
    assert result.exit_code == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert {"Item", "RatioTiers", "Checklist", "Deduction"} <= set(schema["$defs"])


def _leaf_commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(getattr(group, "commands", {}).items()):
        if hasattr(command, "commands"):
            found += _leaf_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


COMMANDS = _leaf_commands(typer.main.get_command(app))


def _readme_commands() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## 命令行")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_every_command_is_registered() -> None:
    assert len(COMMANDS) >= 14 and ("evaluate",) in COMMANDS and ("region", "show") in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "示例：anju " + " ".join(command) in result.output
    assert "anju " + " ".join(command) in _readme_commands()

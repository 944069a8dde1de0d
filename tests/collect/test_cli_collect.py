"""The collection commands end to end: template → import → evaluate --from-units, completeness,
aggregate, region; nothing is written when a batch is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from anju.cli import app

from ..helpers import EXAMPLE

runner = CliRunner()


def test_template_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", "--framework", "2022", "--region", "220000", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "已为吉林省48个报表单位生成2022年度填报模板" in result.output
    assert len(list(tmp_path.glob("*.xlsx"))) == 48


def test_template_for_units_named_by_users(tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", "-o", str(tmp_path), "-u", "长春", "-u", "伊通县"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["220100_长春市.xlsx", "220323_伊通满族自治县.xlsx"]
    ambiguous = runner.invoke(app, ["template", "-o", str(tmp_path), "-u", "通化"])
    assert ambiguous.exit_code == 2
    assert "“通化”有歧义，可指 通化市（220500）、通化县（220521）" in ambiguous.output


def test_import_then_evaluate_from_units(tmp_path: Path, filled_templates: Path) -> None:
    dataset_dir = tmp_path / "jilin"
    dataset_dir.mkdir()
    shutil.copy(EXAMPLE / "dataset.yaml", dataset_dir / "dataset.yaml")
    dry = runner.invoke(app, ["import", str(filled_templates), "--dry-run", "-o", str(dataset_dir)])
    assert dry.exit_code == 0, dry.output
    assert "共 48 个文件：可导入 48 个，拒收 0 个" in dry.output and "未写入任何文件" in dry.output
    assert not (dataset_dir / "units.yaml").exists()
    real = runner.invoke(app, ["import", *map(str, sorted(filled_templates.glob("*.xlsx"))), "-o", str(dataset_dir)])
    assert real.exit_code == 0, real.output
    assert f"已写入 {dataset_dir / 'units.yaml'}（本次导入 48 个单位）" in real.output
    evaluated = runner.invoke(app, ["evaluate", str(dataset_dir), "--from-units", "-o", str(tmp_path / "e.json")])
    assert evaluated.exit_code == 0, evaluated.output
    assert "住房租赁保障 88 分" in evaluated.output
    assert "城镇老旧小区改造 85 分" in evaluated.output
    assert "城市棚户区改造 93 分" in evaluated.output
    assert "48 个报表单位逐级汇总" in evaluated.output


def test_the_shipped_example_evaluates_from_units(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "--from-units", "-o", str(tmp_path / "e.json")])
    assert result.exit_code == 0, result.output
    assert "总分：住房租赁保障 88 分（良）；城镇老旧小区改造 85 分（良）；城市棚户区改造 93 分（优）" in result.output
    assert "示例数据，非真实分地区数据" in result.output


def test_a_refused_file_is_not_written(tmp_path: Path, filled_templates: Path) -> None:
    bad = tmp_path / "in" / "220122_农安县.xlsx"
    bad.parent.mkdir()
    bad.write_bytes(b"not a workbook")
    good = filled_templates / "220100_长春市.xlsx"
    out = tmp_path / "units.yaml"
    strict = runner.invoke(app, ["import", str(good), str(bad), "-o", str(out), "--strict"])
    assert strict.exit_code == 2
    assert "220122_农安县.xlsx：不是 Excel 工作簿" in strict.output
    assert not out.exists()
    lenient = runner.invoke(app, ["import", str(good), str(bad), "-o", str(out)])
    assert lenient.exit_code == 2
    assert "1 个文件被拒收，未导入" in lenient.output
    text = out.read_text(encoding="utf-8")
    assert "'220100':" in text and "'220122':" not in text


def test_a_second_file_for_the_same_unit_is_refused(tmp_path: Path, filled_templates: Path) -> None:
    copy = tmp_path / "长春市（重报）.xlsx"
    shutil.copy(filled_templates / "220100_长春市.xlsx", copy)
    result = runner.invoke(app, ["import", str(filled_templates / "220100_长春市.xlsx"), str(copy), "--dry-run"])
    assert result.exit_code == 2
    assert "与“220100_长春市.xlsx”是同一单位（长春市（市本级及市辖区），220100）的报表，同一批次只能导入一份" in result.output


def test_completeness_command() -> None:
    result = runner.invoke(app, ["completeness", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "应报 48 个单位，已报 48 个（100.0%），按时 46 个，逾期 2 个，未报 0 个。" in result.output
    assert "长白朝鲜族自治县" in result.output


def test_aggregate_command() -> None:
    result = runner.invoke(app, ["aggregate", str(EXAMPLE), "--by", "prefecture"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "89805.62" in result.output and "按累计筹集租赁住房" in result.output
    assert "校验规则与异常值：未发现问题。" in result.output


def test_region_commands() -> None:
    found = runner.invoke(app, ["region", "find", "公主岭", "长春市农安县", "--year", "2022"])
    assert found.exit_code == 0
    assert "公主岭 → 220184 公主岭市（吉林省 › 长春市 › 公主岭市）" in found.output
    shown = runner.invoke(app, ["region", "show", "220000", "--year", "2022"])
    assert shown.exit_code == 0 and "报表单位 48 个（2022年）" in shown.output

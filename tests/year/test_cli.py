"""The year's commands through the real command line."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from typer.testing import CliRunner

from anju.cli import app

from ..helpers import EXAMPLE
from .conftest import raw, write

runner = CliRunner()


def test_targets_check_prints_the_table() -> None:
    result = runner.invoke(app, ["targets", "check", str(EXAMPLE)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "住房租赁保障区域绩效目标表" in result.output and "≥12670套" in result.output
    assert "绩效目标校验通过" in result.output


def test_targets_that_do_not_add_up_exit_2(tmp_path: Path) -> None:
    data = raw("targets.yaml")
    data["programs"]["rental"]["units"]["220100"]["rental_housing"] = 5000
    write(tmp_path / "targets.yaml", data)
    result = runner.invoke(app, ["targets", "check", str(tmp_path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "与全省目标12670套不符（差-799套）" in result.output and "长春市所属单位合计" in result.output


def test_monitor_check_blocks_a_round_with_an_unexplained_warning(tmp_path: Path) -> None:
    (tmp_path / "targets.yaml").write_text((EXAMPLE / "targets.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    data = raw("monitoring.yaml")
    data["rounds"][1]["reports"]["220122"]["programs"]["renovation"]["explanations"] = []
    write(tmp_path / "monitoring.yaml", data)
    ok = runner.invoke(app, ["monitor", "check", str(tmp_path), "--as-of", "2022-06-30"])
    assert ok.exit_code == 0, ok.output
    blocked = runner.invoke(app, ["monitor", "check", str(tmp_path), "--as-of", "2022-09-30"], env={"COLUMNS": "300"})
    assert blocked.exit_code == 2
    assert "本轮监控情况不能报送" in blocked.output and "农安县城镇老旧小区改造：预警“预算执行进度严重滞后”" in blocked.output


def test_monitor_board_and_chart(tmp_path: Path) -> None:
    chart = tmp_path / "执行进度.png"
    result = runner.invoke(app, ["monitor", "board", str(EXAMPLE), "--as-of", "2022-06-30", "--chart", str(chart)],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "2022年6月30日绩效运行监控看板（时序进度 49.59%）" in result.output
    assert "全省合计" in result.output and "红 9.4%" in result.output
    assert "全省：按当前进度，年末预算执行率预计约18.96%，“预算执行率”指标将得0分（满分3分）" in result.output
    assert chart.stat().st_size > 10_000
    undeclared = runner.invoke(app, ["monitor", "board", str(EXAMPLE), "--as-of", "2022-07-01"])
    assert undeclared.exit_code == 2 and "不是声明的监控日期" in undeclared.output


def test_selfreport_writes_the_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["selfreport", str(EXAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = Document(str(tmp_path / "绩效自评报告.docx"))
    assert [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "公文一级标题"] == [
        "一、绩效目标分解下达情况", "二、绩效目标完成情况分析", "三、偏离绩效目标的原因和下一步改进措施", "四、绩效自评结果"]
    assert (tmp_path / "图1-预算执行进度与时序进度.png").exists()
    assert "须人工补充" in result.output


def test_targets_template_filled_from_the_dataset_adds_up_once_the_texts_are_written(tmp_path: Path) -> None:
    from anju.yamlio import read_yaml

    out = tmp_path / "targets.yaml"
    result = runner.invoke(app, ["targets", "template", "-o", str(out), "--fill", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    unfinished = runner.invoke(app, ["targets", "check", str(out)], env={"COLUMNS": "300"})
    assert unfinished.exit_code == 2 and "字段“overall”不能为空" in unfinished.output
    data = read_yaml(out).data
    data["issued"] = {"date": "2022-06-10", "document": "吉财建〔2022〕1号"}
    for program in data["programs"].values():
        program["overall"] = "完成年度任务。"
    assert data["programs"]["rental"]["indicators"][0]["value"] == 12670
    write(out, data)
    checked = runner.invoke(app, ["targets", "check", str(out)], env={"COLUMNS": "300"})
    assert checked.exit_code == 0, checked.output
    assert "≥1142个" in checked.output and "≥20445套" in checked.output

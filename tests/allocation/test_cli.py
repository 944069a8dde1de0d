"""``anju allocate …`` through typer's CliRunner."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from anju.cli import app

from .helpers import EXAMPLES, FIXTURES

runner = CliRunner()
D = Decimal


def test_allocate_is_the_default_command_and_writes_the_documents(tmp_path: Path) -> None:
    result = runner.invoke(app, ["allocate", "2022", str(EXAMPLES / "national.yaml"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "每一分值多少钱（按2022年方法" in result.output
    assert "假设" in result.output
    assert "吉林省·住房租赁保障：预算执行率由64.93%提高到80%，得分+1，按2022年方法约增加奖励资金" in result.output
    assert "吉林省：住房租赁保障上年得分88分，每提高1分，次年奖励资金约增加" in result.output
    assert "分配办法使用监管局审核后的得分，本次输入的是自评得分" in result.output
    for name in ("资金分配表.xlsx", "下达资金通知（代拟稿）.docx", "allocation.json"):
        assert (tmp_path / name).is_file(), name
    payload = json.loads((tmp_path / "allocation.json").read_text(encoding="utf-8"))
    assert payload["rows"][0]["trace"], "allocation.json keeps the trace"


def test_json_format_prints_the_fields_and_totals(tmp_path: Path) -> None:
    result = runner.invoke(app, ["allocate", "2022", str(EXAMPLES / "national.yaml"), "-o", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = payload["rows"]
    assert len(rows) == 6 * 3
    assert set(rows[0]) == {"code", "name", "program", "task_amount", "reward_amount", "amount"}
    for row in rows:
        assert D(row["task_amount"]) + D(row["reward_amount"]) == D(row["amount"])
    totals = payload["totals"]
    assert totals["amount"] == "950000.00"
    for program, total in totals["programs"].items():
        assert sum(D(r["amount"]) for r in rows if r["program"] == program) == D(total["amount"])
        assert sum(D(r["task_amount"]) for r in rows if r["program"] == program) == D(total["task_amount"])
    assert sum(D(v) for v in totals["regions"].values()) == D("950000")
    assert payload["method"]["assumed"] is True
    assert any(g["code"] == "220000" and g["action"] == "预算执行率由64.93%提高到80%" for g in payload["gains"])


def test_province_to_prefectures_from_the_units(tmp_path: Path) -> None:
    result = runner.invoke(app, ["allocate", "run", "2022", str(EXAMPLES / "jilin-prefectures.yaml"), "-o", str(tmp_path),
                                 "--worth", "220100", "--trace", "220100"])
    assert result.exit_code == 0, result.output
    assert "长春市·城镇老旧小区改造：" in result.output
    assert "任务量指数（各因素占比按权重加权）" in result.output
    book = openpyxl.load_workbook(tmp_path / "资金分配表.xlsx", data_only=True)
    assert book["汇总"]["B5"].value == "长春市"


def test_template_then_import_then_allocate(tmp_path: Path) -> None:
    workbook = tmp_path / "输入表.xlsx"
    result = runner.invoke(app, ["allocate", "template", "2022", "--inputs", str(EXAMPLES / "national.yaml"), "-o", str(workbook)])
    assert result.exit_code == 0, result.output
    assert "6 个地区" in result.output
    yaml_path = tmp_path / "inputs.yaml"
    result = runner.invoke(app, ["allocate", "import", "2022", str(workbook), "-o", str(yaml_path)])
    assert result.exit_code == 0, result.output
    from_yaml = runner.invoke(app, ["allocate", "2022", str(yaml_path), "-o", str(tmp_path / "a"), "--format", "json"])
    from_xlsx = runner.invoke(app, ["allocate", "2022", str(workbook), "-o", str(tmp_path / "b"), "--format", "json"])
    assert from_yaml.exit_code == 0 and from_xlsx.exit_code == 0, from_yaml.output + from_xlsx.output
    assert json.loads(from_yaml.output)["rows"] == json.loads(from_xlsx.output)["rows"]


def test_blank_template_for_the_prefectures(tmp_path: Path) -> None:
    workbook = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["allocate", "template", "2022", "--level", "prefecture", "--region", "220000",
                                 "--year", "2023", "-o", str(workbook)])
    assert result.exit_code == 0, result.output
    assert "9 个地区" in result.output
    refused = runner.invoke(app, ["allocate", "2022", str(workbook), "-o", str(tmp_path / "x")])
    assert refused.exit_code == 2
    assert "t.xlsx 住房租赁保障!D5" in refused.output
    assert not (tmp_path / "x").exists()


def test_bad_inputs_exit_2_with_file_and_line(tmp_path: Path) -> None:
    text = (EXAMPLES / "national.yaml").read_text(encoding="utf-8").replace("  rental: 300000\n", "  rentals: 300000\n")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["allocate", "2022", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "rentals" in row)
    assert f"bad.yaml:{line}" in result.output
    assert not (tmp_path / "out").exists()


def test_compare_and_sensitivity(tmp_path: Path) -> None:
    national = str(EXAMPLES / "national.yaml")
    result = runner.invoke(app, ["allocate", "sensitivity", "2022", national, "-p", "renovation", "-w", "planned_area=40"])
    assert result.exit_code == 0, result.output
    assert "改造面积权重改为40%" in result.output
    assert "城镇老旧小区改造" in result.output
    result = runner.invoke(app, ["allocate", "compare", "2022", national, "--with-method", str(FIXTURES / "valid.yaml")])
    assert result.exit_code == 2  # the test method has no rental program
    assert "没有项目“rental”" in result.output


def test_methods_list_show_check_schema(tmp_path: Path) -> None:
    listed = runner.invoke(app, ["allocate", "list"])
    assert listed.exit_code == 0 and "2019" in listed.output and "2024" in listed.output
    shown = runner.invoke(app, ["allocate", "show", "2020"])
    assert shown.exit_code == 0
    assert "改造面积（平方米）40%〔官方〕" in shown.output
    assert "最大余额法" in shown.output
    checked = runner.invoke(app, ["allocate", "check", str(FIXTURES / "broken" / "weights_not_100.yaml")])
    assert checked.exit_code == 2
    assert "weights_not_100.yaml:13" in checked.output
    schema = tmp_path / "schema.json"
    assert runner.invoke(app, ["allocate", "schema", "-o", str(schema)]).exit_code == 0
    assert json.loads(schema.read_text(encoding="utf-8"))["title"] == "FactorMethod"

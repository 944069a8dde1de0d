"""Every reproducer of the reliability review (tests/fixtures/repro/, see its README) through the
real command line: the documented exit code, a Chinese message that names the place, never a
traceback, and nothing written when the input is refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from anju.cli.common import EXIT_CODES
from anju.framework import builtin_framework
from anju.framework.loader import BUILTIN_DIR

from .helpers import EXAMPLE, FIXTURES, restamp, run_cli, upgrade_framework

REPRO = FIXTURES / "repro"

C1: dict[str, tuple[int, str]] = {
    "cellref_C99999999999_长春市.xlsx": (2, "住房租赁保障!C99999999999：工作表“住房租赁保障”用到了 C99999999999，超出填报模板的范围"),
    "cover_says_农安县_but_is_长春市.xlsx": (
        2, "封面!B4：封面写的填报单位是“农安县”（220122），而模板隐藏标识属于“长春市（市本级及市辖区）”（220100）"),
    "formula_no_cached_value_长春市.xlsx": (2, "住房租赁保障!C7：“中央财政资金”公式未计算，请在 Excel 或 WPS 中打开并保存后再上传"),
    "good_220100_长春市.xlsx": (0, "共 1 个文件：可导入 1 个，拒收 0 个"),
    "huge_1e30_长春市.xlsx": (2, "住房租赁保障!C7：“中央财政资金”数值过大，超过本项上限 10000000000万元"),
    "huge_1e999999_长春市.xlsx": (2, "城市棚户区改造!C14：“已分配的棚改安置住房”数值过大"),
    "huge_29nines_长春市.xlsx": (2, "城市棚户区改造!C10：““十四五”时期计划改造各类棚户区”数值过大"),
    "huge_float_1e300_长春市.xlsx": (2, "住房租赁保障!C7：“中央财政资金”数值过大"),
    "id_column_changed_长春市.xlsx": (
        2, "住房租赁保障!G9：第9行（“中央财政补助资金预算”）的编号应为“central_budget”，实为“x_central_budget”"),
    "lzma_compressed_长春市.xlsx": (2, "使用了 Excel 不用的压缩方式（LZMA）：请在 Excel 或 WPS 中打开并另存为 .xlsx 后提交"),
    "meta_of_榆树市_in_农安县_workbook.xlsx": (2, "封面写的填报单位是“农安县”（220122），而模板隐藏标识属于“榆树市”（220182）"),
    "meta_template_id_changed_长春市.xlsx": (2, "隐藏的模板标识被改动：单位代码为“220100”"),
    "sheet_xml_unclosed_长春市.xlsx": (2, "sheet_xml_unclosed_长春市.xlsx 住房租赁保障：工作表内容不完整或已损坏（XML 格式错误）"),
    "sparse_XFD1048576_长春市.xlsx": (2, "住房租赁保障!XFD1048576：工作表“住房租赁保障”用到了 XFD1048576"),
    "sparse_ZZ200000_长春市.xlsx": (2, "住房租赁保障!ZZ200000：工作表“住房租赁保障”用到了 ZZ200000"),
    "农安[draft].xlsx": (2, "拒收 农安[draft].xlsx（1 处问题）"),
}

C2: dict[str, tuple[int, str]] = {
    "billion_laughs_figure": (2, "dataset.yaml:18：YAML 格式错误：不支持锚点“&a8”"),
    "billion_laughs_year": (2, "dataset.yaml:6：YAML 格式错误：不支持锚点“&a8”"),
    "deep_flow_500": (2, "dataset.yaml:7：YAML 格式错误：嵌套层数过多（超过 32 层）"),
    "figure_is_a_date": (2, "dataset.yaml:13：数据项“central_spent”应为数值，实为“2022-01-01”"),
    "figure_is_a_list": (2, "dataset.yaml:13：数据项“central_spent”应为数值，实为列表"),
    "framework_2021": (2, "dataset.yaml:7：数据集声明的指标体系“2021”不是内置年度（现有：2020、2022"),
    "huge_figure_31_digits": (2, "dataset.yaml:18：YAML 格式错误：数值“1000000000000000000000000000000”过大"),
    "huge_stated_total": (2, "dataset.yaml:78：YAML 格式错误：数值“1000000000000000000000000000000”过大"),
    "inf_figure": (2, "dataset.yaml:18：YAML 格式错误：不接受“.inf”（无穷大或非数值）"),
    "merge_key_override": (2, "dataset.yaml:49：YAML 格式错误：不支持合并键“<<”"),
    "nan_figure": (2, "dataset.yaml:18：YAML 格式错误：不接受“.nan”"),
    "negative_figure_flagged_not_refused": (0, "[FIGURE_NEGATIVE] 住房租赁保障：数据项“中央财政补助资金实际支出”为负数：-5。"),
    "region_code_5_digits": (2, "dataset.yaml:5：字段“code”的代码“22000”不合规：应为6位数字（半角）的行政区划代码"),
    "region_name_70_chars": (2, "dataset.yaml:5：字段“name”过长（最多 40 个字符）"),
    "sexagesimal_violations": (2, "dataset.yaml:13：数据项“violations”应为数值，实为“1:30”"),
    "title_231_chars": (2, "dataset.yaml:9：字段“title”过长（最多 200 个字符）"),
    "two_documents": (2, "dataset.yaml:324：YAML 格式错误：文件中只能有一个 YAML 文档（发现了第二个“---”）"),
    # its dataset.yaml is fine; its units.yaml is not, and evaluate always compares the two (issue 10)
    "units_huge_number": (2, "units.yaml:18：YAML 格式错误：数值“1000000000000000000000000000000”过大"),
    "year_true": (2, "dataset.yaml:6：年度应为4位数字（如 2022），实为“true”"),
}

C3: dict[str, tuple[int, str]] = {
    "figure_kind_bad_no_figure_named": (2, "rental.yaml:14：数据项“violations”：字段“kind”的取值“money”不在允许范围内"),
    "grade_band_duplicate_label": (2, "framework.yaml:20：等级“优”重复（第1项已有）"),
    "label_deep_nesting": (2, "rental.yaml:6：YAML 格式错误：嵌套层数过多"),
    "leaf_missing_points_names_parent": (2, "rental.yaml:117：指标 fund_management.fund_use：缺少必填字段“points”"),
    "plausibility_min_above_max": (2, "renovation.yaml:72：合理性检查“计划改造面积 ÷ 计划改造户数”的下限 min（300）大于上限 max（20）"),
    "points_billion_laughs": (2, "rental.yaml:7：YAML 格式错误：不支持锚点“&a8”"),
    "points_inf": (2, "rental.yaml:7：YAML 格式错误：不接受“.inf”"),
    "program_file_missing": (2, "framework.yaml:27：项目文件“nope.yaml”不存在"),
    "tier_gap": (2, "rental.yaml:109：“预算执行”（rental.fund_management.budget_execution.execution_rate）的分档在 60%—65% 之间有空档"),
    "tier_overlap": (2, "rental.yaml:109：“预算执行”（rental.fund_management.budget_execution.execution_rate）的第2档与其他档在 60%—70% 重叠"),
    "tiers_empty_english": (2, "rental.yaml:67：指标 fund_management.fund_raising：字段“tiers”至少应有1项"),
}

ENGLISH = ("Traceback", "Error:", "Invalid value", "Usage:", "should", "Input ", "found ", "expected ", "Cannot")


def assert_clean(code: int, out: str) -> None:
    """The promises every run keeps: an exit code of the contract, no traceback, no library English."""
    assert code in EXIT_CODES, out
    for english in ENGLISH:
        assert english not in out, out


def test_every_reproducer_has_an_expectation() -> None:
    assert {p.name for p in (REPRO / "c1").glob("*.xlsx")} == set(C1)
    assert {p.name for p in (REPRO / "c2").iterdir()} == set(C2)
    assert {p.name for p in (REPRO / "c3").iterdir()} == set(C3)
    assert {p.name for p in (REPRO / "c4").iterdir()} == {
        "display_60.0pct_scored_below_60", "proportional_double_rounding", "tier_boundary_59.99995pct"}


@pytest.mark.parametrize("name", sorted(C1))
def test_c1_workbook(name: str, tmp_path: Path, capsys: Any) -> None:
    expected_code, message = C1[name]
    workbook = restamp(REPRO / "c1" / name, tmp_path / name, builtin_framework("2022"))
    out_dir = tmp_path / "out"
    code, out = run_cli(capsys, "import", workbook, "-o", out_dir)
    assert_clean(code, out)
    assert code == expected_code, out
    assert message in out, out
    assert (out_dir / "units.yaml").exists() == (expected_code == 0)  # all or nothing
    assert not list(tmp_path.rglob(".*.tmp"))


def test_c1_metadata_of_an_older_anju_is_refused_as_outdated(capsys: Any) -> None:
    code, out = run_cli(capsys, "import", REPRO / "c1" / "good_220100_长春市.xlsx", "--dry-run")
    assert code == 2
    assert "good_220100_长春市.xlsx：模板版本不符（本文件为第 1 版，当前为第 2 版）：请下载最新模板重新填报" in out


def test_c1_an_output_path_with_markup_is_printed_whole(tmp_path: Path, capsys: Any) -> None:
    workbook = restamp(REPRO / "c1" / "good_220100_长春市.xlsx", tmp_path / "长春市.xlsx", builtin_framework("2022"))
    target = tmp_path / "o[/x]"
    code, out = run_cli(capsys, "import", workbook, "-o", target)
    assert code == 0, out
    assert f"已写入 {target / 'units.yaml'}（本次导入 1 个单位）" in out
    code, out = run_cli(capsys, "evaluate", EXAMPLE, "-o", tmp_path / "r[/x]" / "e.json")
    assert code == 0, out
    assert f"评价结果已保存：{tmp_path / 'r[/x]' / 'e.json'}" in out


@pytest.mark.parametrize("name", sorted(C2))
def test_c2_dataset(name: str, tmp_path: Path, capsys: Any) -> None:
    expected_code, message = C2[name]
    target = tmp_path / "x.json"
    code, out = run_cli(capsys, "evaluate", REPRO / "c2" / name, "-o", target)
    assert_clean(code, out)
    assert code == expected_code, out
    assert message in out, out
    assert target.exists() == (expected_code == 0)


def test_c2_negative_figures_fail_strict(tmp_path: Path, capsys: Any) -> None:
    code, out = run_cli(capsys, "evaluate", REPRO / "c2" / "negative_figure_flagged_not_refused", "-o", tmp_path / "x.json",
                        "--strict")
    assert code == 1 and "FIGURE_NEGATIVE" in out


@pytest.mark.parametrize("command", [["evaluate", "--from-units", "-o", "{tmp}/x.json"], ["aggregate"]])
def test_c2_huge_number_in_units(command: list[str], tmp_path: Path, capsys: Any) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    code, out = run_cli(capsys, args[0], REPRO / "c2" / "units_huge_number", *args[1:])
    assert_clean(code, out)
    assert code == 2, out
    assert "units.yaml:18：YAML 格式错误：数值“1000000000000000000000000000000”过大" in out
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("name", ["title_231_chars", "region_name_70_chars"])
def test_c2_long_texts_refused_before_any_report_file(name: str, tmp_path: Path, capsys: Any) -> None:
    code, out = run_cli(capsys, "report", REPRO / "c2" / name, "-o", tmp_path / "r")
    assert_clean(code, out)
    assert code == 2 and "过长" in out
    assert not (tmp_path / "r").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", sorted(C3))
def test_c3_framework(name: str, tmp_path: Path, capsys: Any) -> None:
    expected_code, message = C3[name]
    directory = upgrade_framework(REPRO / "c3" / name, tmp_path / name)
    code, out = run_cli(capsys, "framework", "check", directory)
    assert_clean(code, out)
    assert code == expected_code, out
    assert message in out, out


def test_c3_a_gap_is_refused_before_evaluate(tmp_path: Path, capsys: Any) -> None:
    directory = upgrade_framework(REPRO / "c3" / "tier_gap", tmp_path / "tier_gap")
    code, out = run_cli(capsys, "evaluate", EXAMPLE, "-f", directory, "-o", tmp_path / "x.json")
    assert code == 2 and "之间有空档" in out and "不落在任何一档" not in out


def _item(path: Path, program: str, item: str) -> dict[str, Any]:
    evaluation = json.loads(path.read_text(encoding="utf-8"))["evaluation"]
    result = next(p for p in evaluation["programs"] if p["id"] == program)

    def walk(items: list[dict[str, Any]]) -> Any:
        for node in items:
            yield node
            yield from walk(node["children"])

    return next(node for node in walk(result["dimensions"]) if node["path"] == item)


def test_c4_a_ratio_just_below_a_bound_scores_in_the_lower_band(tmp_path: Path, capsys: Any) -> None:
    code, _ = run_cli(capsys, "evaluate", REPRO / "c4" / "tier_boundary_59.99995pct", "-o", tmp_path / "e.json")
    assert code == 0
    item = _item(tmp_path / "e.json", "rental", "fund_management.budget_execution.execution_rate")
    assert item["score"] == "0"  # YAML: below: 60 → 0 points; 59,999.95 / 100,000 = 59.99995%
    assert item["branch"] == "预算执行率59.99995%，属于指标<60%档，得0分"
    assert "59.99995%" in item["explanation"] and "60%" not in item["explanation"]
    assert item["metric"]["value"] == "59.99995"


def test_c4_proportional_scores_are_rounded_once(tmp_path: Path, capsys: Any) -> None:
    code, _ = run_cli(capsys, "evaluate", REPRO / "c4" / "proportional_double_rounding", "-o", tmp_path / "e.json")
    assert code == 0
    item = _item(tmp_path / "e.json", "rental", "outputs.rental_housing_completion")
    assert item["score"] == "1"  # the 2022 framework keeps whole points: 1.234995 → 1
    assert "10 × 12.35% = 1.235，按规定保留整数计1分" in item["branch"]
    # the same data under a two-decimal rounding: rounded once from the exact value
    fw_dir = tmp_path / "fw"
    shutil.copytree(BUILTIN_DIR / "2022", fw_dir)
    declared = fw_dir / "framework.yaml"
    declared.write_text(declared.read_text(encoding="utf-8").replace("  proportional: 0\n", "  proportional: 2\n"),
                        encoding="utf-8")
    code, _ = run_cli(capsys, "evaluate", REPRO / "c4" / "proportional_double_rounding", "-f", fw_dir,
                      "-o", tmp_path / "e2.json")
    assert code == 0
    item = _item(tmp_path / "e2.json", "rental", "outputs.rental_housing_completion")
    assert item["score"] == "1.23"  # 10 × 246999 / 2000000 = 1.234995 → 1.23 (not 1.24 via 12.3500%)
    assert "10 × 12.34995% = 1.234995，按规定保留两位小数计1.23分" in item["branch"]


def test_c4_the_explanation_never_contradicts_the_band(tmp_path: Path, capsys: Any) -> None:
    code, _ = run_cli(capsys, "evaluate", REPRO / "c4" / "display_60.0pct_scored_below_60", "-o", tmp_path / "e.json")
    assert code == 0
    item = _item(tmp_path / "e.json", "rental", "fund_management.budget_execution.execution_rate")
    assert item["score"] == "0"
    assert "预算执行率为59.96%" in item["explanation"] and "60.0%" not in item["explanation"]


CAN_DROP_PRIVILEGES = os.geteuid() != 0 or shutil.which("setpriv") is not None


@pytest.mark.skipif(not CAN_DROP_PRIVILEGES, reason="root without setpriv ignores file modes (c5/readonly.sh needs setpriv)")
def test_c5_unwritable_destinations(tmp_path: Path, filled_workbook: Path) -> None:
    """c5/readonly.sh: every writing command into a read-only directory says where and why, exit 2."""
    readonly = tmp_path / "ro"
    readonly.mkdir()
    charts_ro = tmp_path / "w" / "图表"
    charts_ro.mkdir(parents=True)
    anju = [sys.executable, "-c", "from anju.cli import main; main()"]
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner",
            "--inh-caps=-dac_override,-dac_read_search,-fowner", "--"] if os.geteuid() == 0 else []
    commands = [
        ["report", str(EXAMPLE), "-o", str(readonly)],
        ["report", str(EXAMPLE), "-o", str(readonly / "sub")],
        ["report", str(EXAMPLE), "-o", str(tmp_path / "w"), "--charts"],
        ["evaluate", str(EXAMPLE), "-o", str(readonly / "evaluation.json")],
        ["import", str(filled_workbook), "-o", str(readonly)],
        ["template", "-o", str(readonly)],
        ["report-template", str(readonly / "t.docx")],
        ["framework", "schema", "-o", str(readonly / "s.json")],
    ]
    readonly.chmod(0o555)
    charts_ro.chmod(0o555)
    try:
        for command in commands:
            result = subprocess.run([*drop, *anju, *command], capture_output=True, text=True, timeout=120, check=False)
            out = result.stdout + result.stderr
            assert result.returncode == 2, (command, out)
            assert "无法写入" in out and "权限不足" in out and "Traceback" not in out, (command, out)
        assert list(readonly.iterdir()) == [] and list(charts_ro.iterdir()) == []
        assert sorted(p.name for p in (tmp_path / "w").iterdir()) == ["图表"]  # nothing half-written beside it
    finally:
        readonly.chmod(0o755)
        charts_ro.chmod(0o755)


@pytest.fixture
def filled_workbook(tmp_path: Path) -> Path:
    return restamp(REPRO / "c1" / "good_220100_长春市.xlsx", tmp_path / "长春市.xlsx", builtin_framework("2022"))


def test_c5_a_truncated_chart_is_replaced_by_a_complete_set(tmp_path: Path, capsys: Any) -> None:
    """The 0-byte chart a kill once left (c5/truncated_…png) sits in the destination: the next
    report replaces it, and leaves no staging directory."""
    charts = tmp_path / "report" / "图表"
    charts.mkdir(parents=True)
    truncated = REPRO / "c5" / "truncated_图3-城镇老旧小区改造-各一级指标得分.png"
    assert truncated.stat().st_size == 0
    shutil.copy(truncated, charts / "图2-城镇老旧小区改造-失分情况.png")  # the name the new set writes
    shutil.copy(truncated, charts / "图9-旧项目-各一级指标得分.png")  # a chart of an earlier set
    code, out = run_cli(capsys, "report", EXAMPLE, "-o", tmp_path / "report", "--charts")
    assert code == 0, out
    names = sorted(p.name for p in charts.iterdir())
    assert len(names) == 3 and "图9-旧项目-各一级指标得分.png" not in names  # one figure per program
    for chart in charts.iterdir():
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]

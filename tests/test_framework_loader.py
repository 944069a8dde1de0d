"""The framework loader: the built-in 2022 tables, and one broken fixture per loader error."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest

from anju.framework import FrameworkError, builtin_framework, builtin_years, load_framework
from anju.framework.loader import BUILTIN_DIR, framework_json_schema
from anju.framework.models import (
    METRIC_RULES,
    RULE_KIND_LABELS,
    RULE_KINDS,
    Checklist,
    FigureColumn,
    RuleKind,
)
from anju.yamlio import read_yaml

from .helpers import FIXTURES

BROKEN = FIXTURES / "frameworks" / "broken"
EXPECTED: dict[str, str] = json.loads((BROKEN / "expected.json").read_text(encoding="utf-8"))


def test_builtin_2022_loads_with_three_programs_of_100() -> None:
    framework = builtin_framework("2022")
    assert "2022" in builtin_years()
    assert [p.id for p in framework.programs] == ["rental", "renovation", "shantytown"]
    for program in framework.programs:
        assert program.points == Decimal(100)
        assert sum((d.points for d in program.dimensions), Decimal(0)) == 100


def test_every_leaf_has_a_rule() -> None:
    framework = builtin_framework("2022")
    for program in framework.programs:
        for path, item in program.items():
            if item.is_leaf:
                assert item.rule is not None, path


def test_rule_kinds_are_the_unions_members() -> None:
    assert set(RULE_KINDS) == set(get_args(RuleKind))
    assert RULE_KIND_LABELS["ratio_tiers"] == "分档" and RULE_KIND_LABELS["sum"] == "下级合计"


def test_metric_leaves_have_templates() -> None:
    framework = builtin_framework("2022")
    for program in framework.programs:
        for path, item in program.items():
            if isinstance(item.rule, METRIC_RULES):
                assert item.template, f"{program.id}.{path} has no explanation template"


def test_valid_fixture_loads() -> None:
    framework = load_framework(FIXTURES / "frameworks" / "valid_program.yaml")
    assert framework.programs[0].points == 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_refused_with_file_and_line(name: str) -> None:
    path = BROKEN / f"{name}.yaml"
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    problems = info.value.problems
    assert problems, name
    text, line, code = EXPECTED[name]
    found = [p for p in problems if text in p.message]
    assert found, "\n".join(str(p) for p in problems)
    assert (found[0].where.file, found[0].where.line, found[0].code) == (str(path), line, code)
    assert all(p.where.file == str(path) and p.where.line > 0 for p in problems)


def test_every_fixture_has_an_expectation() -> None:
    files = {p.stem for p in BROKEN.glob("*.yaml")}
    assert files == set(EXPECTED)


def test_unknown_rule_kind_names_the_item() -> None:
    with pytest.raises(FrameworkError) as info:
        load_framework(BROKEN / "unknown_rule_kind.yaml")
    assert "outputs.completion" in str(info.value)


def test_points_mismatch_names_the_item() -> None:
    with pytest.raises(FrameworkError) as info:
        load_framework(BROKEN / "children_points_mismatch.yaml")
    assert "“产出效益”（rental.outputs）" in str(info.value)


def test_missing_file_and_missing_builtin() -> None:
    with pytest.raises(FrameworkError, match="文件不存在"):
        load_framework(Path("/nonexistent/framework.yaml"))
    with pytest.raises(FrameworkError, match="没有内置的“1999”"):
        builtin_framework("1999")


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    base = (FIXTURES / "frameworks" / "valid_program.yaml").read_text(encoding="utf-8")
    text = base.replace("numerator: [raised]", "numerator: [built]").replace("points: 4}", "points: 3}")
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    assert len(info.value.problems) == 2


def test_directory_with_missing_program_file(tmp_path: Path) -> None:
    (tmp_path / "framework.yaml").write_text(
        'id: "x"\nyear: 2022\nlabel: 测试\nprograms: [rental.yaml]\n', encoding="utf-8"
    )
    with pytest.raises(FrameworkError, match=r"framework\.yaml:4：项目文件“rental\.yaml”不存在"):
        load_framework(tmp_path)


def test_numbers_are_decimal_not_float() -> None:
    """The YAML reader itself yields Decimal (pydantic would coerce a float silently)."""
    raw = read_yaml(BUILTIN_DIR / "2022" / "rental.yaml").data

    def numbers(node: object) -> list[object]:
        if isinstance(node, dict):
            return [n for v in node.values() for n in numbers(v)]
        if isinstance(node, list):
            return [n for v in node for n in numbers(v)]
        return [node] if isinstance(node, int | float | Decimal) and not isinstance(node, bool) else []

    found = numbers(raw)
    assert len(found) > 50 and all(isinstance(n, Decimal) for n in found)


def test_checklist_clauses_sum_to_item_points() -> None:
    for program in builtin_framework("2022").programs:
        for _, item in program.items():
            if isinstance(item.rule, Checklist):
                assert sum((c.points for c in item.rule.clauses), Decimal(0)) == item.points


def test_json_schema_exports() -> None:
    schema = json.loads(framework_json_schema())
    rule = schema["$defs"]["Item"]["properties"]["rule"]["anyOf"][0]
    assert set(rule["discriminator"]["mapping"]) == set(RULE_KINDS)


# --- the appendix tables ---------------------------------------------------------------------

BROKEN_APPENDIX = FIXTURES / "frameworks" / "broken_appendix"
APPENDIX_EXPECTED: dict[str, list[object]] = json.loads((BROKEN_APPENDIX / "expected.json").read_text(encoding="utf-8"))
SECOND = FIXTURES / "second_framework"


def framework_with_appendix(tmp_path: Path, appendix: str) -> Path:
    """framework.yaml over the second framework's programs, with ``appendix`` as its appendix entry."""
    programs = ", ".join(str(SECOND / name) for name in ("leasing.yaml", "retrofit.yaml"))
    (tmp_path / "framework.yaml").write_text(f'id: "x"\nyear: 2030\nlabel: 测试\nprograms: [{programs}]\n{appendix}',
                                             encoding="utf-8")
    return tmp_path


def test_the_2022_appendix_declares_four_tables() -> None:
    tables = builtin_framework("2022").appendix.tables
    assert [(t.number, t.sheet, len(t.columns())) for t in tables] == [
        (1, "附件1 中央财政资金支出", 12), (2, "附件2 市县财政资金支出", 4), (3, "附件3 棚改和租赁住房完成情况", 15),
        (4, "附件4 老旧小区改造任务", 12)]
    column = tables[1].column("rental")
    assert isinstance(column, FigureColumn) and (column.program, column.figure, column.label) == ("rental", "county_funds", None)


@pytest.mark.parametrize("name", sorted(APPENDIX_EXPECTED))
def test_broken_appendix_refused_with_file_and_line(name: str, tmp_path: Path) -> None:
    path = BROKEN_APPENDIX / f"{name}.yaml"
    with pytest.raises(FrameworkError) as info:
        load_framework(framework_with_appendix(tmp_path, f"appendix: {path}\n"))
    problems = info.value.problems
    text, line, code = APPENDIX_EXPECTED[name]
    assert isinstance(text, str)
    found = [p for p in problems if text in p.message]
    assert found, "\n".join(str(p) for p in problems)
    assert (found[0].where.file, found[0].where.line, found[0].code) == (str(path), line, code)
    assert all(p.where.file == str(path) and p.where.line > 0 for p in problems)


def test_every_broken_appendix_has_an_expectation() -> None:
    assert {p.stem for p in BROKEN_APPENDIX.glob("*.yaml")} == set(APPENDIX_EXPECTED)


def test_a_framework_without_an_appendix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError) as info:
        load_framework(framework_with_appendix(tmp_path, ""))
    [problem] = info.value.problems
    assert (problem.where.file, problem.where.line, problem.code) == (str(tmp_path / "framework.yaml"), 1, "FIELD_INVALID")
    assert "缺少 appendix（附件统计表" in problem.message


def test_an_inline_appendix_is_located_in_framework_yaml(tmp_path: Path) -> None:
    inline = ("appendix:\n  tables:\n    - {number: 1, sheet: 表, title: 标题, unit: 单位：套, groups: [{program: leasing, columns: [\n"
              "        {id: plan, label: 计划, figure: homes_target},\n"
              "        {id: done, label: 完成, figure: homes_delivered},\n"
              "        {id: rate, label: 完成率, numerator: done, denominator: plans}]}]}\n")
    with pytest.raises(FrameworkError) as info:
        load_framework(framework_with_appendix(tmp_path, inline))
    [problem] = info.value.problems
    assert (problem.where.file, problem.where.line) == (str(tmp_path / "framework.yaml"), 10)
    assert problem.message == "附件1的列“rate”的分母“plans”不在本表中"
    fixed = load_framework(framework_with_appendix(tmp_path, inline.replace("plans", "plan")))
    assert [c.id for c in fixed.appendix.tables[0].columns()] == ["plan", "done", "rate"]


def test_the_second_framework_loads_with_its_own_appendix() -> None:
    framework = load_framework(SECOND)
    assert [p.id for p in framework.programs] == ["leasing", "retrofit"]
    assert [t.sheet for t in framework.appendix.tables] == ["附表一 补助资金", "附表二 地方投入", "附表三 任务完成"]


def test_json_schema_includes_the_appendix() -> None:
    schema = json.loads(framework_json_schema())
    assert schema["properties"]["appendix"]["$ref"] == "#/$defs/Appendix"
    columns = schema["$defs"]["ColumnGroup"]["properties"]["columns"]["items"]
    refs = {option["$ref"].rsplit("/", 1)[-1] for option in columns["oneOf"]}
    assert refs == {"FigureColumn", "SumColumn", "RatioColumn"}
    assert set(schema["$defs"]["RatioColumn"]["required"]) >= {"numerator", "denominator"}

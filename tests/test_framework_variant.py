"""Provincial variants: ``extends`` a framework, change points, thresholds, bands, templates, add and
remove indicators; the result is validated like any framework and ``framework show`` marks changes."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anju.cli import app
from anju.framework import FrameworkError, builtin_framework, load_framework
from anju.framework.diff import diff_frameworks

from .helpers import FIXTURES

VARIANT = FIXTURES / "frameworks" / "variant"
runner = CliRunner()


def test_variant_resolves_its_changes_over_2022() -> None:
    framework = load_framework(VARIANT)
    parent = builtin_framework("2022")
    assert framework.parent is parent and framework.extends == "2022"
    assert framework.id == "province-variant-2022"
    rental = framework.program("rental")
    items = dict(rental.items())
    assert items["fund_management.fund_distribution"].points == 6
    assert items["fund_management.fund_use"].points == 4
    assert items["fund_management.fund_use"].template_full == "本市未发现资金截留、挪用等违规违纪行为。"
    assert "outputs.development_target" not in items and "outputs.county_coverage" in items
    rule = items["fund_management.fund_raising"].rule
    assert rule is not None and rule.kind == "ratio_tiers" and rule.tiers[0].at_least == 50
    # what the variant does not change is the parent's
    assert framework.program("shantytown") == parent.program("shantytown")
    assert framework.appendix == parent.appendix
    assert framework.digest != parent.digest


def test_variant_grade_scheme_applies_to_its_program_only() -> None:
    framework = load_framework(VARIANT)
    assert framework.grade(D(95), "renovation") == "良好"
    assert framework.grade(D("95.5"), "renovation") == "优秀"
    assert framework.grade(D(95), "rental") == "优"


def test_diff_against_the_parent_names_every_change() -> None:
    framework = load_framework(VARIANT)
    assert framework.parent is not None
    diff = diff_frameworks(framework.parent, framework)
    marks = diff.changed_paths("rental")
    assert marks == {
        "fund_management.fund_raising": "changed",
        "fund_management.fund_distribution": "changed",
        "fund_management.fund_use": "changed",
        "outputs.county_coverage": "added",
        "outputs.development_target": "removed",
    }
    assert diff.changed_paths("shantytown") == {}
    renovation = next(p for p in diff.programs if p.program_id == "renovation")
    assert [f.label for f in renovation.fields] == ["等级划分"]


def test_show_marks_the_changes() -> None:
    result = runner.invoke(app, ["framework", "show", str(VARIANT), "-p", "rental"])
    assert result.exit_code == 0, result.output
    assert "继承" in result.output and "变更" in result.output
    assert "修改" in result.output and "新增" in result.output
    assert "删除指标：确定保障性租赁住房发展目标（outputs.development_target）" in result.output


def _variant(tmp_path: Path, changes: str, extends: str = '"2022"') -> Path:
    (tmp_path / "framework.yaml").write_text(f"extends: {extends}\nid: v\nchanges:\n{changes}", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("changes", "message"), [
    ("  - {program: rental, item: fund_management.fund_use, set: {points: 4}}\n",
     "framework.yaml:4：继承并修改后，“资金管理”（rental.fund_management）分值为 20，但下级分值合计为 19"),
    ("  - {program: rental, remove: outputs.no_such_item}\n", "framework.yaml:4：项目“住房租赁保障”没有指标“outputs.no_such_item”"),
    ("  - {program: nothing, remove_program: true}\n", "framework.yaml:4：继承的指标体系没有项目“nothing”"),
    ("  - {program: rental, item: fund_management.fund_raising, set: {rule: {metric: {numerator: [ghost]}}}}\n",
     "引用了未定义的数据项“ghost”"),
    ("  - {program: rental}\n", "framework.yaml:4：每条 changes 须且只须给出"),
])
def test_a_broken_variant_is_refused_at_its_change(tmp_path: Path, changes: str, message: str) -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework(_variant(tmp_path, changes))
    text = "\n".join(str(p) for p in caught.value.problems)
    assert message in text, text


def test_extends_an_unknown_framework_or_itself(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="既不是内置年度"):
        load_framework(_variant(tmp_path, "  []\n", '"1999"'))
    with pytest.raises(FrameworkError, match="层数超过"):
        load_framework(_variant(tmp_path, "  []\n", '"."'))

"""``framework diff`` between versions and the declared figure mapping that lets last year's data,
reported under another framework, be compared with this year's."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from typer.testing import CliRunner

from anju.cli import app
from anju.collect.regions import builtin_region_tree
from anju.collect.units import UnitProgram, load_units, mapped_units
from anju.collect.validation import builtin_rules, check_units
from anju.framework import FrameworkError, builtin_framework, load_framework
from anju.framework.diff import diff_frameworks
from anju.framework.loader import BUILTIN_DIR

from .helpers import EXAMPLE

runner = CliRunner()


def test_diff_2022_2024_pairs_programs_by_the_mapping_and_names_changes() -> None:
    diff = diff_frameworks(builtin_framework("2022"), builtin_framework("2024"))
    kinds = {p.program_id: (p.kind, p.continues) for p in diff.programs}
    assert kinds["housing_security"] == ("changed", "住房租赁保障")
    assert kinds["urban_village"] == ("changed", "城市棚户区改造")
    assert kinds["dilapidated"] == ("added", None)
    assert "rental" not in kinds and "shantytown" not in kinds
    housing = next(p for p in diff.programs if p.program_id == "housing_security")
    outputs = next(c for c in housing.items if c.path == "outputs")
    assert [(f.label, f.before, f.after) for f in outputs.fields if f.label == "分值"] == [("分值", "65", "55")]
    assert housing.items and any(c.kind == "removed" and c.path == "outputs.development_target" for c in housing.items)


def test_diff_of_a_framework_with_itself_is_empty() -> None:
    framework = builtin_framework("2024")
    assert diff_frameworks(framework, framework).empty


def test_diff_command_prints_the_changes_and_the_mapping() -> None:
    result = runner.invoke(app, ["framework", "diff", "2022", "2024"])
    assert result.exit_code == 0, result.output
    assert "新增项目：城市危旧房改造（dilapidated）" in result.output
    assert "修改项目：住房保障（housing_security，延续住房租赁保障（rental））" in result.output
    assert ("配租型保障性住房实际筹集（rent_housing_raised） ← 保障性租赁住房实际筹集（rental.rental_housing_raised） + "
            "公租房实际筹集（开工）（rental.public_housing_started）") in result.output


def test_last_years_2022_units_become_2024_figures_by_the_mapping() -> None:
    fw2022, fw2024 = builtin_framework("2022"), builtin_framework("2024")
    tree = builtin_region_tree("220000")
    old = load_units(EXAMPLE / "units.yaml", fw2022, tree)
    mapped = mapped_units(old, fw2022, fw2024)
    assert mapped is not None and mapped.framework == "2024"
    code, report = next((c, r) for c, r in old.units.items() if (r.program("rental") and not r.program("rental").no_task))  # type: ignore[union-attr]
    rental = report.program("rental")
    assert rental is not None
    housing = mapped.units[code].program("housing_security")
    assert housing is not None
    expected = rental.figures["rental_housing_raised"] + rental.figures["public_housing_started"]  # type: ignore[operator]
    assert housing.figures["rent_housing_raised"] == expected
    assert "sale_housing_planned" not in housing.figures  # no counterpart in 2022
    assert mapped.units[code].program("dilapidated") is None


def test_cross_year_check_works_across_the_change_of_framework() -> None:
    fw2022, fw2024 = builtin_framework("2022"), builtin_framework("2024")
    tree = builtin_region_tree("220000")
    prior = mapped_units(load_units(EXAMPLE / "units.yaml", fw2022, tree), fw2022, fw2024)
    assert prior is not None
    code, report = next((c, r) for c, r in prior.units.items()
                        if (p := r.program("housing_security")) is not None and (p.figures.get("rent_housing_planned") or 0) > 100)
    housing = report.program("housing_security")
    assert housing is not None
    tripled = UnitProgram(figures={**housing.figures, "rent_housing_planned": housing.figures["rent_housing_planned"] * D(4)})  # type: ignore[operator]
    current = prior.model_copy(update={"units": {code: report.model_copy(update={"programs": {"housing_security": tripled}})}})
    findings = check_units(builtin_rules(fw2024), fw2024, current, prior)
    assert any(f.where.figure == "rent_housing_planned" and "上年" in f.message for f in findings), findings


def test_a_mapping_naming_a_missing_figure_is_refused(tmp_path: Path) -> None:
    for f in (BUILTIN_DIR / "2024").iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    mapping = tmp_path / "mapping-2022.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("public_housing_started]", "public_housing_begun]"),
                       encoding="utf-8")
    try:
        load_framework(tmp_path)
    except FrameworkError as exc:
        text = "\n".join(str(p) for p in exc.problems)
        assert "mapping-2022.yaml" in text and "没有数据项“public_housing_begun”" in text, text
    else:
        raise AssertionError("应拒绝引用不存在数据项的对应关系")

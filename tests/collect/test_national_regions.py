"""The national region files: generated from the public code lists, 37 top-level reporting regions,
Jilin's hand-checked tree unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anju.cli import app
from anju.collect.regions import builtin_region_codes, builtin_region_tree, load_region_tree

ROOT = Path(__file__).resolve().parents[2]
HANDWRITTEN = ROOT / "tests" / "fixtures" / "regions" / "220000-handwritten.yaml"
PLANNED = ["210200", "330200", "350200", "370200", "440300"]
runner = CliRunner()


def test_37_top_level_reporting_regions() -> None:
    codes = builtin_region_codes()
    assert len(codes) == 37
    assert set(PLANNED) <= set(codes) and "660000" in codes
    assert sum(c.endswith("0000") for c in codes) == 32  # 31 provinces + the 兵团
    for code in codes:
        tree = builtin_region_tree(code)
        assert tree.reporting_units(2022), code


def test_planned_cities_and_corps_are_not_counted_twice() -> None:
    seen: dict[str, str] = {}
    for code in builtin_region_codes():
        for unit in builtin_region_tree(code).reporting_units(2022):
            assert unit.code not in seen, f"{unit} in {code} and {seen[unit.code]}"
            seen[unit.code] = code
    assert seen["210200"] == "210200" and seen["210281"] == "210200"  # 瓦房店市 reports under 大连
    assert "210200" not in builtin_region_tree("210000")
    assert seen["659001"] == "660000" and "659001" not in builtin_region_tree("650000")
    dalian = builtin_region_tree("210200")
    assert dalian.root.reports and dalian.root.display_name == "大连市（市本级及市辖区）"


def test_municipalities_report_by_district_and_kinds_are_read_from_names() -> None:
    beijing = builtin_region_tree("110000")
    assert {u.kind for u in beijing.reporting_units(2022)} == {"district"}
    assert len(beijing.reporting_units(2022)) == 16
    assert beijing.match("密云县", 2014).code == "110228" and beijing.match("密云", 2022).code == "110118"
    xinjiang = builtin_region_tree("650000")
    assert xinjiang.unit("652900").kind == "prefecture_region"
    assert xinjiang.unit("652900").display_name == "阿克苏地区（地区本级）"
    assert builtin_region_tree("530000").match("双江", 2022).name == "双江拉祜族佤族布朗族傣族自治县"


def test_jilin_units_come_out_as_the_hand_checked_file() -> None:
    hand = load_region_tree(HANDWRITTEN)
    generated = builtin_region_tree("220000")
    for unit in hand.spec.units:
        new = generated.unit(unit.code)
        fields = ("name", "level", "kind", "parent", "report_name", "reports", "valid_from", "valid_to", "note")
        assert [getattr(new, f) for f in fields] == [getattr(unit, f) for f in fields], unit.code
        assert set(unit.aliases) <= set(new.aliases), unit.code
    for year in range(2012, 2025):
        assert [u.code for u in generated.reporting_units(year)] == [u.code for u in hand.reporting_units(year)] or year <= 2013
    assert len(generated.reporting_units(2022)) == 48
    # the generated file also knows 九台市, a county-level city until 2013 (a district from 2014)
    assert generated.match("九台", 2013).code == "220181"
    assert [u.code for u in generated.reporting_units(2013)] == sorted(
        [u.code for u in hand.reporting_units(2013)] + ["220181"], key=[u.code for u in generated.spec.units].index)


def test_committed_files_are_what_the_generator_makes() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_regions.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "37 个行政区划文件与数据源一致" in result.stdout


def test_generator_check_reports_a_changed_file(tmp_path: Path) -> None:
    out = tmp_path / "regions"
    out.mkdir()
    for path in (ROOT / "src" / "anju" / "data" / "regions").glob("*.yaml"):
        (out / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (out / "220000.yaml").write_text((out / "220000.yaml").read_text(encoding="utf-8").replace("农安县", "农安縣"),
                                     encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_regions.py"), "--check", "--out", str(out)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "220000.yaml" in result.stderr


@pytest.mark.parametrize("code", ["110000", "210200", "440300", "660000", "650000"])
def test_region_show_works_for_any_region(code: str) -> None:
    result = runner.invoke(app, ["region", "show", code, "--year", "2022"])
    assert result.exit_code == 0, result.output
    assert builtin_region_tree(code).name in result.output


def test_region_list_counts_37_regions() -> None:
    result = runner.invoke(app, ["region", "list", "--year", "2022"])
    assert result.exit_code == 0, result.output
    assert "共 37 个地区" in result.output and "新疆生产建设兵团" in result.output
    assert "大连市" in result.output


def test_region_find_outside_jilin() -> None:
    result = runner.invoke(app, ["region", "find", "石河子", "--region", "660000"])
    assert result.exit_code == 0 and "659001" in result.output


def test_a_broken_builtin_file_is_reported_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path (libyaml, no line marks) gives way to the careful loader on any problem."""
    from anju.collect import regions

    text = (regions.BUILTIN_REGIONS_DIR / "210200.yaml").read_text(encoding="utf-8")
    (tmp_path / "210200.yaml").write_text(text.replace("kind: county_city", "kind: 县级市", 1), encoding="utf-8")
    monkeypatch.setattr(regions, "BUILTIN_REGIONS_DIR", tmp_path)
    regions.builtin_region_tree.cache_clear()
    try:
        with pytest.raises(regions.RegionError) as caught:
            regions.builtin_region_tree("210200")
        assert "210200.yaml:" in str(caught.value.problems[0]) and "kind" in str(caught.value.problems[0])
    finally:
        regions.builtin_region_tree.cache_clear()

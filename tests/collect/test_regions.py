"""The region tree: Jilin's 48 reporting units, codes that change, aliases, broken fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from anju.collect.regions import RegionError, RegionMatchError, RegionTree, load_region_tree


def test_jilin_has_48_reporting_units_in_2022(tree: RegionTree) -> None:
    units = tree.reporting_units(2022)
    assert len(units) == 48
    assert sum(u.level == "prefecture" for u in units) == 9
    assert sum(u.level == "county" for u in units) == 39
    assert not tree.root.reports
    assert tree.unit("220100").display_name == "长春市（市本级及市辖区）"
    assert [u.code for u in tree.children("220100", 2022)] == ["220122", "220182", "220183", "220184"]
    assert [u.code for u in tree.reporting_units(2022, "220100")] == ["220100", "220122", "220182", "220183", "220184"]


def test_codes_change_over_the_years(tree: RegionTree) -> None:
    assert tree.match("公主岭市", 2022).code == "220184"
    assert tree.match("公主岭市", 2015).code == "220381"
    assert tree.path_name("220381") == "吉林省 › 四平市 › 公主岭市"
    assert tree.match("扶余", 2012).code == "220724"
    assert tree.match("扶余", 2013).code == "220781"
    with pytest.raises(RegionMatchError, match="在2022年已不使用"):
        tree.match("220381", 2022)


@pytest.mark.parametrize(
    ("name", "code"),
    [("长春", "220100"), ("长春市（市本级及市辖区）", "220100"), ("长春市(市本级及市辖区)", "220100"),
     ("长春市农安县", "220122"), ("伊通县", "220323"), ("前郭", "220721"), ("延边州", "222400"), ("  农安县 ", "220122")],
)
def test_names_typed_by_users_become_codes(tree: RegionTree, name: str, code: str) -> None:
    assert tree.match(name, 2022).code == code


def test_ambiguous_and_unknown_names_are_errors(tree: RegionTree) -> None:
    with pytest.raises(RegionMatchError) as ambiguous:
        tree.match("通化", 2022)
    assert str(ambiguous.value) == "“通化”有歧义，可指 通化市（220500）、通化县（220521），请填写全称或6位代码"
    with pytest.raises(RegionMatchError, match="有歧义"):
        tree.match("公主岭市")  # no year: both codes qualify
    with pytest.raises(RegionMatchError) as unknown:
        tree.match("长春新区", 2022)
    assert str(unknown.value) == "“长春新区”不是吉林省的单位名称或别名，请填写全称或6位代码"


def test_another_province_loads_the_same_way(tmp_path: Path) -> None:
    """Hainan-like: a county-level unit directly under the province, a district, no prefecture report."""
    path = tmp_path / "460000.yaml"
    path.write_text(
        """code: "460000"
name: 海南省
units:
  - {code: "460000", name: 海南省, level: province, kind: province, reports: false}
  - {code: "460100", name: 海口市, level: prefecture, kind: prefecture_city, parent: "460000", reports: false}
  - {code: "460105", name: 秀英区, level: county, kind: district, parent: "460100"}
  - {code: "469001", name: 五指山市, level: county, kind: county_city, parent: "460000"}
""",
        encoding="utf-8",
    )
    other = load_region_tree(path)
    assert [u.code for u in other.reporting_units(2022)] == ["460105", "469001"]
    assert other.match("五指山市").code == "469001"
    assert other.unit("460105").kind == "district"


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ('  - {code: "220100", name: 长春市, level: prefecture, kind: prefecture_city, parent: "220000"}\n'
         '  - {code: "220100", name: 重复, level: prefecture, kind: prefecture_city, parent: "220000"}\n',
         "x.yaml:6：代码“220100”重复（第 2 个单位已使用）"),
        ('  - {code: "220122", name: 农安县, level: county, kind: county, parent: "229900"}\n',
         "x.yaml:5：农安县（220122）的上级“229900”不在本文件中"),
        ('  - {code: "220122", name: 农安县, level: county, kind: prefecture_city, parent: "220000"}\n',
         "x.yaml:5：农安县（220122）的类型“prefecture_city”（地级市）属于地级，与层级“county”不符"),
        ('  - {code: "220100", name: 长春市, level: prefecture, kind: prefecture_city, parent: "220000", valid_from: 2020, valid_to: 2010}\n',
         "valid_from（2020）晚于 valid_to（2010）"),
        ('  - {code: "210100", name: 沈阳市, level: prefecture, kind: prefecture_city, parent: "220000"}\n',
         "x.yaml:5：沈阳市（210100）的代码前两位与省级代码“220000”不一致"),
        ('  - {code: "2201", name: 长春市, level: prefecture, kind: prefecture_city, parent: "220000"}\n',
         "x.yaml:5：字段“code”的代码“2201”不合规：应为6位数字（半角）的行政区划代码"),
    ],
)
def test_broken_trees_name_file_and_line(tmp_path: Path, units: str, message: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        'code: "220000"\nname: 吉林省\nunits:\n  - {code: "220000", name: 吉林省, level: province, kind: province, reports: false}\n'
        + units,
        encoding="utf-8",
    )
    with pytest.raises(RegionError) as error:
        load_region_tree(path)
    text = "\n".join(str(p) for p in error.value.problems).replace(str(tmp_path) + "/", "")
    assert message in text
    assert "x.yaml:5" in text or "x.yaml:6" in text

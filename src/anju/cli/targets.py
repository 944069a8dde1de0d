"""``anju targets …``: the performance targets (绩效目标) and their breakdown (分解下达)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anju.cli.common import (
    DEFAULT_FRAMEWORK,
    DEFAULT_REGION,
    OptionalFrameworkOpt,
    RegionOpt,
    RegionsOpt,
    console,
    dataset_units,
    fail,
    framework_arg,
    region_tree,
    say,
    year_targets,
)
from anju.dataset import DatasetError, load_dataset
from anju.dates import chinese_date
from anju.files import write_text
from anju.targets.models import Targets
from anju.targets.template import draft_targets
from anju.yamlio import dump_yaml

targets_app = typer.Typer(help="绩效目标：区域绩效目标表及其分解下达。", no_args_is_help=True, rich_markup_mode=None)


def print_targets(targets: Targets, labels: dict[str, str]) -> None:
    issued = targets.issued
    say(f"{targets.title or '区域绩效目标'}")
    say(f"随资金文件下达：{issued.document}（{chinese_date(issued.date)}）{issued.title or ''}")
    for program_id, program in targets.programs.items():
        table = Table(title=f"{labels.get(program_id, program_id)}区域绩效目标表", title_justify="left")
        for title in ("一级指标", "二级指标", "三级指标", "指标值", "分解"):
            table.add_column(title, overflow="fold")
        for indicator in program.indicators:
            parts = ""
            if indicator.adds_up:
                parts = f"{len(program.prefectures)}个市（州）、{len(program.units)}个单位，合计相符"
            table.add_row(indicator.dimension.label, indicator.category.label, indicator.label,
                          indicator.value_text(), parts)
        console.print(table)
        say(f"年度总体目标：{program.overall}")


@targets_app.command("check")
def targets_check(
    path: Annotated[Path, typer.Argument(help="绩效目标文件，或含 targets.yaml 的目录")],
    framework: OptionalFrameworkOpt = None,
    regions: RegionsOpt = None,
) -> None:
    """校验绩效目标：指标体系中的项目、数据项和指标，行政区划代码，分解到各市（州）、各单位的目标合计
    是否等于全省目标；通过时打印区域绩效目标表。

    示例：anju targets check examples/jilin-2022
    """
    targets, fw, _ = year_targets(path, regions, framework)
    print_targets(targets, {p.id: p.label for p in fw.programs})
    say("绩效目标校验通过：分解下达的目标合计与全省目标一致。", style="green")


TEMPLATE_HEADER = (
    "绩效目标（区域绩效目标表）待填写稿，由 anju targets template 生成。\n"
    "请填写：issued 的 date（下达日期）、document（文号）、title（文件名称）；各项目的 overall（年度总体目标）和每个指标的 value；\n"
    "可增加质量、时效、效益、满意度指标（category、comparison：≥ ≤ = 定性，定性指标写 text）。\n"
    "category：quantity 数量 quality 质量 timeliness 时效 cost 成本 economic 经济效益 social 社会效益 ecological 生态效益 "
    "sustainability 可持续影响 beneficiary 服务对象满意度。\n"
    "填好后运行 anju targets check 校验（分解到各单位、各市（州）的目标合计须等于全省目标）。"
)


@targets_app.command("template")
def targets_template(
    output: Annotated[Path, typer.Option("--output", "-o", help="写出的 targets.yaml")],
    fill: Annotated[Path | None, typer.Option("--fill", help="数据集目录：用其计划数作指标值，按其 units.yaml 分解到各单位")] = None,
    framework: Annotated[str, typer.Option("--framework", "-f", help="指标体系目录或内置年度")] = DEFAULT_FRAMEWORK,
    region: RegionOpt = DEFAULT_REGION,
    year: Annotated[int | None, typer.Option("--year", help="年度（默认取数据集的年度，或指标体系的年度）")] = None,
) -> None:
    """生成绩效目标待填写稿：指标体系的每个项目及其计划完成率所对应的数量指标（链接实际数、计划数和计分指标）；
    --fill 时按数据集的计划数填好指标值，并按分地区数据分解到各单位、各市（州）。

    示例：anju targets template -o targets.yaml --fill examples/jilin-2022
    """
    fw = framework_arg(framework)
    dataset = units = None
    if fill is not None:
        try:
            dataset, fw = load_dataset(fill, fw)
        except DatasetError as exc:
            fail(f"数据集有 {len(exc.problems)} 处问题：", exc.problems)
        region = dataset.region.code
    tree = region_tree(region, None)
    if dataset is not None:
        units = dataset_units(fill or Path("."), dataset, fw, None)
    the_year = year or (dataset.year if dataset is not None else int(fw.id) if fw.id.isdigit() else None)
    if the_year is None:
        fail("请用 --year 指定年度")
    data = draft_targets(fw, tree, the_year, dataset, units)
    write_text(output, dump_yaml(data, header=TEMPLATE_HEADER))
    say(f"绩效目标待填写稿已写出：{output}（{len(data['programs'])}个项目）")


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")

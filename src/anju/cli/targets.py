"""``anju targets …``: the performance targets (绩效目标) and their breakdown (分解下达)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anju.cli.common import OptionalFrameworkOpt, RegionsOpt, console, say, year_targets
from anju.dates import chinese_date
from anju.targets.models import Targets

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


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")

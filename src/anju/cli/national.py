"""``anju national …``: every top-level reporting region in one year, ranked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anju.cli.common import EXIT_FINDINGS, console, fail, say
from anju.decimals import plain
from anju.files import write_text
from anju.national import NationalError, NationalResult, evaluate_national

SHORT = {"rental": "租赁保障", "renovation": "老旧小区", "shantytown": "棚户区"}
"""Column titles short enough for an 80-column terminal; the full labels are in the JSON."""

national_app = typer.Typer(help="全国：各顶层报表地区（省级地区、计划单列市、兵团）的评价结果与排名。",
                           no_args_is_help=True, rich_markup_mode=None)


@national_app.command("evaluate")
def national_evaluate(
    path: Annotated[Path, typer.Argument(help="全国数据集目录（含 national.yaml）")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="结果 JSON 的保存路径（默认不保存）")] = None,
    complete: Annotated[bool, typer.Option("--complete", help="缺少任一内置顶层报表地区时以退出码 1 结束")] = False,
) -> None:
    """对全国数据集中每个地区按指标体系计分，按三个项目的平均分排名。

    示例：anju national evaluate examples/national-2022
    """
    try:
        result = evaluate_national(path)
    except NationalError as exc:
        fail(f"全国数据集有 {len(exc.problems)} 处问题，未计分：", exc.problems)
    print_ranking(result)
    if output is not None:
        write_text(output, json.dumps(as_json(result), ensure_ascii=False, indent=2))
        say(f"\n结果已保存：{output}")
    if result.missing:
        say(f"缺少 {len(result.missing)} 个地区的数据：{'、'.join(result.missing)}")
        if complete:
            raise typer.Exit(EXIT_FINDINGS)


def print_ranking(result: NationalResult) -> None:
    table = Table(title=f"{result.title}：排名", title_justify="left", padding=(0, 1))
    table.add_column("排名", justify="right", min_width=4)
    table.add_column("代码", min_width=6)
    table.add_column("地区", min_width=12, overflow="fold")
    for program_id, label in result.programs:
        table.add_column(SHORT.get(program_id, label), justify="right", min_width=6)
    table.add_column("平均分", justify="right", min_width=6)
    table.add_column("报送监管局", min_width=10)
    for region in result.regions:
        table.add_row(str(region.rank), region.code, region.name,
                      *[plain(region.score(pid)) for pid, _ in result.programs], plain(region.mean),
                      region.submitted_at.isoformat() if region.submitted_at else "未报送")
    console.print(table)
    submitted = sum(r.submitted_at is not None for r in result.regions)
    say(f"共 {len(result.regions)} 个地区，已报送监管局 {submitted} 个；"
        + "、".join(f"{SHORT.get(pid, label)}＝{label}" for pid, label in result.programs))


def as_json(result: NationalResult) -> dict[str, object]:
    return {
        "title": result.title,
        "year": result.year,
        "regions": [
            {"rank": r.rank, "code": r.code, "name": r.name, "mean": str(r.mean),
             "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
             "programs": {p.id: {"score": str(p.score), "grade": p.grade,
                                 "dimensions": {d.id: str(d.score) for d in p.dimensions}} for p in r.evaluation.programs}}
            for r in result.regions
        ],
        "missing": result.missing,
    }


def register(app: typer.Typer) -> None:
    app.add_typer(national_app, name="national")

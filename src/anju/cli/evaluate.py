"""``anju evaluate`` and ``anju version``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anju import __version__
from anju.checks import run_checks
from anju.cli.common import EXIT_FINDINGS, FiguresOpt, OptionalFrameworkOpt, console, load_and_evaluate, say
from anju.decimals import plain
from anju.files import write_text
from anju.problems import Problem, Severity
from anju.scoring import Evaluation, ItemResult

SEVERITY_COLOR = {Severity.error: "red", Severity.warning: "yellow", Severity.advisory: "cyan"}


def version() -> None:
    """显示版本。

    示例：anju version
    """
    console.print(f"anju {__version__}")


def evaluate_cmd(
    path: Annotated[Path, typer.Argument(help="数据集目录（含 dataset.yaml）或数据集文件")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="评价结果 JSON 的保存路径（默认 out/<数据集名>/evaluation.json）")
    ] = None,
    framework: OptionalFrameworkOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="一致性检查发现“错误”时以退出码 1 结束")] = False,
    from_units: Annotated[bool, typer.Option("--from-units", help="数据由 units.yaml 中各市县数据汇总而来（判断、说明仍取自数据集）")] = False,
    units: Annotated[Path | None, typer.Option("--units", help="分地区数据文件（默认为数据集目录中的 units.yaml）")] = None,
    figures: FiguresOpt = None,
) -> None:
    """按指标体系对数据集逐项计分，打印得分表和一致性检查结果，并保存 JSON 结果。

    示例：anju evaluate examples/jilin-2022
    """
    fw, dataset, evaluation, _ = load_and_evaluate(path, framework, from_units, units, "未计分", choice=figures)
    issues = run_checks(fw, dataset, evaluation)
    print_evaluation(evaluation)
    print_problems(issues)
    target = output or Path("out") / dataset_name(path) / "evaluation.json"
    write_result(target, evaluation, issues)
    say(f"\n评价结果已保存：{target}")
    if strict and any(i.is_error for i in issues):
        raise typer.Exit(EXIT_FINDINGS)


def dataset_name(path: Path) -> str:
    p = path.resolve()
    return p.name if p.is_dir() else p.stem


def write_result(target: Path, evaluation: Evaluation, issues: list[Problem]) -> None:
    payload = {
        "evaluation": evaluation.model_dump(mode="json"),
        "issues": [i.as_dict() for i in issues],
    }
    write_text(target, json.dumps(payload, ensure_ascii=False, indent=2))


def _reason(item: ItemResult) -> str:
    if item.children:
        return ""
    parts = [item.branch]
    if item.reason and item.score < item.points:
        parts.append(f"理由：{item.reason}")
    return "；".join(parts)


def print_evaluation(evaluation: Evaluation) -> None:
    say(f"{evaluation.region_name}{evaluation.year}年度城镇保障性安居工程绩效评价（指标体系：{evaluation.framework_label}）")
    for program in evaluation.programs:
        table = Table(title=f"{program.label}", title_justify="left", show_lines=False, expand=False)
        table.add_column("指标", overflow="fold")
        table.add_column("分值", justify="right")
        table.add_column("得分", justify="right")
        table.add_column("计分依据", overflow="fold")
        for item in program.items():
            indent = "  " * (item.level - 1)
            style = "bold" if item.level == 1 else None
            table.add_row(f"{indent}{item.label}", plain(item.points), plain(item.score), _reason(item), style=style)
        table.add_row("合计", plain(program.points), plain(program.score), program.grade or "", style="bold")
        console.print(table)
    summary = "；".join(f"{p.label} {plain(p.score)} 分（{p.grade}）" for p in evaluation.programs)
    say("总分：", style="bold", end="")
    say(summary)


def print_problems(problems: list[Problem], title: str = "一致性检查") -> None:
    if not problems:
        console.print(f"\n{title}：未发现问题。")
        return
    counts = "，".join(
        f"{severity.label} {n} 项" for severity in Severity if (n := sum(1 for p in problems if p.severity is severity))
    )
    say(f"\n{title}：发现 {len(problems)} 项（{counts}）", style="bold")
    for problem in problems:
        say(f"  {problem.severity.label}", style=SEVERITY_COLOR[problem.severity], end="")
        say(f" [{problem.code}] {problem}")


def register(app: typer.Typer) -> None:
    app.command("version")(version)
    app.command("evaluate")(evaluate_cmd)

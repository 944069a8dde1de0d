"""Command line: a thin layer over the library. Messages are in Chinese.

Exit codes: 0 success; 1 ``--strict`` and the checks found errors; 2 the input could not be
read or scored (the message names the file, line, item and figure).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anju import __version__, cli_collect, cli_report
from anju.checks import Issue, Severity, run_checks
from anju.cli_common import console, fail, framework_arg, load_and_evaluate
from anju.decimals import plain
from anju.framework import FrameworkError, builtin_years, load_framework
from anju.framework.loader import framework_json_schema
from anju.framework.models import METRIC_RULES, Checklist, Deduction, Item, Judged
from anju.scoring import Evaluation, ItemResult

app = typer.Typer(
    name="anju",
    help="安居：中央财政城镇保障性安居工程补助资金绩效评价。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
framework_app = typer.Typer(help="查看和校验绩效评价指标体系。", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(framework_app, name="framework")
cli_report.register(app)
cli_collect.register(app)



@app.command("version")
def version() -> None:
    """显示版本。"""
    console.print(f"anju {__version__}")


@app.command("evaluate")
def evaluate_cmd(
    path: Annotated[Path, typer.Argument(help="数据集目录（含 dataset.yaml）或数据集文件")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="评价结果 JSON 的保存路径（默认 out/<数据集名>/evaluation.json）")
    ] = None,
    framework: Annotated[
        str | None, typer.Option("--framework", "-f", help="指标体系目录或内置年度（默认取数据集声明的年度）")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="一致性检查发现“错误”时以退出码 1 结束")] = False,
    from_units: Annotated[bool, typer.Option("--from-units", help="数据由 units.yaml 中各市县数据汇总而来（判断、说明仍取自数据集）")] = False,
    units: Annotated[Path | None, typer.Option("--units", help="与 --from-units 合用：分地区数据文件")] = None,
) -> None:
    """按指标体系对数据集逐项计分，打印得分表和一致性检查结果，并保存 JSON 结果。

    示例：anju evaluate examples/jilin-2022
    """
    fw, dataset, evaluation = load_and_evaluate(path, framework, from_units, units, "未计分")
    issues = run_checks(fw, dataset, evaluation)
    print_evaluation(evaluation)
    print_issues(issues)
    target = output or Path("out") / _dataset_name(path) / "evaluation.json"
    write_result(target, evaluation, issues)
    console.print(f"\n评价结果已保存：{target}")
    if strict and any(i.severity is Severity.error for i in issues):
        raise typer.Exit(1)


def _dataset_name(path: Path) -> str:
    p = path.resolve()
    return p.name if p.is_dir() else p.stem


def write_result(target: Path, evaluation: Evaluation, issues: list[Issue]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "evaluation": evaluation.model_dump(mode="json"),
        "issues": [i.as_dict() for i in issues],
    }
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(target)


def _reason(item: ItemResult) -> str:
    if item.children:
        return ""
    parts = [item.branch]
    if item.reason and item.score < item.points:
        parts.append(f"理由：{item.reason}")
    return "；".join(parts)


def print_evaluation(evaluation: Evaluation) -> None:
    console.print(
        f"[bold]{evaluation.region_name}{evaluation.year}年度城镇保障性安居工程绩效评价[/]"
        f"（指标体系：{evaluation.framework_label}）"
    )
    for program in evaluation.programs:
        table = Table(title=f"{program.label}", title_justify="left", show_lines=False, expand=False)
        table.add_column("指标", overflow="fold")
        table.add_column("分值", justify="right")
        table.add_column("得分", justify="right")
        table.add_column("计分依据", overflow="fold")
        for item in program.items():
            indent = "  " * (item.level - 1)
            label = f"{indent}{item.label}"
            style = "bold" if item.level == 1 else None
            table.add_row(label, plain(item.points), plain(item.score), _reason(item), style=style)
        table.add_row("合计", plain(program.points), plain(program.score), program.grade or "", style="bold")
        console.print(table)
    summary = "；".join(f"{p.label} {plain(p.score)} 分（{p.grade}）" for p in evaluation.programs)
    console.print(f"[bold]总分：[/]{summary}")


def print_issues(issues: list[Issue]) -> None:
    if not issues:
        console.print("\n一致性检查：未发现问题。")
        return
    errors = sum(1 for i in issues if i.severity is Severity.error)
    console.print(f"\n[bold]一致性检查：发现 {len(issues)} 项（错误 {errors} 项，警告 {len(issues) - errors} 项）[/]")
    for issue in issues:
        color = "red" if issue.severity is Severity.error else "yellow"
        console.print(f"  [{color}]{issue.severity.label}[/] [{issue.code}] ", end="")
        console.print(f"{issue.message}（位置：{issue.program}.{issue.where}）", markup=False)


@framework_app.command("check")
def framework_check(
    file: Annotated[Path, typer.Argument(help="指标体系目录、framework.yaml 或单个项目文件")],
) -> None:
    """校验指标体系文件：字段、规则类型、分值合计、引用的数据项和说明模板。

    示例：anju framework check src/anju/framework/frameworks/2022
    """
    try:
        fw = load_framework(file)
    except FrameworkError as exc:
        fail(f"指标体系有 {len(exc.problems)} 处问题：", exc.problems)
    for program in fw.programs:
        count = sum(1 for _ in program.items())
        console.print(f"{program.label}（{program.id}）：{count} 个指标节点，满分 {plain(program.points)} 分，校验通过。")


@framework_app.command("show")
def framework_show(
    ref: Annotated[str, typer.Argument(help="内置年度（如 2022）或指标体系目录")] = "2022",
    program: Annotated[str | None, typer.Option("--program", "-p", help="只显示一个项目：rental / renovation / shantytown")] = None,
) -> None:
    """打印指标体系表：各级指标、分值、评分规则和来源标注。

    示例：anju framework show 2022 --program rental
    """
    fw = framework_arg(ref)
    console.print(f"[bold]{fw.label}[/]  来源：{fw.source or '-'}")
    if fw.provenance_note:
        console.print(fw.provenance_note, markup=False)
    for prog in fw.programs:
        if program and prog.id != program:
            continue
        table = Table(title=f"{prog.label}（{prog.id}，满分{plain(prog.points)}分）", title_justify="left")
        table.add_column("编号", overflow="fold")
        table.add_column("指标", overflow="fold")
        table.add_column("分值", justify="right")
        table.add_column("评分规则", overflow="fold")
        table.add_column("来源")
        for path, item in prog.items():
            depth = path.count(".")
            table.add_row(
                path, "  " * depth + item.label, plain(item.points), describe_rule(item), _provenance(item)
            )
        console.print(table)


def _provenance(item: Item) -> str:
    if item.rule is None:
        return item.provenance.label
    return item.rule.provenance.label


def describe_rule(item: Item) -> str:
    rule = item.rule
    if rule is None or rule.kind == "sum":
        return "下级合计"
    if isinstance(rule, METRIC_RULES):
        metric = rule.metric.label
        if rule.kind == "ratio_tiers":
            tiers = "；".join(f"{t.describe()}→{plain(t.points)}" for t in rule.tiers)
            return f"{metric}分档：{tiers}"
        if rule.kind == "proportional":
            return f"{metric}按比例计分（{plain(rule.full_at)}%得满分，保留{rule.decimals}位小数）"
        bound = rule.at_least if rule.at_least is not None else rule.at_most
        op = "≥" if rule.at_least is not None else "≤"
        return f"{metric}{op}{plain(bound or Decimal(0))}%得满分，否则0分"
    if isinstance(rule, Checklist):
        return "要点：" + "；".join(f"{c.label}({plain(c.points)})" for c in rule.clauses)
    if isinstance(rule, Judged):
        return "评价人员评分" + (f"：{rule.guidance}" if rule.guidance else "")
    if isinstance(rule, Deduction):
        return f"每发现1件问题扣{plain(rule.per_finding)}分，扣完为止"
    return rule.kind


@framework_app.command("schema")
def framework_schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="保存路径；省略则打印")] = None,
) -> None:
    """导出指标体系文件的 JSON Schema，供编辑器校验和补全。"""
    text = framework_json_schema()
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"JSON Schema 已保存：{output}")
    else:
        print(text)


@framework_app.command("list")
def framework_list() -> None:
    """列出内置的指标体系年度。"""
    for year in builtin_years():
        console.print(year)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

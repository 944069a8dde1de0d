"""Commands for collecting figures from cities and counties (Chinese messages).

``anju template``     one Excel template per reporting unit
``anju import``       read filled templates strictly; all-or-nothing per batch (``--partial``: per workbook)
``anju completeness`` who reported, who has not, who was late
``anju aggregate``    totals up the region tree, rule findings, outliers
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from anju.adapters.excel.importer import (
    ImportContext,
    ImportOutcome,
    import_workbooks,
    merge_outcomes,
    warning_text,
)
from anju.adapters.excel.template import write_templates
from anju.cli.common import (
    DEFAULT_FRAMEWORK,
    DEFAULT_REGION,
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_PARTIAL,
    FrameworkOpt,
    OptionalFrameworkOpt,
    PreviousOpt,
    RegionOpt,
    RegionsOpt,
    RulesOpt,
    builtin_trees,
    console,
    declared,
    declared_framework,
    err_console,
    fail,
    framework_arg,
    open_units,
    parse_date,
    region_tree,
    region_trees,
    ruleset,
    say,
    units_of,
)
from anju.cli.evaluate import print_problems
from anju.collect.aggregate import aggregate_units, describe_aggregation
from anju.collect.completeness import completeness
from anju.collect.regions import RegionMatchError, RegionTree
from anju.collect.units import UnitsError, UnitsFile, load_units, mapped_units, write_units
from anju.collect.validation import check_units, find_outliers
from anju.dataset.models import figure_text
from anju.framework.models import Framework
from anju.problems import Problem, Severity

MAX_LISTED_FILES = 3
PROGRESS_EVERY = 100
PROGRESS_STEPS = 10


# --- template -----------------------------------------------------------------------------


def template_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="模板保存目录")] = Path("templates"),
    framework: FrameworkOpt = DEFAULT_FRAMEWORK,
    region: RegionOpt = DEFAULT_REGION,
    unit: Annotated[list[str] | None, typer.Option("--unit", "-u", help="只生成这些单位（名称、别名或代码，可重复）")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="报送截止日期，写入说明页，如 2023-01-20")] = None,
    regions: RegionsOpt = None,
    year: Annotated[int | None, typer.Option("--year", help="年度（默认取指标体系年度）")] = None,
    fill: Annotated[
        Path | None,
        typer.Option("--fill", help="用分地区数据文件（units.yaml 或数据集目录）中各单位的数据预先填好模板（上年数据供更新，或本年数据供更正）"),
    ] = None,
) -> None:
    """为每个报表单位生成一份 Excel 填报模板（含说明页、数据校验、工作表保护和模板标识）。

    示例：anju template --framework 2022 --region 220000 -o templates/；anju template --fill examples/jilin-2022 -o 更正/
    """
    fw = framework_arg(framework)
    tree = region_tree(region, regions)
    the_year = year or fw.year
    due = parse_date(deadline, "--deadline") if deadline else None
    chosen = None
    if unit:
        problems: list[str] = []
        chosen = []
        for name in unit:
            try:
                found = tree.match(name, the_year)
            except RegionMatchError as exc:
                problems.append(f"--unit {name}：{exc}")
                continue
            if not found.reports:
                problems.append(f"--unit {name}：{found}不单独报表")
                continue
            chosen.append(found)
        if problems:
            fail("无法确定要生成模板的单位：", problems)
    prefill = units_of(fill, fw, tree).units if fill is not None else None
    paths = write_templates(fw, tree, output, units=chosen, year=the_year, deadline=due, rules=ruleset(fw, None),
                            prefill=prefill, workers=os.cpu_count())
    say(f"已为{tree.name}{len(paths)}个报表单位生成{the_year}年度填报模板：{output}")
    if prefill is not None:
        filled = sum(1 for path in paths if path.name.split("_", 1)[0] in prefill)
        say(f"其中 {filled} 个已按 {fill} 预先填好（导入后与原数据一致）")
    for path in paths[:MAX_LISTED_FILES]:
        say(f"  {path.name}")
    if len(paths) > MAX_LISTED_FILES:
        console.print(f"  …… 共 {len(paths)} 个文件")




# --- import -------------------------------------------------------------------------------


def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="填好的模板（.xlsx），或含有模板的目录")],
    output: Annotated[Path, typer.Option("--output", "-o", help="导入结果：units.yaml 文件或数据集目录")] = Path("units.yaml"),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并显示将导入的内容，不写文件")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="有未说明的警告时，整批也不写入（退出码 1）")] = False,
    partial: Annotated[
        bool, typer.Option("--partial", help="只写入通过的文件，拒收其余文件（有拒收时退出码 4）；默认任一文件被拒收则整批不写入")
    ] = False,
    framework: FrameworkOpt = DEFAULT_FRAMEWORK,
    regions: RegionsOpt = None,
    previous: PreviousOpt = None,
    rules: RulesOpt = None,
) -> None:
    """导入填好的模板：逐格核对类型、范围、必填项、模板版本和单位代码；默认整批要么全部导入，要么全部不写入。

    退出码：0 全部写入；1 --strict 且有未说明的警告（未写入）；2 有文件被拒收（未写入）；4 --partial 时写入了通过的文件、其余被拒收。

    示例：anju import templates/*.xlsx --dry-run；anju import templates/*.xlsx -o examples/jilin-2022
    """
    fw = framework_arg(framework)
    trees = region_trees(None, regions) if regions is not None else builtin_trees()
    rule_set = ruleset(fw, rules)
    paths = _expand(files)
    if not paths:
        fail("没有找到要导入的 .xlsx 文件")
    prior: dict[str, UnitsFile] = {}
    if previous is not None:
        for code, tree in trees.items():
            try:
                mapped = _prior_units(previous, fw, tree)
            except UnitsError:
                continue
            if mapped is not None:
                prior[code] = mapped
        if not prior:
            fail(f"上年数据 {previous} 无法按任何已加载的行政区划表读取")
    context = ImportContext(fw, trees, rule_set, previous=prior)
    outcomes = _run_import(paths, context)
    accepted = [o for o in outcomes if o.accepted]
    rejected = [o for o in outcomes if not o.accepted]
    _print_outcomes(outcomes)
    unexplained = sum(len(o.unexplained) for o in accepted)
    summary = f"共 {len(outcomes)} 个文件：可导入 {len(accepted)} 个，拒收 {len(rejected)} 个"
    if unexplained:
        summary += f"；{unexplained} 条警告尚未说明"
    say(f"\n{summary}", style="bold")
    if dry_run:
        _print_dry_run(accepted, fw)
        say("试运行（--dry-run）：未写入任何文件。")
        raise typer.Exit(EXIT_BAD_INPUT if rejected else EXIT_FINDINGS if strict and unexplained else EXIT_OK)
    if rejected and not partial:
        fail(f"{len(rejected)} 个文件被拒收，整批未写入（加 --partial 可只写入通过的文件）：", _refusal_lines(rejected))
    if strict and unexplained:
        fail(f"--strict：{unexplained} 条警告尚未在“情况说明”栏说明，整批未写入。", code=EXIT_FINDINGS)
    if accepted:
        written = _write(accepted, fw, trees, output)
        for path, count in written:
            say(f"已写入 {path}（本次导入 {count} 个单位）")
    if rejected:
        fail(f"--partial：已写入通过的 {len(accepted)} 个文件；{len(rejected)} 个文件被拒收，未导入：", _refusal_lines(rejected),
             EXIT_PARTIAL)


def _refusal_lines(rejected: list[ImportOutcome]) -> list[str]:
    """One line per refused file: its name and its first reason (all reasons are printed above)."""
    lines = []
    for outcome in rejected:
        first = outcome.refusals[0].message if outcome.refusals else "被拒收"
        more = f"（另有 {len(outcome.refusals) - 1} 处问题，见上）" if len(outcome.refusals) > 1 else ""
        lines.append(f"{outcome.path.name}：{first}{more}")
    return lines


def _prior_units(previous: Path, fw: Framework, tree: RegionTree) -> UnitsFile | None:
    """Last year's units, read under the framework they declare and, when that is another
    framework, converted by this framework's declared figure mapping (None when there is none)."""
    own = _framework_of(previous) or fw
    data = load_units(previous, own, tree)
    mapped = mapped_units(data, own, fw)
    if mapped is None:
        say(f"上年数据按“{own.label}”填报，本指标体系没有声明与它的数据项对应关系：跳过跨年度比较。", style="yellow")
    elif own.id != fw.id:
        say(f"上年数据按“{own.label}”填报，已按声明的数据项对应关系换算为本年度的数据项后比较。")
    return mapped


def _framework_of(path: Path) -> Framework | None:
    said, doc = declared(path)
    ref = said.get("framework")
    return declared_framework(ref, doc) if ref is not None else None


def _expand(files: list[Path]) -> list[Path]:
    paths: list[Path] = []
    for item in files:
        if item.is_dir():
            paths.extend(sorted(p for p in item.glob("*.xlsx") if not p.name.startswith((".", "~$"))))
        else:
            paths.append(item)
    return paths


def _run_import(paths: list[Path], context: ImportContext) -> list[ImportOutcome]:
    total = len(paths)
    if err_console.is_terminal and total > 1:
        with Progress(
            TextColumn("导入"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
            console=err_console, transient=True,
        ) as progress:
            task = progress.add_task("", total=total)

            def advance(done: int, _total: int, path: Path) -> None:
                progress.update(task, completed=done, description=path.name)

            return import_workbooks(paths, context, advance, workers=os.cpu_count())
    step = max(PROGRESS_EVERY, total // PROGRESS_STEPS)

    def counter(done: int, _total: int, _path: Path) -> None:
        if done % step == 0 or done == total:
            err_console.print(f"已处理 {done}/{total} 个文件", markup=False)

    return import_workbooks(paths, context, counter if total >= PROGRESS_EVERY else None, workers=os.cpu_count())


def _print_outcomes(outcomes: list[ImportOutcome]) -> None:
    for outcome in outcomes:
        if not outcome.accepted:
            refusals = outcome.refusals
            say("拒收 ", style="red", end="")
            say(f"{outcome.path.name}（{len(refusals)} 处问题）：")
            for problem in refusals:
                say(f"  - {problem}")
        for warning in outcome.warnings:
            color = "yellow" if not warning.explained else "dim"
            say("  警告 ", style=color, end="")
            say(warning_text(warning))


def _print_dry_run(accepted: list[ImportOutcome], framework: Framework) -> None:
    if not accepted:
        return
    table = Table(title="将导入的单位", title_justify="left")
    table.add_column("代码")
    table.add_column("单位")
    table.add_column("填报日期")
    for program in framework.programs:
        table.add_column(program.label)
    for outcome in accepted:
        report = outcome.report
        assert report is not None
        cells = []
        for program in framework.programs:
            data = report.program(program.id)
            if data is None:
                cells.append("-")
            elif data.no_task:
                cells.append("无此项任务")
            else:
                cells.append(f"{len(data.figures) + len(data.answers)} 项")
        day = report.submitted_on.isoformat() if report.submitted_on else "-"
        table.add_row(outcome.unit or "", report.name or "", day, *cells)
    console.print(table)


def _write(
    accepted: list[ImportOutcome], framework: Framework, trees: dict[str, RegionTree], output: Path
) -> list[tuple[Path, int]]:
    by_region: dict[str, list[ImportOutcome]] = {}
    for outcome in accepted:
        region = next(code for code, tree in trees.items() if outcome.unit in tree)
        by_region.setdefault(region, []).append(outcome)
    if len(by_region) > 1 and not (output.is_dir() or output.suffix == ""):
        fail(f"本批文件属于 {len(by_region)} 个省（{'、'.join(by_region)}），请用 -o 指定一个目录，按省分别写入")
    written: list[tuple[Path, int]] = []
    for region, outcomes in by_region.items():
        tree = trees[region]
        if output.is_dir() or output.suffix == "":
            name = "units.yaml" if len(by_region) == 1 else f"units-{region}.yaml"
            target = output / name
        else:
            target = output
        existing = units_of(target, framework, tree) if target.exists() else None
        merged = merge_outcomes(outcomes, framework, tree, framework.year, existing)
        write_units(target, merged, header=f"{tree.name}{merged.year}年度分地区填报数据（由 anju import 写入）")
        written.append((target, len(outcomes)))
    return written


# --- completeness -------------------------------------------------------------------------


def completeness_cmd(
    units: Annotated[Path, typer.Argument(help="units.yaml 或含有它的数据集目录")],
    deadline: Annotated[str | None, typer.Option("--deadline", help="报送截止日期（默认取 units.yaml 中的 deadline）")] = None,
    regions: RegionsOpt = None,
    framework: OptionalFrameworkOpt = None,
) -> None:
    """报送完整性与及时性：应报、已报、未报、逾期的单位。

    示例：anju completeness examples/jilin-2022 --deadline 2023-01-20
    """
    data, _fw, tree = open_units(units, regions, framework)
    due = parse_date(deadline, "--deadline") if deadline else None
    report = completeness(tree, data, due)
    done, expected = report.rate
    rate = f"{done * 100 / expected:.1f}%" if expected else "-"
    due_text = report.deadline.isoformat() if report.deadline else "未设定"
    say(f"{tree.name}{report.year}年度报送情况（截止日期：{due_text}）")
    console.print(f"应报 {expected} 个单位，已报 {done} 个（{rate}），按时 {len(report.on_time)} 个，"
                  f"逾期 {len(report.late)} 个，未报 {len(report.missing)} 个。")
    if report.missing:
        table = Table(title="未报送", title_justify="left")
        table.add_column("代码")
        table.add_column("单位")
        table.add_column("所属")
        for status in report.missing:
            parent = tree.prefecture_of(status.unit.code)
            table.add_row(status.unit.code, status.unit.display_name, parent.name if parent else "")
        console.print(table)
    if report.late:
        table = Table(title="逾期报送", title_justify="left")
        table.add_column("代码")
        table.add_column("单位")
        table.add_column("报送日期")
        table.add_column("逾期天数", justify="right")
        table.add_column("日期来源")
        for status in report.late:
            source = "填报日期" if status.date_source == "declared" else "文件时间"
            table.add_row(status.unit.code, status.unit.display_name,
                          status.submitted_on.isoformat() if status.submitted_on else "-", str(status.days_late), source)
        console.print(table)
    by_prefecture = Table(title="分地区", title_justify="left")
    by_prefecture.add_column("地区")
    by_prefecture.add_column("应报", justify="right")
    by_prefecture.add_column("已报", justify="right")
    by_prefecture.add_column("逾期", justify="right")
    for child in tree.children(tree.code, report.year):
        members = {u.code for u in tree.reporting_units(report.year, child.code)}
        statuses = [s for s in report.statuses if s.unit.code in members]
        by_prefecture.add_row(child.name, str(len(statuses)), str(sum(s.submitted for s in statuses)),
                              str(sum(s.late for s in statuses)))
    console.print(by_prefecture)
    if report.missing:
        raise typer.Exit(EXIT_FINDINGS)


# --- aggregate ----------------------------------------------------------------------------


def aggregate_cmd(
    units: Annotated[Path, typer.Argument(help="units.yaml 或含有它的数据集目录")],
    partial: Annotated[bool, typer.Option("--partial", help="未报送的单位不计入（年中监控用）；默认任一单位未报则有关合计为空")] = False,
    by: Annotated[str, typer.Option("--by", help="显示哪一级的合计：province 全省 / prefecture 各地级")] = "province",
    previous: PreviousOpt = None,
    regions: RegionsOpt = None,
    framework: OptionalFrameworkOpt = None,
    rules: RulesOpt = None,
) -> None:
    """把各单位数据逐级汇总（金额、数量相加，百分比按声明的方式，城市数按单位回答计数），并运行校验规则和异常值提示。

    示例：anju aggregate examples/jilin-2022 --by prefecture
    """
    data, fw, tree = open_units(units, regions, framework)
    rule_set = ruleset(fw, rules)
    result = aggregate_units(fw, tree, data, partial=partial)
    nodes = [tree.root] if by == "province" else [tree.root, *tree.children(tree.code, data.year)]
    for program in fw.programs:
        table = Table(title=f"{program.label}（{data.year}年）", title_justify="left")
        table.add_column("数据项", overflow="fold")
        table.add_column("单位")
        for node in nodes:
            table.add_column(node.name, justify="right")
        table.add_column("汇总方式", overflow="fold")
        for spec in program.figures:
            values = [figure_text(result.figure(n.code, program.id, spec.id)) for n in nodes]
            table.add_row(spec.label, spec.unit, *values, describe_aggregation(spec, program))
        console.print(table)
    prior = None
    if previous is not None:
        try:
            prior = _prior_units(previous, fw, tree)
        except UnitsError as exc:
            fail(f"上年数据有 {len(exc.problems)} 处问题：", exc.problems)
    findings = [f for f in check_units(rule_set, fw, data, prior) if not f.explained] + find_outliers(rule_set, fw, tree, data)
    print_problems([_named(f, tree) for f in findings], "校验规则与异常值")
    if result.problems:
        say(f"\n汇总问题 {len(result.problems)} 项：", style="bold")
        for problem in result.problems:
            say(f"  - {problem}")
        if not partial:
            raise typer.Exit(EXIT_FINDINGS)






def _named(problem: Problem, tree: RegionTree) -> Problem:
    """A unit's finding with the unit's name in front (outliers name their units already)."""
    unit = tree.units.get(problem.unit or "")
    if unit is None or problem.severity is Severity.advisory:
        return problem
    return replace(problem, message=f"{unit.display_name}：{problem.message}")


def register(app: typer.Typer) -> None:
    app.command("template")(template_cmd)
    app.command("import")(import_cmd)
    app.command("completeness")(completeness_cmd)
    app.command("aggregate")(aggregate_cmd)

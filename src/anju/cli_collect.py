"""Command line for collecting figures from cities and counties (Chinese messages).

``anju template``     one Excel template per reporting unit
``anju import``       read filled templates strictly; all-or-nothing per workbook
``anju completeness`` who reported, who has not, who was late
``anju aggregate``    totals up the region tree, rule findings, outliers
``anju region``       show the region tree, match a name to a code

Registered on the main app by :func:`register`; ``anju evaluate --from-units`` calls
:func:`dataset_from_units`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from anju.adapters.xlsx_import import ImportContext, ImportOutcome, import_workbooks, merge_outcomes
from anju.adapters.xlsx_template import write_templates
from anju.checks.rules import (
    Finding,
    RulesError,
    RuleSet,
    builtin_rules,
    check_units,
    find_outliers,
    load_rules,
)
from anju.cli_common import console, err_console, fail, framework_arg
from anju.dataset.aggregate import (
    ProgramFigures,
    aggregate_units,
    describe_aggregation,
    figure_differences,
    with_unit_figures,
)
from anju.dataset.completeness import completeness
from anju.dataset.models import NOT_APPLICABLE, Dataset, FigureValue
from anju.dataset.regions import (
    KIND_LABEL,
    LEVEL_LABEL,
    RegionError,
    RegionMatchError,
    RegionTree,
    builtin_region_codes,
    builtin_region_tree,
    load_region_trees,
)
from anju.dataset.units import UnitsError, UnitsFile, load_units, units_path, write_units
from anju.decimals import plain
from anju.framework.models import Framework
from anju.yamlio import SourceError, read_yaml

region_app = typer.Typer(help="查看行政区划表（报表单位树），把名称匹配为代码。", no_args_is_help=True, rich_markup_mode=None)


def _trees(region: str | None, regions: Path | None) -> dict[str, RegionTree]:
    try:
        if regions is not None:
            trees = load_region_trees(regions)
            if region is not None and region not in trees:
                fail(f"{regions} 中没有地区“{region}”的行政区划表（有：{'、'.join(trees)}）")
            return {region: trees[region]} if region is not None else trees
        return {(region or "220000"): builtin_region_tree(region or "220000")}
    except RegionError as exc:
        fail(f"行政区划表有 {len(exc.problems)} 处问题：", exc.problems)


def _tree(region: str | None, regions: Path | None) -> RegionTree:
    trees = _trees(region, regions)
    if len(trees) != 1:
        fail(f"{regions} 含有多个省的行政区划表，请用 --region 指定一个")
    return next(iter(trees.values()))


def _rules(framework: Framework, rules: Path | None) -> RuleSet:
    try:
        return load_rules(rules, framework) if rules is not None else builtin_rules(framework)
    except RulesError as exc:
        fail(f"校验规则有 {len(exc.problems)} 处问题：", exc.problems)


def _load_units(path: Path, framework: Framework, tree: RegionTree) -> UnitsFile:
    try:
        return load_units(path, framework, tree)
    except UnitsError as exc:
        fail(f"分地区数据有 {len(exc.problems)} 处问题：", exc.problems)


def _peek(path: Path) -> dict[str, str]:
    """The region and framework a units file declares, read before loading it strictly."""
    try:
        doc = read_yaml(units_path(path))
    except SourceError as exc:
        fail("无法读取分地区数据：", [exc])
    data = doc.data if isinstance(doc.data, dict) else {}
    return {key: str(data[key]) for key in ("region", "framework") if data.get(key) is not None}


def _open_units(path: Path, regions: Path | None, framework_ref: str | None) -> tuple[UnitsFile, Framework, RegionTree]:
    declared = _peek(path)
    framework = framework_arg(framework_ref or declared.get("framework", "2022"))
    tree = _tree(declared.get("region"), regions)
    return _load_units(path, framework, tree), framework, tree


# --- template -----------------------------------------------------------------------------


def template_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="模板保存目录")] = Path("templates"),
    framework: Annotated[str, typer.Option("--framework", "-f", help="指标体系目录或内置年度")] = "2022",
    region: Annotated[str, typer.Option("--region", "-r", help="省级行政区划代码")] = "220000",
    unit: Annotated[list[str] | None, typer.Option("--unit", "-u", help="只生成这些单位（名称、别名或代码，可重复）")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="报送截止日期，写入说明页，如 2023-01-20")] = None,
    regions: Annotated[Path | None, typer.Option("--regions", help="行政区划文件或目录（默认用内置表）")] = None,
    year: Annotated[int | None, typer.Option("--year", help="年度（默认取指标体系年度）")] = None,
) -> None:
    """为每个报表单位生成一份 Excel 填报模板（含说明页、数据校验、工作表保护和模板标识）。

    示例：anju template --framework 2022 --region 220000 -o templates/
    """
    fw = framework_arg(framework)
    tree = _tree(region, regions)
    the_year = year or fw.year
    due = _date(deadline, "--deadline") if deadline else None
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
    paths = write_templates(fw, tree, output, units=chosen, year=the_year, deadline=due, rules=_rules(fw, None))
    console.print(f"已为{tree.name}{len(paths)}个报表单位生成{the_year}年度填报模板：{output}")
    for path in paths[:3]:
        console.print(f"  {path.name}", markup=False)
    if len(paths) > 3:
        console.print(f"  …… 共 {len(paths)} 个文件")


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} 应为日期（如 2023-01-20），实为“{text}”")


# --- import -------------------------------------------------------------------------------


def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="填好的模板（.xlsx），或含有模板的目录")],
    output: Annotated[Path, typer.Option("--output", "-o", help="导入结果：units.yaml 文件或数据集目录")] = Path("units.yaml"),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并显示将导入的内容，不写文件")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="任一文件被拒收或有未说明的警告时，整批都不写入")] = False,
    framework: Annotated[str, typer.Option("--framework", "-f", help="指标体系目录或内置年度")] = "2022",
    regions: Annotated[Path | None, typer.Option("--regions", help="行政区划文件或目录（默认用内置表）")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="上年的 units.yaml，用于跨年度比较")] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="校验规则文件（默认用内置规则）")] = None,
) -> None:
    """导入填好的模板：逐格核对类型、范围、必填项、模板版本和单位代码，一个文件要么整份导入，要么整份退回。

    示例：anju import templates/*.xlsx --dry-run；anju import templates/*.xlsx -o examples/jilin-2022
    """
    fw = framework_arg(framework)
    trees = _trees(None, regions) if regions is not None else _builtin_trees()
    ruleset = _rules(fw, rules)
    paths = _expand(files)
    if not paths:
        fail("没有找到要导入的 .xlsx 文件")
    prior: dict[str, UnitsFile] = {}
    if previous is not None:
        for code, tree in trees.items():
            try:
                prior[code] = load_units(previous, _framework_of(previous) or fw, tree)
            except UnitsError:
                continue
        if not prior:
            fail(f"上年数据 {previous} 无法按任何已加载的行政区划表读取")
    context = ImportContext(fw, trees, ruleset, previous=prior)
    outcomes = _run_import(paths, context)
    accepted = [o for o in outcomes if o.accepted]
    rejected = [o for o in outcomes if not o.accepted]
    _print_outcomes(outcomes)
    unexplained = sum(len(o.unexplained) for o in accepted)
    summary = f"共 {len(outcomes)} 个文件：可导入 {len(accepted)} 个，拒收 {len(rejected)} 个"
    if unexplained:
        summary += f"；{unexplained} 条警告尚未说明"
    console.print(f"\n[bold]{summary}[/]")
    if dry_run:
        _print_dry_run(accepted, fw)
        console.print("试运行（--dry-run）：未写入任何文件。")
        raise typer.Exit(2 if rejected else 0)
    if strict and (rejected or unexplained):
        fail("--strict：有文件被拒收或有未说明的警告，整批未写入。")
    if accepted:
        written = _write(accepted, fw, trees, output)
        for path, count in written:
            console.print(f"已写入 {path}（本次导入 {count} 个单位）")
    if rejected:
        fail(f"{len(rejected)} 个文件被拒收，未导入（见上）；请按提示修改后重新提交。")


def _framework_of(path: Path) -> Framework | None:
    ref = _peek(path).get("framework")
    return framework_arg(ref) if ref is not None else None


def _builtin_trees() -> dict[str, RegionTree]:
    trees: dict[str, RegionTree] = {}
    try:
        for code in builtin_region_codes():
            trees[code] = builtin_region_tree(code)
    except RegionError as exc:
        fail("内置行政区划表有问题：", exc.problems)
    return trees


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

            return import_workbooks(paths, context, advance)
    step = max(100, total // 10)

    def counter(done: int, _total: int, _path: Path) -> None:
        if done % step == 0 or done == total:
            err_console.print(f"已处理 {done}/{total} 个文件", markup=False)

    return import_workbooks(paths, context, counter if total >= 100 else None)


def _print_outcomes(outcomes: list[ImportOutcome]) -> None:
    for outcome in outcomes:
        if not outcome.accepted:
            console.print(f"[red]拒收[/] {outcome.path.name}（{len(outcome.problems)} 处问题）：", end="")
            console.print("")
            for problem in outcome.problems:
                console.print(f"  - {problem}", markup=False)
        for warning in outcome.warnings:
            color = "yellow" if not warning.finding.explained else "dim"
            console.print(f"  [{color}]警告[/] ", end="")
            console.print(str(warning), markup=False)


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
        existing = _load_units(target, framework, tree) if target.exists() else None
        merged = merge_outcomes(outcomes, framework, tree, framework.year, existing)
        write_units(target, merged, header=f"{tree.name}{merged.year}年度分地区填报数据（由 anju import 写入）")
        written.append((target, len(outcomes)))
    return written


# --- completeness -------------------------------------------------------------------------


def completeness_cmd(
    units: Annotated[Path, typer.Argument(help="units.yaml 或含有它的数据集目录")],
    deadline: Annotated[str | None, typer.Option("--deadline", help="报送截止日期（默认取 units.yaml 中的 deadline）")] = None,
    regions: Annotated[Path | None, typer.Option("--regions", help="行政区划文件或目录（默认用内置表）")] = None,
    framework: Annotated[str | None, typer.Option("--framework", "-f", help="指标体系（默认取 units.yaml 声明的）")] = None,
) -> None:
    """报送完整性与及时性：应报、已报、未报、逾期的单位。

    示例：anju completeness examples/jilin-2022 --deadline 2023-01-20
    """
    data, _fw, tree = _open_units(units, regions, framework)
    due = _date(deadline, "--deadline") if deadline else None
    report = completeness(tree, data, due)
    done, expected = report.rate
    rate = f"{done * 100 / expected:.1f}%" if expected else "-"
    due_text = report.deadline.isoformat() if report.deadline else "未设定"
    console.print(f"[bold]{tree.name}{report.year}年度报送情况[/]（截止日期：{due_text}）")
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
        raise typer.Exit(1)


# --- aggregate ----------------------------------------------------------------------------


def aggregate_cmd(
    units: Annotated[Path, typer.Argument(help="units.yaml 或含有它的数据集目录")],
    partial: Annotated[bool, typer.Option("--partial", help="未报送的单位不计入（年中监控用）；默认任一单位未报则有关合计为空")] = False,
    by: Annotated[str, typer.Option("--by", help="显示哪一级的合计：province 全省 / prefecture 各地级")] = "province",
    previous: Annotated[Path | None, typer.Option("--previous", help="上年的 units.yaml，用于跨年度比较")] = None,
    regions: Annotated[Path | None, typer.Option("--regions", help="行政区划文件或目录（默认用内置表）")] = None,
    framework: Annotated[str | None, typer.Option("--framework", "-f", help="指标体系（默认取 units.yaml 声明的）")] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="校验规则文件（默认用内置规则）")] = None,
) -> None:
    """把各单位数据逐级汇总（金额、数量相加，百分比按声明的方式，城市数按单位回答计数），并运行校验规则和异常值提示。

    示例：anju aggregate examples/jilin-2022 --by prefecture
    """
    data, fw, tree = _open_units(units, regions, framework)
    ruleset = _rules(fw, rules)
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
            values = [_show(result.figure(n.code, program.id, spec.id)) for n in nodes]
            table.add_row(spec.label, spec.unit, *values, describe_aggregation(spec, program))
        console.print(table)
    prior = _load_units(previous, fw, tree) if previous is not None else None
    findings = [f for f in check_units(ruleset, fw, data, prior) if not f.explained] + find_outliers(ruleset, fw, tree, data)
    _print_findings(findings, tree)
    if result.problems:
        console.print(f"\n[bold]汇总问题 {len(result.problems)} 项：[/]")
        for problem in result.problems:
            console.print(f"  - {problem}", markup=False)
        if not partial:
            raise typer.Exit(1)


def _show(value: FigureValue) -> str:
    if value is None:
        return "空白"
    if value == NOT_APPLICABLE:
        return "不适用"
    assert isinstance(value, Decimal)
    return plain(value)


def _print_findings(findings: list[Finding], tree: RegionTree) -> None:
    if not findings:
        console.print("\n校验规则与异常值：未发现问题。")
        return
    console.print(f"\n[bold]校验规则与异常值：{len(findings)} 项[/]")
    for finding in findings:
        unit = tree.units.get(finding.unit or "")
        prefix = f"{unit.display_name}：" if unit is not None and finding.severity.value != "advisory" else ""
        color = {"error": "red", "warning": "yellow", "advisory": "cyan"}[finding.severity.value]
        console.print(f"  [{color}]{finding.severity.label}[/] [{finding.rule}] ", end="")
        console.print(f"{prefix}{finding.message}", markup=False)


# --- evaluate --from-units ----------------------------------------------------------------


def dataset_from_units(dataset_dir: Path, dataset: Dataset, framework: Framework, units: Path | None = None) -> Dataset:
    """The dataset with its figures replaced by the aggregate of its units (``units.yaml`` next to
    the dataset unless ``units`` is given); stops with every reason when a total is blank."""
    path = units or (dataset_dir if dataset_dir.is_dir() else dataset_dir.parent) / "units.yaml"
    if not path.exists():
        fail(f"没有找到分地区数据 {path}（--from-units 需要数据集目录中的 units.yaml，或用 --units 指定）")
    try:
        tree = builtin_region_tree(dataset.region.code)
    except RegionError as exc:
        fail("行政区划表有问题：", exc.problems)
    data = _load_units(path, framework, tree)
    if data.year != dataset.year:
        fail(f"分地区数据为 {data.year} 年度，数据集为 {dataset.year} 年度")
    result = aggregate_units(framework, tree, data)
    if result.problems:
        fail(f"分地区数据汇总后有 {len(result.problems)} 项合计为空，未计分：", result.problems)
    diffs = figure_differences(dataset, result)
    console.print(f"数据来源：{path}（{len(data.units)} 个报表单位逐级汇总）")
    if data.note:
        console.print(data.note, markup=False)
    if diffs:
        console.print(f"[yellow]汇总数与 dataset.yaml 不同的数据项 {len(diffs)} 个（计分采用汇总数）：[/]")
        for program_id, fid, left, right in diffs:
            spec = framework.program(program_id).figure(fid)
            console.print(f"  - {framework.program(program_id).label}“{spec.label}”：dataset.yaml {_show(left)}，汇总 {_show(right)}",
                          markup=False)
    return with_unit_figures(dataset, result)


def prefecture_rows(
    dataset_dir: Path, dataset: Dataset, framework: Framework, units: Path | None = None
) -> list[tuple[str, dict[str, ProgramFigures]]] | None:
    """Appendix-table rows, one per prefecture (地级市/州, its subtree's totals), when the dataset
    has a ``units.yaml``; ``None`` when it has none."""
    path = units or (dataset_dir if dataset_dir.is_dir() else dataset_dir.parent) / "units.yaml"
    if not path.exists():
        return None
    try:
        tree = builtin_region_tree(dataset.region.code)
    except RegionError as exc:
        fail("行政区划表有问题：", exc.problems)
    data = _load_units(path, framework, tree)
    result = aggregate_units(framework, tree, data, partial=True)
    return [(unit.name, result.totals[unit.code]) for unit in tree.children(tree.code, data.year)]


# --- region -------------------------------------------------------------------------------


@region_app.command("show")
def region_show(
    region: Annotated[str, typer.Argument(help="省级行政区划代码")] = "220000",
    year: Annotated[int | None, typer.Option("--year", help="只显示该年度有效的单位")] = None,
    regions: Annotated[Path | None, typer.Option("--regions", help="行政区划文件或目录（默认用内置表）")] = None,
) -> None:
    """打印报表单位树：代码、名称、层级、类型、报表口径、有效年度。"""
    tree = _tree(region, regions)
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
    region: Annotated[str, typer.Option("--region", "-r", help="省级行政区划代码")] = "220000",
    year: Annotated[int | None, typer.Option("--year", help="年度（代码会变化）")] = None,
    regions: Annotated[Path | None, typer.Option("--regions", help="行政区划文件或目录（默认用内置表）")] = None,
) -> None:
    """把用户填写的名称匹配为行政区划代码（有歧义或不认识的名称报错）。"""
    tree = _tree(region, regions)
    problems: list[str] = []
    for name in names:
        try:
            unit = tree.match(name, year)
        except RegionMatchError as exc:
            problems.append(str(exc))
            continue
        console.print(f"{name} → {unit.code} {unit.display_name}（{tree.path_name(unit.code)}）", markup=False)
    if problems:
        fail("以下名称无法确定：", problems)


def register(app: typer.Typer) -> None:
    app.command("template")(template_cmd)
    app.command("import")(import_cmd)
    app.command("completeness")(completeness_cmd)
    app.command("aggregate")(aggregate_cmd)
    app.add_typer(region_app, name="region")

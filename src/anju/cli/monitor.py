"""``anju monitor …``: the year's monitoring rounds (双监控), their warnings and the board."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from anju.adapters.monitoring.chart import execution_chart
from anju.adapters.monitoring.workbook import Context, Imported, read_workbook, write_templates
from anju.adapters.report.fonts import FontMissingError
from anju.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_TOOL_MISSING,
    OptionalFrameworkOpt,
    RegionsOpt,
    console,
    fail,
    parse_date,
    say,
    year_monitoring,
    year_targets,
)
from anju.collect.regions import RegionTree
from anju.dates import chinese_date
from anju.decimals import plain
from anju.files import FileWriteError, write_text
from anju.framework.models import Framework
from anju.monitoring import Level, RoundAssessment, assess_round, assess_year
from anju.monitoring.engine import IndicatorStatus, ProgramStatus, UnitStatus
from anju.monitoring.loader import MonitoringError, check_monitoring, monitoring_path
from anju.monitoring.models import Monitoring
from anju.problems import ImportCode, Problem, Severity, Where
from anju.targets.models import Targets
from anju.yamlio import dump_yaml, parse_yaml, read_yaml, validate_model

monitor_app = typer.Typer(help="绩效运行监控（双监控）：预算执行与绩效目标完成进度、偏离预警、监控看板。",
                          no_args_is_help=True, rich_markup_mode=None)
LEVEL_STYLE = {Level.green: "green", Level.amber: "yellow", Level.red: "bold red"}
MonitoringOpt = Annotated[Path | None, typer.Option("--monitoring", "-m", help="监控文件（默认为目录中的 monitoring.yaml）")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="监控日期（如 2022-06-30；默认为最近一轮）")]


def _day(monitoring: Monitoring, as_of: str | None) -> dt.date:
    if as_of is None:
        if not monitoring.rounds:
            fail("监控文件中还没有任何一轮监控数据")
        return max(r.date for r in monitoring.rounds)
    day = parse_date(as_of, "--as-of")
    declared = [d.date for d in monitoring.dates]
    if day not in declared:
        fail(f"{as_of} 不是声明的监控日期（{'、'.join(d.isoformat() for d in declared)}）", code=EXIT_BAD_INPUT)
    return day


def _cell(level: Level, text: str) -> Text:
    return Text(f"{level.label} {text}".strip(), style=LEVEL_STYLE[level])


def _indicator_text(status: IndicatorStatus) -> Text:
    if status.share is None:
        return Text("—")
    return _cell(status.level, f"{plain(status.share)}%")


def _row(unit: UnitStatus, program: ProgramStatus, columns: list[str]) -> list[Text | str]:
    execution = program.execution
    if execution is None or execution.rate is None:
        cells: list[Text | str] = [plain(execution.budget) if execution else "—", "—", Text("—"), "—"]
    else:
        behind = execution.behind if execution.behind is not None else Decimal(0)
        cells = [plain(execution.budget), plain(execution.spent), _cell(execution.level, f"{plain(execution.rate)}%"),
                 plain(-behind)]
    by_id = {s.indicator.id: s for s in program.indicators}
    return [unit.name, *cells, *(_indicator_text(by_id[c]) if c in by_id else Text("—") for c in columns)]


def print_board(assessment: RoundAssessment) -> None:
    say(f"{chinese_date(assessment.date)}绩效运行监控看板（时序进度 {plain(assessment.time_progress)}%）", style="bold")
    say("红：须纠偏（须填写原因和纠偏措施）；黄：须关注；绿：正常。指标列为目标完成比例。")
    program_ids = list(assessment.total.programs)
    for program_id in program_ids:
        total = assessment.total.programs[program_id]
        columns = [s.indicator.id for s in total.indicators if s.indicator.adds_up]
        labels = {s.indicator.id: s.indicator.label for s in total.indicators}
        table = Table(title=f"{total.label}", title_justify="left")
        for title in ("单位", "预算（万元）", "支出（万元）", "预算执行率", "较时序进度", *(labels[c] for c in columns)):
            table.add_column(title, overflow="fold")
        for unit in assessment.units:
            program = unit.programs.get(program_id)
            if program is not None:
                table.add_row(*_row(unit, program, columns))
        table.add_row(*_row(assessment.total, total, columns), style="bold")
        console.print(table)
        if total.execution is not None and total.execution.projection is not None:
            projection = total.execution.projection
            say(f"  全省：按当前进度，年末预算执行率预计约{plain(projection.value)}%，{projection.text()}")
    counts = {level: sum(1 for w in assessment.warnings if w.level is level) for level in (Level.red, Level.amber)}
    say(f"预警 {len(assessment.warnings)} 项（红 {counts[Level.red]} 项，黄 {counts[Level.amber]} 项）")


def print_warnings(assessment: RoundAssessment, limit: int | None = None) -> None:
    shown = assessment.warnings if limit is None else assessment.warnings[:limit]
    for warning in shown:
        say(f"  {warning.level.label}", style=LEVEL_STYLE[warning.level], end="")
        say(f" {warning.unit_name}{warning.program_label}·{warning.subject}：{warning.rule_label}。{warning.message}")
        if warning.explained:
            say(f"      原因：{warning.reason}  纠偏措施：{warning.measure}")
    if limit is not None and len(assessment.warnings) > limit:
        say(f"  ……另有 {len(assessment.warnings) - limit} 项（--all 列出全部）")


@monitor_app.command("check")
def monitor_check(
    path: Annotated[Path, typer.Argument(help="含 targets.yaml 与 monitoring.yaml 的目录")],
    as_of: AsOfOpt = None,
    monitoring: MonitoringOpt = None,
    framework: OptionalFrameworkOpt = None,
    regions: RegionsOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="列出全部预警")] = False,
) -> None:
    """核对一轮监控情况能否报送：每项偏离预警都须填写原因和纠偏措施；缺少时列出单位和预警，退出码 2。

    示例：anju monitor check examples/jilin-2022 --as-of 2022-06-30
    """
    targets, fw, tree = year_targets(path, regions, framework)
    data = year_monitoring(path, targets, fw, tree, monitoring)
    _check_round(data, targets, fw, tree, _day(data, as_of), show_all)


def _check_round(data: Monitoring, targets: Targets, fw: Framework, tree: RegionTree, day: dt.date, show_all: bool) -> None:
    assessment = assess_round(data, targets, fw, tree, day)
    say(f"{chinese_date(assessment.date)}监控：{sum(1 for u in assessment.units if u.reported)}个单位已报送，"
        f"预警 {len(assessment.warnings)} 项")
    print_warnings(assessment, None if show_all else 10)
    blocking = [p for p in assessment.problems if p.is_error]
    for problem in assessment.problems:
        if not problem.is_error:
            say(f"  提示：{problem.message}", style="yellow")
    if blocking:
        fail(f"本轮监控情况不能报送，有 {len(blocking)} 处问题：", blocking)
    say("本轮监控情况可以报送：每项预警都有原因和纠偏措施。", style="green")


@monitor_app.command("board")
def monitor_board(
    path: Annotated[Path, typer.Argument(help="含 targets.yaml 与 monitoring.yaml 的目录")],
    as_of: AsOfOpt = None,
    monitoring: MonitoringOpt = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="把预算执行进度与时序进度对比图保存为 PNG")] = None,
    framework: OptionalFrameworkOpt = None,
    regions: RegionsOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="列出全部预警")] = False,
) -> None:
    """打印某一监控日期的看板：各单位、各项目的预算执行率（与时序进度比较）和绩效目标完成比例，
    红黄绿标示，预警及其预计年末得分；--chart 画出全年预算执行进度与时序进度对比图。

    示例：anju monitor board examples/jilin-2022 --as-of 2022-09-30 --chart out/执行进度.png
    """
    targets, fw, tree = year_targets(path, regions, framework)
    data = year_monitoring(path, targets, fw, tree, monitoring)
    day = _day(data, as_of)
    assessment = assess_round(data, targets, fw, tree, day)
    print_board(assessment)
    print_warnings(assessment, None if show_all else 10)
    if chart is not None:
        rounds = [a for a in assess_year(data, targets, fw, tree) if a.date <= day]
        try:
            execution_chart(rounds, chart, data.year, title=f"{tree.name}{data.year}年预算执行进度与时序进度")
        except FontMissingError as exc:
            fail("无法生成图表：", [str(exc)], code=EXIT_TOOL_MISSING)
        say(f"图表已保存：{chart}")


@monitor_app.command("template")
def monitor_template(
    path: Annotated[Path, typer.Argument(help="含 targets.yaml 与 monitoring.yaml 的目录")],
    date: Annotated[str, typer.Option("--date", help="监控日期（须为监控文件声明的日期，如 2022-06-30）")],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录")],
    monitoring: MonitoringOpt = None,
    framework: OptionalFrameworkOpt = None,
    regions: RegionsOpt = None,
) -> None:
    """为某一监控日期给每个报表单位生成一份 Excel 监控填报表：各项目的预算、实际支出和各项绩效目标的累计完成数
    （列出全年目标值），以及各项偏离预警的原因和纠偏措施；带数据有效性、锁定的标签单元格和隐藏的模板标识。

    示例：anju monitor template examples/jilin-2022 --date 2022-06-30 -o out/监控填报
    """
    targets, fw, tree = year_targets(path, regions, framework)
    data = year_monitoring(path, targets, fw, tree, monitoring)
    day = _day(data, date)
    try:
        written = write_templates(Context(fw, data, targets, tree), day, out)
    except FileWriteError as exc:
        fail("无法写出填报表：", [str(exc)])
    say(f"已生成{chinese_date(day)}监控填报表 {len(written)} 份：{out}")


@monitor_app.command("import")
def monitor_import(
    files: Annotated[list[Path], typer.Argument(help="填好的监控填报表（.xlsx），可多个")],
    targets_dir: Annotated[Path, typer.Option("--targets", help="含 targets.yaml 的目录（或 targets.yaml 文件）")],
    out: Annotated[Path, typer.Option("--out", "-o", help="要并入的监控文件 monitoring.yaml（原地更新）")],
    date: Annotated[str | None, typer.Option("--date", help="只接受这一监控日期的填报表（默认取填报表的日期，须一致）")] = None,
    framework: OptionalFrameworkOpt = None,
    regions: RegionsOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="列出全部预警")] = False,
) -> None:
    """导入各单位填好的监控填报表，逐项严格检查（任何一处问题都列出文件、工作表、单元格，全部不导入），
    并入监控文件的该轮监控数据（原子写入），再做与 anju monitor check 相同的核对：
    有预警缺原因或纠偏措施时，数据已并入，但提示本轮不能报送，退出码 2。

    示例：anju monitor import out/监控填报/*.xlsx --targets examples/jilin-2022 -o examples/jilin-2022/monitoring.yaml
    """
    targets, fw, tree = year_targets(targets_dir, regions, framework)
    data = year_monitoring(out, targets, fw, tree)
    expected = _day(data, date) if date is not None else None
    context = Context(fw, data, targets, tree)
    problems: list[Problem] = []
    accepted: list[Imported] = []
    for file in files:
        result = read_workbook(file, context, expected, display=str(file))
        if isinstance(result, list):
            problems.extend(result)
        else:
            accepted.append(result)
    seen: dict[str, Path] = {}
    for item in accepted:
        if item.unit.code in seen:
            problems.append(Problem(ImportCode.DUPLICATE_UNIT, Severity.error, f"{item.unit.display_name}的填报表重复："
                                    f"另见 {seen[item.unit.code]}", Where(file=str(item.path))))
        seen.setdefault(item.unit.code, item.path)
    days = sorted({item.date for item in accepted})
    if len(days) > 1:
        problems.append(Problem(ImportCode.TEMPLATE_FOREIGN, Severity.error, "本次导入的填报表属于不同的监控日期（"
                                f"{'、'.join(chinese_date(d) for d in days)}）：每次只导入一期", Where()))
    if problems:
        fail(f"监控填报表有 {len(problems)} 处问题，全部未导入：", problems)
    if not accepted:
        fail("没有可导入的填报表")
    day = days[0]
    text = _merged(monitoring_path(out), {item.unit.code: item for item in accepted}, day)
    try:
        merged = validate_model(parse_yaml(text, str(out)), Monitoring, MonitoringError, "监控文件")
    except MonitoringError as exc:
        fail(f"并入后的监控文件有 {len(exc.problems)} 处问题，未写入：", exc.problems)
    found = check_monitoring(merged, fw, targets, tree)
    if found:
        fail(f"并入后的监控文件有 {len(found)} 处问题，未写入：", found)
    try:
        write_text(monitoring_path(out), text)
    except FileWriteError as exc:
        fail("无法写入监控文件：", [str(exc)])
    say(f"已导入{chinese_date(day)}监控填报表 {len(accepted)} 份，并入 {monitoring_path(out)}")
    _check_round(merged, targets, fw, tree, day, show_all)


def _merged(path: Path, reports: dict[str, Imported], day: dt.date) -> str:
    """The monitoring file's text with the round of ``day`` holding ``reports`` (other units kept)."""
    raw = path.read_text(encoding="utf-8")
    header = "\n".join(line.removeprefix("#").strip() for line in raw.splitlines()[:20] if line.startswith("#")) or None
    doc = read_yaml(path)
    content: dict[str, Any] = doc.data
    rounds = content.setdefault("rounds", [])
    found = next((r for r in rounds if str(r.get("date")) == day.isoformat()), None)
    if found is None:
        found = {"date": day.isoformat(), "reports": {}}
        rounds.append(found)
        rounds.sort(key=lambda r: str(r.get("date")))
    found.setdefault("reports", {})
    for code, item in reports.items():
        previous = found["reports"].get(code) or {}
        report: dict[str, Any] = {"programs": item.programs}
        if previous.get("submitted"):
            report = {"submitted": previous["submitted"], **report}
        found["reports"][code] = report
    return dump_yaml(content, header=header)


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")

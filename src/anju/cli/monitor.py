"""``anju monitor …``: the year's monitoring rounds (双监控), their warnings and the board."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from anju.adapters.monitoring.chart import execution_chart
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
from anju.dates import chinese_date
from anju.decimals import plain
from anju.monitoring import Level, RoundAssessment, assess_round, assess_year
from anju.monitoring.engine import IndicatorStatus, ProgramStatus, UnitStatus
from anju.monitoring.models import Monitoring

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
    assessment = assess_round(data, targets, fw, tree, _day(data, as_of))
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


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")

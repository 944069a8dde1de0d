"""``anju selfreport``: the self-evaluation report (绩效自评报告) from targets, monitoring and evaluation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from anju.adapters.monitoring.chart import execution_chart
from anju.adapters.monitoring.selfreport import write_self_report
from anju.adapters.report.fonts import FontMissingError
from anju.cli.common import (
    EXIT_TOOL_MISSING,
    OptionalFrameworkOpt,
    fail,
    load_and_evaluate,
    say,
    year_monitoring,
    year_targets,
)
from anju.decimals import round_half_up
from anju.framework.models import Program
from anju.monitoring import assess_year, monitoring_path
from anju.monitoring.engine import execution_item
from anju.monitoring.models import Monitoring
from anju.monitoring.selfreport import build_self_report, report_clause_checks
from anju.scoring import Evaluation

REPORT_NAME = "绩效自评报告.docx"
CHART_NAME = "图1-预算执行进度与时序进度.png"


def _year_end(evaluation: Evaluation, monitoring: Monitoring, framework_programs: dict[str, Program]
              ) -> dict[str, tuple[dt.date, Decimal]]:
    """Each program's execution rate at year end, from the evaluation (the chart's last point)."""
    day = evaluation.as_of or dt.date(evaluation.year, 12, 31)
    found: dict[str, tuple[dt.date, Decimal]] = {}
    for program_id, figures in monitoring.programs.items():
        spec = framework_programs.get(program_id)
        if spec is None:
            continue
        item = execution_item(spec, figures.budget, figures.spent)
        if item is None:
            continue
        result = next((i for i in evaluation.program(program_id).items() if i.id == item.id and i.metric), None)
        if result is not None and result.metric is not None and result.metric.value is not None:
            found[program_id] = (day, round_half_up(result.metric.value, 2))
    return found


def selfreport_cmd(
    path: Annotated[Path, typer.Argument(help="数据集目录（含 dataset.yaml、targets.yaml，可有 monitoring.yaml）")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出目录")] = Path("out/selfreport"),
    targets: Annotated[Path | None, typer.Option("--targets", help="绩效目标文件（默认为目录中的 targets.yaml）")] = None,
    monitoring: Annotated[Path | None, typer.Option("--monitoring", "-m", help="监控文件（默认为目录中的 monitoring.yaml）")] = None,
    framework: OptionalFrameworkOpt = None,
) -> None:
    """生成绩效自评报告（Word，公文格式）：绩效目标分解下达情况、绩效目标完成情况分析、偏离绩效目标的原因和
    下一步改进措施、绩效自评结果四部分，全部由绩效目标、监控数据和评价结果生成，并附预算执行进度图。

    示例：anju selfreport examples/jilin-2022 -o out/jilin-2022/selfreport
    """
    fw, dataset, evaluation, _ = load_and_evaluate(path, framework, False, None, "未生成报告")
    goals, _, tree = year_targets(targets or path, None, dataset.framework if framework is None else framework)
    data = None
    if monitoring is not None or monitoring_path(path).exists():
        data = year_monitoring(path, goals, fw, tree, monitoring)
    rounds = assess_year(data, goals, fw, tree) if data is not None else []
    report = build_self_report(goals, fw, tree, dataset, evaluation, monitoring=data, rounds=rounds)
    chart = None
    if data is not None and rounds:
        try:
            chart = execution_chart(rounds, output / CHART_NAME, data.year,
                                    _year_end(evaluation, data, {p.id: p for p in fw.programs}),
                                    title=f"{tree.name}{data.year}年预算执行进度与时序进度")
        except FontMissingError as exc:
            fail("无法生成图表：", [str(exc)], code=EXIT_TOOL_MISSING)
    target = write_self_report(report, output / REPORT_NAME, chart)
    say(f"绩效自评报告已生成：{target}")
    checks = report_clause_checks(report, fw)
    if checks:
        met = sum(1 for c in checks if c.met)
        say(f"评价报告报送（完整性）：按本报告核对{len(checks)}个要点，满足{met}个；“按时报送”须按实际报送日期判断。")
        for check in checks:
            if not check.met:
                say(f"  未满足：{fw.program(check.program).label}“{check.label}”", style="red")
    for note in report.notes:
        say(f"  须人工补充：{note}", style="yellow")


def register(app: typer.Typer) -> None:
    app.command("selfreport")(selfreport_cmd)

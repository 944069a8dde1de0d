"""Pages of the year: the targets and their breakdown, the monitoring board per date with its
warnings, and the self-evaluation report download."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anju.adapters.monitoring.chart import execution_chart
from anju.adapters.monitoring.selfreport import write_self_report
from anju.adapters.report.fonts import FontMissingError
from anju.decimals import plain
from anju.monitoring import Level, RoundAssessment
from anju.monitoring.engine import IndicatorStatus
from anju.monitoring.selfreport import build_self_report
from anju_web.accounts.policy import authorize, has, region_scope_q
from anju_web.performance.services import (
    CHANGE,
    FILL,
    REVIEW,
    VIEW,
    YearData,
    YearFileRejected,
    import_monitoring,
    import_targets,
    may_report,
    may_review,
    return_unit_report,
    save_unit_report,
    unit_programs,
    unit_rows,
    year_data,
)
from anju_web.regions.models import Region
from anju_web.reviews.services import latest_run
from anju_web.shortcuts import get_cycle
from anju_web.submissions.models import Cycle

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LEVEL_CLASS = {Level.green: "level-green", Level.amber: "level-amber", Level.red: "level-red"}


def _data(request: HttpRequest, cycle: Any) -> YearData | None:
    try:
        return year_data(cycle)
    except YearFileRejected as exc:
        messages.error(request, f"已保存的文件无法读取：{exc}")
        return None


@login_required
def plan(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    if not has(request.user, VIEW, cycle.region) and (has(request.user, FILL) or may_review(request.user)):
        return redirect("performance_mine", cycle_id=cycle.pk)  # a unit's clerk, a prefecture: the units' reports
    cycle = get_cycle(request, cycle_id, VIEW)
    data = _data(request, cycle)
    programs = []
    if data is not None:
        for program_id, targets in data.targets.programs.items():
            programs.append({
                "label": cycle.framework.program(program_id).label, "targets": targets,
                "rows": [{"dimension": i.dimension.label, "category": i.category.label, "label": i.label,
                          "value": i.value_text(), "adds_up": i.adds_up} for i in targets.indicators],
                "prefectures": [{"name": data.tree.unit(code).name,
                                 "parts": [plain(parts.get(i.id, Decimal(0))) for i in targets.indicators if i.adds_up]}
                                for code, parts in targets.prefectures.items()],
                "part_headers": [f"{i.label}（{i.unit}）" for i in targets.indicators if i.adds_up],
            })
    return render(request, "performance/plan.html", {
        "cycle": cycle, "data": data, "programs": programs, "can_change": has(request.user, CHANGE, cycle.region),
        "dates": data.dates() if data else [], "reported": data.reported() if data else [],
        "has_run": latest_run(cycle) is not None,
    })


@login_required
@require_POST
def upload(request: HttpRequest, cycle_id: int, kind: str) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, VIEW)
    upload_file = request.FILES.get("file")
    if upload_file is None:
        messages.error(request, "请选择要导入的 YAML 文件。")
        return redirect("performance", cycle_id=cycle.pk)
    try:
        if kind == "targets":
            targets = import_targets(request.user, cycle, upload_file)
            messages.success(request, f"已导入绩效目标：{len(targets.programs)}个项目，分解下达的目标合计与全省目标一致。")
        elif kind == "monitoring":
            monitoring = import_monitoring(request.user, cycle, upload_file)
            messages.success(request, f"已导入监控数据：{len(monitoring.rounds)}轮。")
        else:
            raise Http404("没有这种文件")
    except YearFileRejected as exc:
        for problem in exc.problems:
            messages.error(request, f"未导入：{problem}")
    return redirect("performance", cycle_id=cycle.pk)


def _cell(status: IndicatorStatus | None) -> dict[str, Any]:
    share = status.share if status is not None else None
    return {"share": plain(share) if share is not None else "—", "level": status.level if status else Level.green}


def _board_rows(assessment: RoundAssessment, program_id: str) -> dict[str, Any]:
    total = assessment.total.programs[program_id]
    columns = [s.indicator for s in total.indicators if s.indicator.adds_up]
    rows = []
    for unit in [*assessment.units, assessment.total]:
        status = unit.programs.get(program_id)
        if status is None:
            continue
        execution = status.execution
        by_id = {s.indicator.id: s for s in status.indicators}
        rows.append({
            "name": unit.name, "code": unit.code, "total": unit.is_total,
            "budget": plain(execution.budget) if execution else "—",
            "spent": plain(execution.spent) if execution else "—",
            "rate": plain(execution.rate) if execution and execution.rate is not None else "—",
            "gap": plain(-execution.behind) if execution is not None and execution.behind is not None else "—",
            "level": execution.level if execution else Level.green,
            "cells": [_cell(by_id.get(c.id)) for c in columns],
        })
    projection = total.execution.projection if total.execution else None
    return {"label": total.label, "day": assessment.date.isoformat(), "columns": [c.label for c in columns], "rows": rows,
            "projection": f"按当前进度，年末预算执行率预计约{plain(projection.value)}%，{projection.text()}"
            if projection else ""}


@login_required
def board(request: HttpRequest, cycle_id: int, day: str) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, VIEW)
    data = _data(request, cycle)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("日期格式不对") from None
    if data is None or data.monitoring is None or date not in data.dates():
        raise Http404("不是声明的监控日期")
    assessment = data.assess(date)
    programs = [_board_rows(assessment, p) for p in assessment.total.programs]
    return render(request, "performance/board.html", {
        "cycle": cycle, "assessment": assessment, "programs": programs, "warnings": assessment.warnings,
        "blocking": [p for p in assessment.problems if p.is_error],
        "missing": [p for p in assessment.problems if not p.is_error],
        "level_class": LEVEL_CLASS, "dates": data.dates(),
    })


@login_required
def selfreport(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, VIEW)
    run = latest_run(cycle)
    data = _data(request, cycle)
    if run is None or data is None:
        messages.error(request, "生成绩效自评报告需要先导入绩效目标并运行评价。")
        return redirect("performance", cycle_id=cycle.pk)
    rounds = data.rounds()
    report = build_self_report(data.targets, cycle.framework, data.tree, run.engine_dataset(), run.evaluation(),
                               monitoring=data.monitoring, rounds=rounds)
    folder = Path(tempfile.mkdtemp(prefix="anju-selfreport-"))
    chart = None
    if data.monitoring is not None and rounds:
        try:
            chart = execution_chart(rounds, folder / "chart.png", data.monitoring.year,
                                    title=f"{data.tree.name}{data.monitoring.year}年预算执行进度与时序进度")
        except FontMissingError:
            messages.warning(request, "服务器缺少中文字体，报告中没有执行进度图。")
    target = write_self_report(report, folder / "selfreport.docx", chart)
    response = HttpResponse(target.read_bytes(), content_type=DOCX_TYPE)
    filename = f"{cycle.region.name}{cycle.year}年度绩效自评报告.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def unit_report(request: HttpRequest, cycle_id: int, day: str, code: str) -> HttpResponse:
    """A unit's monitoring report for one date: budget, spending, progress; a reason and a 纠偏措施 for
    each warning; 报送 is refused while a warning lacks either."""
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)  # a clerk sees the unit, not the province
    region = get_object_or_404(Region, pk=code)
    can_fill, can_return = may_report(request.user, region), may_review(request.user, region)
    if not can_fill and not can_return:
        authorize(request.user, FILL, region)
    data = _data(request, cycle)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("日期格式不对") from None
    if data is None or data.monitoring is None or date not in data.dates():
        raise Http404("不是声明的监控日期")
    posted: dict[str, str] = {}
    if request.method == "POST":
        if not can_fill:
            authorize(request.user, FILL, region)
        posted = {k: str(v) for k, v in request.POST.items()}
        submit = request.POST.get("action") == "submit"
        try:
            problems = save_unit_report(request.user, cycle, date, code, request.POST, submit=submit)
        except YearFileRejected as exc:
            problems = exc.problems
        if problems:
            for problem in problems:
                messages.error(request, problem)
        else:
            messages.success(request, "已报送。" if submit else "已保存。")
            return redirect("performance_unit_report", cycle_id=cycle.pk, day=day, code=code)
        data = _data(request, cycle) or data
    round_ = data.monitoring.round(date) if data.monitoring is not None else None
    report = round_.reports.get(code) if round_ is not None else None
    assessment = data.assess(date)
    status = next((u for u in assessment.units if u.code == code), None)
    programs = []
    for program_id in unit_programs(data, code) if data.monitoring is not None else []:
        stored = report.programs.get(program_id) if report is not None else None
        values = {"budget": stored.budget, "spent": stored.spent, **{f"progress-{k}": v for k, v in stored.progress.items()}} \
            if stored is not None else {}
        rows = [{"name": r.name, "label": r.label, "unit": r.unit, "target": r.target,
                 "value": posted.get(r.name, plain(values[key]) if (key := r.name.removeprefix(f"{program_id}-")) in values else "")}
                for r in unit_rows(data, program_id, code)]
        program_status = status.programs.get(program_id) if status is not None else None
        warnings = [{"w": w, "key": f"{program_id}::{w.rule}::{w.indicator or ''}"}
                    for w in (program_status.warnings if program_status is not None else [])]
        programs.append({"id": program_id, "label": cycle.framework.program(program_id).label, "rows": rows,
                         "warnings": warnings})
    return render(request, "performance/unit_report.html", {
        "cycle": cycle, "region": region, "date": date, "programs": programs,
        "submitted": report.submitted if report is not None else None,
        "returned": report.returned if report is not None else None,
        "can_fill": can_fill, "can_return": can_return and report is not None and report.submitted is not None,
    })


@login_required
@require_POST
def unit_return(request: HttpRequest, cycle_id: int, day: str, code: str) -> HttpResponse:
    """A reviewer returns (退回) a unit's submitted report with a reason."""
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    region = get_object_or_404(Region, pk=code)
    if not may_review(request.user, region):
        authorize(request.user, REVIEW[0], region)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("日期格式不对") from None
    try:
        return_unit_report(request.user, cycle, date, code, request.POST.get("reason", ""))
    except YearFileRejected as exc:
        for problem in exc.problems:
            messages.error(request, f"未退回：{problem}")
    else:
        messages.success(request, f"已退回{region.name}的监控情况，该单位修改后须重新报送。")
    return redirect("performance_unit_report", cycle_id=cycle.pk, day=day, code=code)


@login_required
def mine(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The monitoring dates of the units the user reports for, each with its report's state."""
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    reviewer = may_review(request.user)
    if not reviewer:
        authorize(request.user, FILL, None)
    data = _data(request, cycle)
    if data is None or data.monitoring is None:
        return render(request, "performance/mine.html", {"cycle": cycle, "units": [], "dates": [], "reviewer": reviewer})
    codes = {u.code for u in data.tree.reporting_units(data.monitoring.year) if u.level != "province"}
    regions = list(Region.objects.filter(region_scope_q(request.user)).filter(pk__in=codes).order_by("pk"))
    units = []
    for region in regions:
        states = []
        for day in data.dates():
            round_ = data.monitoring.round(day)
            report = round_.reports.get(region.pk) if round_ is not None else None
            if report is None:
                state = "未填报"
            elif report.returned is not None:
                state = "已退回，待重新报送"
            else:
                state = "已报送" if report.submitted else "已保存，未报送"
            states.append({"day": day, "state": state, "returned": report.returned if report is not None else None})
        units.append({"region": region, "states": states})
    return render(request, "performance/mine.html", {"cycle": cycle, "units": units, "dates": data.dates(),
                                                     "reviewer": reviewer})

"""Pages for evaluation years: the list (switch, archive) and the form that opens a new year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from anju_web.accounts.policy import has, profile_of, visible_regions
from anju_web.regions.models import Region
from anju_web.reviews.cycles import CycleRequest, open_cycle
from anju_web.shortcuts import post_text
from anju_web.submissions.cycles import (
    CycleRefused,
    archive_cycle,
    choose_cycle,
    current_cycle,
    framework_choices,
    visible_cycles,
)
from anju_web.submissions.models import Cycle


def _provinces(request: HttpRequest) -> list[Region]:
    return [r for r in visible_regions(request.user).filter(level="province").order_by("code")
            if has(request.user, "submissions.add_cycle", r)]


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    cycles = list(visible_cycles(request.user))
    current = current_cycle(request)
    for cycle in cycles:
        cycle.can_archive = cycle.archived_at is None and has(request.user, "submissions.add_cycle", cycle.region)  # type: ignore[attr-defined]
        cycle.unit_count = cycle.submissions.count()  # type: ignore[attr-defined]
    return render(request, "submissions/cycles.html", {
        "cycles": cycles, "current": current, "can_open": bool(_provinces(request)),
    })


@login_required
@require_POST
def choose(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = visible_cycles(request.user).filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404("没有找到该评价年度，或不在您的权限范围内")
    choose_cycle(request, cycle)
    messages.success(request, f"已切换到{cycle}{'（已归档，只能查看）' if cycle.is_archived else ''}。")
    return redirect("home")


@login_required
@require_POST
def archive(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = visible_cycles(request.user).filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404("没有找到该评价年度，或不在您的权限范围内")
    try:
        archive_cycle(request.user, cycle)
    except CycleRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{cycle}已归档：全部数据只能查看，不能再修改。")
    return redirect("cycles")


def _int(text: str, label: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise CycleRefused(f"{label}应为四位年份，实为“{text}”") from None


@login_required
def new_cycle(request: HttpRequest) -> HttpResponse:
    provinces = _provinces(request)
    if not provinces:
        raise Http404("您的角色不能开启评价年度")
    cycles = [c for c in visible_cycles(request.user) if c.region in provinces]
    latest = cycles[0] if cycles else None
    form: dict[str, Any] = {
        "province": provinces[0].pk, "year": (latest.year + 1) if latest else dt.date.today().year - 1,
        "framework": framework_choices()[-1] if framework_choices() else "",
        "region_year": "", "previous": latest.pk if latest else "",
        "copy_no_task": True, "copy_templates": True, "copy_baseline": True,
    }
    form["deadline"] = f"{form['year'] + 1}-01-31"
    if latest is not None and latest.framework_id in framework_choices():
        form["framework"] = latest.framework_id
    if request.method == "POST":
        form = {key: post_text(request, key) for key in ("province", "year", "framework", "region_year", "previous",
                                                          "deadline", "title")}
        for flag in ("copy_no_task", "copy_templates", "copy_baseline"):
            form[flag] = request.POST.get(flag) == "1"
        try:
            province = next((p for p in provinces if p.pk == form["province"]), None)
            if province is None:
                raise CycleRefused("请选择省份")
            previous = None
            if form["previous"]:
                previous = next((c for c in cycles if str(c.pk) == form["previous"]), None)
                if previous is None:
                    raise CycleRefused("上一评价年度不在您的权限范围内")
            try:
                deadline = dt.date.fromisoformat(form["deadline"])
            except ValueError:
                raise CycleRefused(f"截止日期应写成 YYYY-MM-DD，实为“{form['deadline']}”") from None
            cycle = open_cycle(request.user, CycleRequest(
                province=province, year=_int(form["year"], "年度"), framework_id=form["framework"],
                deadline=deadline, region_year=_int(form["region_year"], "区划版本") if form["region_year"] else None,
                previous=previous, copy_no_task=bool(form["copy_no_task"]), copy_templates=bool(form["copy_templates"]),
                copy_baseline=bool(form["copy_baseline"]), title=form["title"],
            ))
        except CycleRefused as exc:
            messages.error(request, f"未开启新年度：{exc}")
        else:
            choose_cycle(request, cycle)
            messages.success(request, f"已开启{cycle}：报表单位 {cycle.submissions.count()} 个，截止日期 "
                                      f"{cycle.deadline:%Y年%m月%d日}。")
            return redirect("board", cycle_id=cycle.pk)
    return render(request, "submissions/cycle_new.html", {
        "form": form, "provinces": provinces, "cycles": cycles, "frameworks": framework_choices(),
        "profile": profile_of(request.user),
    })


__all__ = ["Cycle", "archive", "choose", "cycle_list", "new_cycle"]

"""The framework catalogue: every built-in framework version, its programs and tables with the
provenance of each rule, and the diff between two versions — read-only, for every signed-in role."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from anju.decimals import plain
from anju.framework import Framework, builtin_framework, builtin_years
from anju.framework.describe import describe_rule, provenance_of
from anju.framework.diff import CHANGE_LABELS, TEMPLATE_LABELS, diff_frameworks
from anju.framework.mapping import mapping_sources
from anju.framework.models import Item, Program


@dataclass(frozen=True)
class Row:
    depth: int
    item: Item

    @property
    def points(self) -> str:
        return plain(self.item.points)

    @property
    def rule(self) -> str:
        return self.item.criteria or describe_rule(self.item)

    @property
    def provenance(self) -> str:
        return provenance_of(self.item).label

    @property
    def provenance_key(self) -> str:
        return provenance_of(self.item).value

    @property
    def note(self) -> str:
        rule = self.item.rule
        return (rule.note if rule is not None and rule.note else self.item.note) or ""


def _rows(program: Program) -> list[Row]:
    return [Row(path.count("."), item) for path, item in program.items()]


def _versions() -> list[Framework]:
    return [builtin_framework(year) for year in builtin_years()]


def _framework(framework_id: str) -> Framework:
    if framework_id not in builtin_years():
        raise Http404("没有这个指标体系")
    return builtin_framework(framework_id)


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    versions = _versions()
    return render(request, "reports/frameworks.html", {"versions": versions, "years": [f.id for f in versions]})


@login_required
def framework_detail(request: HttpRequest, framework_id: str) -> HttpResponse:
    framework = _framework(framework_id)
    programs = [(program, _rows(program), framework.scheme(program.id)) for program in framework.programs]
    mappings = []
    for mapping in framework.mappings:
        if mapping.from_framework not in builtin_years():
            continue
        previous = builtin_framework(mapping.from_framework)
        pairs = [
            (framework.program(pid).label, framework.program(pid).figure(fid).label,
             " + ".join(previous.program(source).figure(part).label for part in parts), previous.program(source).label)
            for (pid, fid), (source, parts) in mapping_sources(mapping, framework, previous).items()
        ]
        mappings.append((previous, mapping, pairs))
    context = {"framework": framework, "programs": programs, "mappings": mappings, "years": builtin_years()}
    return render(request, "reports/framework_detail.html", context)


@login_required
def framework_diff(request: HttpRequest) -> HttpResponse:
    years = builtin_years()
    before_id = request.GET.get("a") or (years[-2] if len(years) > 1 else years[0])
    after_id = request.GET.get("b") or years[-1]
    before, after = _framework(before_id), _framework(after_id)
    diff = diff_frameworks(before, after)
    context = {"before": before, "after": after, "diff": diff, "years": years, "labels": CHANGE_LABELS,
               "templates": TEMPLATE_LABELS}
    return render(request, "reports/framework_diff.html", context)

"""Import targets and monitoring files into a cycle, and read them back through the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from pydantic import BaseModel

from anju.collect.regions import RegionTree
from anju.framework.models import Framework
from anju.monitoring import Monitoring, MonitoringError, RoundAssessment, assess_round, assess_year
from anju.monitoring.loader import check_monitoring
from anju.problems import ProblemsError
from anju.targets import Targets, TargetsError, check_targets
from anju.yamlio import YamlDocument, YamlError, parse_yaml, validate_model
from anju_web.accounts.policy import authorize
from anju_web.performance.models import YearPlan
from anju_web.regions.source import region_tree
from anju_web.submissions.models import Cycle

VIEW = "performance.view_yearplan"
CHANGE = "performance.change_yearplan"
MAX_BYTES = 5 * 1024 * 1024


class YearFileRejected(Exception):
    """An uploaded targets or monitoring file that is not accepted; ``problems`` are Chinese sentences."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class YearData:
    targets: Targets
    monitoring: Monitoring | None
    framework: Framework
    tree: RegionTree

    def dates(self) -> list[dt.date]:
        return [d.date for d in self.monitoring.dates] if self.monitoring is not None else []

    def reported(self) -> list[dt.date]:
        return sorted(r.date for r in self.monitoring.rounds) if self.monitoring is not None else []

    def assess(self, day: dt.date) -> RoundAssessment:
        assert self.monitoring is not None
        return assess_round(self.monitoring, self.targets, self.framework, self.tree, day)

    def rounds(self) -> list[RoundAssessment]:
        if self.monitoring is None:
            return []
        return assess_year(self.monitoring, self.targets, self.framework, self.tree)


def _text(upload: UploadedFile) -> tuple[str, str]:
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    if (upload.size or 0) > MAX_BYTES:
        raise YearFileRejected([f"{name}：文件过大（上限 {MAX_BYTES // (1024 * 1024)} MB）"])
    try:
        return name, b"".join(upload.chunks()).decode("utf-8")
    except UnicodeDecodeError:
        raise YearFileRejected([f"{name}：不是 UTF-8 编码的 YAML 文本文件"]) from None


ModelT = TypeVar("ModelT", bound=BaseModel)


def _parse(text: str, name: str, model: type[ModelT], error: type[ProblemsError], what: str) -> tuple[ModelT, YamlDocument]:
    try:
        doc = parse_yaml(text, name)
        return validate_model(doc, model, error, what), doc
    except (YamlError, ProblemsError) as exc:
        raise YearFileRejected([str(p) for p in exc.problems]) from None


def read_targets(cycle: Cycle, text: str, name: str = "targets.yaml") -> Targets:
    """The targets of ``text``, checked against the cycle's framework and region tree."""
    targets, doc = _parse(text, name, Targets, TargetsError, "绩效目标文件")
    if targets.year != cycle.year:
        raise YearFileRejected([f"{name}：文件的年度（{targets.year}）与本评价年度（{cycle.year}）不符"])
    problems = check_targets(targets, cycle.framework, region_tree(cycle.region_id), doc)
    if problems:
        raise YearFileRejected([str(p) for p in problems])
    return targets


def read_monitoring(cycle: Cycle, targets: Targets, text: str, name: str = "monitoring.yaml") -> Monitoring:
    monitoring, doc = _parse(text, name, Monitoring, MonitoringError, "监控文件")
    problems = check_monitoring(monitoring, cycle.framework, targets, region_tree(cycle.region_id), doc)
    if problems:
        raise YearFileRejected([str(p) for p in problems])
    return monitoring


def year_data(cycle: Cycle) -> YearData | None:
    plan = YearPlan.objects.filter(cycle=cycle).first()
    if plan is None:
        return None
    targets = read_targets(cycle, plan.targets, plan.targets_name)
    monitoring = read_monitoring(cycle, targets, plan.monitoring, plan.monitoring_name) if plan.monitoring else None
    return YearData(targets, monitoring, cycle.framework, region_tree(cycle.region_id))


def import_targets(user: Any, cycle: Cycle, upload: UploadedFile) -> Targets:
    authorize(user, CHANGE, cycle.region)
    name, text = _text(upload)
    targets = read_targets(cycle, text, name)
    plan = YearPlan.objects.filter(cycle=cycle).first()
    if plan is not None and plan.monitoring:
        read_monitoring(cycle, targets, plan.monitoring, plan.monitoring_name)  # the rounds must still fit
    YearPlan.objects.update_or_create(cycle=cycle, defaults={"targets": text, "targets_name": name, "updated_by": user})
    return targets


def import_monitoring(user: Any, cycle: Cycle, upload: UploadedFile) -> Monitoring:
    authorize(user, CHANGE, cycle.region)
    plan = YearPlan.objects.filter(cycle=cycle).first()
    if plan is None:
        raise YearFileRejected(["请先导入绩效目标，再导入监控数据"])
    name, text = _text(upload)
    monitoring = read_monitoring(cycle, read_targets(cycle, plan.targets, plan.targets_name), text, name)
    plan.monitoring, plan.monitoring_name, plan.updated_by = text, name, user
    plan.save()
    return monitoring

"""Load an example dataset (Jilin 2022) into the database, with demo accounts for every role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from anju.collect.units import UNITS_FILE, load_units
from anju.dataset import load_dataset
from anju_web.accounts.models import Profile
from anju_web.accounts.roles import Role
from anju_web.accounts.services import assign_role, ensure_groups
from anju_web.audit.models import AuditAction
from anju_web.audit.services import record
from anju_web.regions.models import Region
from anju_web.regions.services import sync_regions
from anju_web.regions.source import region_tree
from anju_web.reviews.cycles import load_report
from anju_web.reviews.models import Judgement, Narrative
from anju_web.reviews.services import RunOutcome, run_evaluation
from anju_web.submissions.models import (
    Cycle,
    Status,
    Submission,
)

DEMO_PASSWORD = "anju-demo-2022"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    region: str | None
    department: str
    display_name: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("clerk-220122", Role.county_clerk, "220122", "农安县财政局", "李明"),
    DemoAccount("clerk-220182", Role.county_clerk, "220182", "榆树市财政局", "王芳"),
    DemoAccount("clerk-220100", Role.county_clerk, "220100", "长春市财政局", "赵磊"),
    DemoAccount("reviewer-220100", Role.prefecture_reviewer, "220100", "长春市财政局", "陈静"),
    DemoAccount("reviewer-220200", Role.prefecture_reviewer, "220200", "吉林市财政局", "刘洋"),
    DemoAccount("evaluator-finance", Role.province_evaluator, "220000", "吉林省财政厅", "孙伟"),
    DemoAccount("evaluator-housing", Role.province_evaluator, "220000", "吉林省住房和城乡建设厅", "周丽"),
    DemoAccount("supervisor", Role.supervision_reviewer, "220000", "财政部吉林监管局", "吴刚"),
    DemoAccount("admin", Role.administrator, None, "系统运维", "管理员"),
)


def ensure_demo_accounts(password: str = DEMO_PASSWORD, *, first_login_change: bool = False) -> list[DemoAccount]:
    """The demo accounts (created once with the shared demo password; with ``first_login_change``
    each new account must change it at its first sign-in)."""
    user_model = get_user_model()
    for account in DEMO_ACCOUNTS:
        user, created = user_model.objects.get_or_create(username=account.username)
        if created:
            user.set_password(password)
            user.save()
        region = Region.objects.get(pk=account.region) if account.region else None
        assign_role(user, account.role, region, department=account.department, display_name=account.display_name)
        if created and first_login_change:
            Profile.objects.filter(user=user).update(must_change_password=True)
    return list(DEMO_ACCOUNTS)


# Demo states: a few units still being filled or reviewed, the rest approved by the province.
DEMO_STATES: dict[str, Status] = {
    "220122": Status.draft,  # 农安县: the demo clerk's unit
    "220182": Status.draft,  # 榆树市
    "220100": Status.draft,  # 长春市本级
    "220183": Status.submitted,  # 德惠市: waiting for the 长春 reviewer
    "220184": Status.submitted,  # 公主岭市
    "220221": Status.accepted,  # 永吉县: waiting for the province
    "220281": Status.accepted,  # 蛟河市
}


@transaction.atomic
def load_example(path: Path | str, deadline: dt.date | None = None) -> Cycle:
    """Create the cycle of the example's province and year: the evaluators' judgements and
    narrative from ``dataset.yaml`` and, from ``units.yaml`` beside it, every reporting unit's
    report (in the demo states above; without ``units.yaml`` every unit starts as an empty draft)."""
    dataset, framework = load_dataset(path)
    ensure_groups()
    sync_regions()
    province = Region.objects.get(pk=dataset.region.code)
    tree = region_tree(province.code)
    units_yaml = Path(path) / UNITS_FILE if Path(path).is_dir() else Path(path).with_name(UNITS_FILE)
    units = load_units(units_yaml, framework, tree) if units_yaml.exists() else None
    cycle = Cycle.objects.create(
        region=province,
        year=dataset.year,
        framework_id=dataset.framework,
        title=dataset.title or f"{province.name}{dataset.year}年度城镇保障性安居工程绩效评价",
        deadline=deadline or (units.deadline if units and units.deadline else dt.date(dataset.year + 1, 1, 31)),
        as_of=dataset.as_of,
        stated={pid: data.stated.model_dump(mode="json", exclude_defaults=True) for pid, data in dataset.programs.items()},
        source=dataset.source or "",
    )
    for pid, data in dataset.programs.items():
        for item_path, judgement in data.judgements.items():
            Judgement.objects.create(
                cycle=cycle, program=pid, item_path=item_path, points=judgement.points,
                clauses={k: v if isinstance(v, bool) else str(v) for k, v in judgement.clauses.items()},
                reason=judgement.reason or "", evidence=list(judgement.evidence),
            )
        for item_path, text in data.narrative.items():
            Narrative.objects.create(cycle=cycle, program=pid, item_path=item_path, text=text)
    loaded = 0
    for unit in tree.reporting_units(dataset.year):
        report = units.units.get(unit.code) if units else None
        submission = Submission.objects.create(cycle=cycle, region_id=unit.code)
        if report is None:
            continue
        load_report(submission, report, f"示例数据：{units_yaml.name}", DEMO_STATES.get(submission.region_id, Status.approved))
        loaded += 1
    record(None, AuditAction.example_loaded, cycle.audit_target(),
           new=f"判断 {cycle.judgements.count()} 项，报表单位 {cycle.submissions.count()} 个，其中已有填报数据 {loaded} 个",
           note=str(path))
    return cycle


def first_run(cycle: Cycle) -> RunOutcome:
    """Score the example once so the dashboards have something to show."""
    evaluator = get_user_model().objects.get(username="evaluator-finance")
    return run_evaluation(evaluator, cycle)


def banner(url: str, *, first_login_change: bool = False) -> str:
    lines = [
        "",
        "安居 · 城镇保障性安居工程绩效评价系统（演示）",
        f"  访问地址：{url}",
        f"  演示账号（初始密码均为 {DEMO_PASSWORD}{'，首次登录须先修改密码' if first_login_change else ''}）：",
    ]
    for account in DEMO_ACCOUNTS:
        region = Region.objects.filter(pk=account.region).first() if account.region else None
        if region is None:
            where = "全部"
        elif account.role == Role.prefecture_reviewer:
            where = f"{region.name}（本级及所辖县市）"
        else:
            where = region.display_name
        lines.append(f"    {account.username:<18} {account.role.label}（{account.department}，范围：{where}）")
    lines.append("  按 Ctrl+C 停止服务。")
    return "\n".join(lines)

"""The five roles, their Django groups and the permissions each group holds.

Permissions say *what* a role may do; :mod:`anju_web.accounts.policy` says *where* (which
regions). Both are checked on every view and API call.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    county_clerk = "county_clerk", "市县填报员"
    prefecture_reviewer = "prefecture_reviewer", "地级市审核员"
    province_evaluator = "province_evaluator", "省级评价员"
    supervision_reviewer = "supervision_reviewer", "监管局审核员"
    administrator = "administrator", "系统管理员"


READ_ALL = [
    "regions.view_region",
    "submissions.view_cycle",
    "submissions.view_submission",
    "reviews.view_evaluationrun",
    "reviews.view_judgement",
    "reviews.view_comment",
    "reviews.view_scoreadjustment",
    "evidence.view_evidencefile",
    "audit.view_auditevent",
    "allocations.view_allocation",
    "audits.view_documentaudit",
    "performance.view_yearplan",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.county_clerk: [
        "regions.view_region",
        "submissions.view_cycle",
        "submissions.view_submission",
        "submissions.fill_submission",
        "submissions.submit_submission",
        "submissions.withdraw_submission",
        "evidence.view_evidencefile",
        "evidence.add_evidencefile",
        "audit.view_auditevent",
    ],
    Role.prefecture_reviewer: [
        "regions.view_region",
        "submissions.view_cycle",
        "submissions.view_submission",
        "submissions.review_submission",
        "evidence.view_evidencefile",
        "audit.view_auditevent",
        "audit.export_auditevent",
    ],
    Role.province_evaluator: [
        *READ_ALL,
        "submissions.approve_submission",
        "submissions.lock_submission",
        "submissions.reopen_submission",
        "submissions.sign_cycle",
        "submissions.add_cycle",
        "reviews.change_judgement",
        "reviews.run_evaluation",
        "reviews.add_comment",
        "reviews.respond_scoreadjustment",
        "reviews.resolve_comment",
        "evidence.add_evidencefile",
        "allocations.run_allocation",
        "audits.add_documentaudit",
        "performance.change_yearplan",
        "audit.export_auditevent",
    ],
    Role.supervision_reviewer: [
        *READ_ALL,
        "reviews.add_comment",
        "reviews.add_scoreadjustment",
        "audits.add_documentaudit",
        "audit.export_auditevent",
    ],
    Role.administrator: [
        *READ_ALL,
        "submissions.change_cycle",
        "submissions.add_cycle",
        "audit.export_auditevent",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "accounts.view_profile",
        "accounts.add_profile",
        "accounts.change_profile",
    ],
}


def group_name(role: Role) -> str:
    return role.label

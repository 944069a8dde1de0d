"""The roles, their Django groups and the permissions each group holds.

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
    national_evaluator = "national_evaluator", "财政部评价员"
    national_reader = "national_reader", "住房城乡建设部查看员"
    administrator = "administrator", "系统管理员"


DATA_ROLES = frozenset({Role.county_clerk, Role.prefecture_reviewer, Role.province_evaluator, Role.supervision_reviewer,
                        Role.national_evaluator, Role.national_reader})
"""Roles that enter, review or score data: given only with a second administrator's approval (三员分立)."""

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
    # The national level reads every region; 财政部 also runs the national evaluation and the allocation among the regions.
    Role.national_evaluator: [
        *READ_ALL,
        "reviews.run_national_evaluation",
        "allocations.run_allocation",
        "audit.export_auditevent",
    ],
    Role.national_reader: [
        *READ_ALL,
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
        "accounts.view_rolegrant",
        "accounts.add_rolegrant",
        "accounts.change_rolegrant",
    ],
}


def group_name(role: Role) -> str:
    return role.label


DATA_PERMISSIONS = frozenset(
    name for role in DATA_ROLES for name in ROLE_PERMISSIONS[role] if name not in ROLE_PERMISSIONS[Role.administrator]
)
"""What only the data roles may do (fill, review, score, approve, comment); the system administrator —
even a superuser — never may (三员分立: 系统管理员不能改数据)."""

NATIONAL_ROLES = frozenset({Role.national_evaluator, Role.national_reader})
"""Roles that see every region (read) and the national dashboard."""

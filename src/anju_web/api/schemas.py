"""What the API reads and returns. Handlers return model instances (or the engine's objects) and
these schemas serialise them (``from_attributes``, with resolvers for what is computed).

Numbers are exchanged as decimal strings (``"1234.56"``) so that no value passes through a binary
float. A problem found is :class:`IssueOut` everywhere — a unit's validation, a run's consistency
checks and every refusal (:class:`ErrorOut`) — the same vocabulary as :class:`anju.problems.Problem`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from ninja import Field, Path, Schema
from pydantic import BeforeValidator

from anju.decimals import plain
from anju.problems import Problem, Severity
from anju_web.accounts.policy import profile_of
from anju_web.audit.models import AuditAction, AuditEvent, AuditObject
from anju_web.evidence.models import EvidenceFile
from anju_web.reviews.models import Comment, EvaluationRun
from anju_web.reviews.services import run_is_current
from anju_web.submissions.models import FigureEntry, ItemReturn, Submission
from anju_web.submissions.workflow import Verb

MAX_OFFSET = 2**31 - 1
"""Offsets and ids beyond this are refused (422), never handed to the database."""
MAX_PAGE = 1000
"""Most audit events one request returns."""


ObjectId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="编号")]
"""An object's id in a path: beyond the range is refused (422), never handed to the database."""


def _decimal_text(value: object) -> object:
    return plain(value) if isinstance(value, Decimal) else value


DecimalText = Annotated[str, BeforeValidator(_decimal_text)]
"""A Decimal, written as its plain text (2.00 → "2")."""


def _unknown_as_none(value: object) -> object:
    return None if value == 0 else value


# --- problems -------------------------------------------------------------------------------


class WhereOut(Schema):
    """Where a problem is: any of these coordinates (ids and GB/T 2260 codes), all optional."""

    program: str | None = None
    item: str | None = None
    figure: str | None = None
    unit: str | None = None
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    line: Annotated[int | None, BeforeValidator(_unknown_as_none)] = None
    paragraph: int | None = None
    page: int | None = None


class IssueOut(Schema):
    """A problem found (the same vocabulary as the command line and the pages)."""

    code: str
    severity: Severity
    severity_label: str
    message: str
    where: WhereOut
    explanation: str | None = None
    stated: str | None = None
    computed: str | None = None

    @staticmethod
    def resolve_severity_label(obj: Problem) -> str:
        return obj.severity.label


class ErrorOut(Schema):
    """Why a request was refused; ``problems`` names each field or row when there are several."""

    detail: str
    problems: list[IssueOut] = []


def error(detail: str, problems: list[Problem] | None = None) -> ErrorOut:
    return ErrorOut(detail=detail, problems=[IssueOut.model_validate(p) for p in problems or []])


# --- people, regions, cycles ----------------------------------------------------------------


class Me(Schema):
    username: str
    role: str | None
    role_label: str | None
    region: str | None
    department: str

    @staticmethod
    def resolve_username(obj: AbstractBaseUser) -> str:
        return obj.get_username()

    @staticmethod
    def resolve_role(obj: AbstractBaseUser) -> str | None:
        profile = profile_of(obj)
        return profile.role if profile else None

    @staticmethod
    def resolve_role_label(obj: AbstractBaseUser) -> str | None:
        profile = profile_of(obj)
        return profile.get_role_display() if profile else None

    @staticmethod
    def resolve_region(obj: AbstractBaseUser) -> str | None:
        profile = profile_of(obj)
        return profile.region_id if profile else None

    @staticmethod
    def resolve_department(obj: AbstractBaseUser) -> str:
        profile = profile_of(obj)
        return profile.department if profile else ""


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None = Field(None, alias="parent_id")


class CycleOut(Schema):
    id: int
    region: str = Field(alias="region_id")
    year: int
    framework_id: str
    framework_digest: str
    """SHA-256 of the framework as it was when the cycle was created."""
    title: str
    deadline: dt.date
    signed_at: dt.datetime | None
    data_version: int
    region_year: int = Field(alias="tree_year", description="区划版本（年份）")
    previous: int | None = Field(alias="previous_id", description="由哪个评价年度开启")
    archived_at: dt.datetime | None = Field(description="归档时间（归档后只读）")


# --- submissions ----------------------------------------------------------------------------


class SubmissionOut(Schema):
    id: int
    cycle: int = Field(alias="cycle_id")
    region: str = Field(alias="region_id")
    region_name: str = Field(alias="region.display_name")
    status: str
    status_label: str
    version: int
    submitted_at: dt.datetime | None
    errors: int
    warnings: int

    @staticmethod
    def resolve_status_label(obj: Submission) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_errors(obj: Submission) -> int:
        return obj.error_count()

    @staticmethod
    def resolve_warnings(obj: Submission) -> int:
        return obj.warning_count()


class FigureOut(Schema):
    program: str
    figure: str = Field(alias="figure_id")
    state: str
    value: DecimalText | None
    explanation: str


class ReplyIn(Schema):
    text: str = Field(min_length=1, max_length=4000, description="回复内容：说明如何修改，或审核人的答复")


class ReturnOut(Schema):
    id: int
    program: str
    figure: str = Field(alias="figure_id")
    reason: str
    status: str
    messages: list[str]

    @staticmethod
    def resolve_messages(obj: ItemReturn) -> list[str]:
        return [m.text for m in obj.messages.all()]


class SubmissionDetail(SubmissionOut):
    reporter: str = Field(description="封面：填报人")
    phone: str = Field(description="封面：联系电话")
    report_date: dt.date | None = Field(description="封面：填报日期")
    unit_head: str = Field(description="封面：单位负责人")
    reopen_reason: str = Field(description="省级重新打开本单位填报的理由（再次提交前）")
    no_task: list[str]
    figures: list[FigureOut]
    issues: list[IssueOut]
    returns: list[ReturnOut]

    @staticmethod
    def resolve_figures(obj: Submission) -> list[FigureEntry]:
        return list(obj.entries.order_by("program", "figure_id"))

    @staticmethod
    def resolve_issues(obj: Submission) -> list[Problem]:
        return obj.problems

    @staticmethod
    def resolve_returns(obj: Submission) -> list[ItemReturn]:
        return list(obj.returns.prefetch_related("messages"))


class FigureIn(Schema):
    program: str
    figure: str
    value: str | None = None
    """A number as text, 是/否 for a question row, empty for blank."""
    not_applicable: bool = False
    explanation: str | None = None
    """情况说明 (explains a warning on this row); omitted leaves it unchanged."""


class FiguresIn(Schema):
    version: int = Field(ge=0, le=MAX_OFFSET, description="读取时的填报版本；与当前版本不符时答 409，不覆盖他人的修改")
    figures: list[FigureIn]
    no_task: list[str] | None = None
    """Programs marked 无此项任务; omitted leaves the switches unchanged."""


class ReturnItemIn(Schema):
    program: str
    figure: str
    reason: str


class TransitionIn(Schema):
    verb: Verb
    reason: str = ""
    items: list[ReturnItemIn] = []


# --- the evaluation and its review ----------------------------------------------------------


class JudgementOut(Schema):
    program: str
    item_path: str
    points: DecimalText | None
    clauses: dict[str, bool | str]
    reason: str
    evidence: list[str]
    version: int = Field(description="当前版本；修改时原样传回")


class JudgementIn(Schema):
    version: int = Field(ge=0, le=MAX_OFFSET, description="读取时的版本（尚未评定的为 0）；与当前版本不符时答 409，不覆盖他人的修改")
    points: str | None = None
    clauses: dict[str, bool | str] = {}
    reason: str = ""
    evidence: list[str] | None = None
    """Omitted keeps the evidence list as it is."""


class RunOut(Schema):
    id: int
    created_at: dt.datetime
    created_by: str
    data_version: int | None
    input_hash: str
    source: str
    totals: dict[str, str]
    current: bool
    evaluation: dict[str, Any] = Field(alias="result")
    issues: list[IssueOut]

    @staticmethod
    def resolve_created_by(obj: EvaluationRun) -> str:
        return obj.created_by.get_username()

    @staticmethod
    def resolve_current(obj: EvaluationRun) -> bool:
        return run_is_current(obj.cycle, obj)

    @staticmethod
    def resolve_issues(obj: EvaluationRun) -> list[Problem]:
        return obj.problems()


class AdjustmentIn(Schema):
    program: str
    item_path: str
    proposed_score: str
    reason: str


class AdjustmentAnswerIn(Schema):
    accept: bool = Field(description="true 采纳（得分按建议调整），false 不采纳")
    response: str = Field("", max_length=4000, description="答复意见（不采纳时须说明理由）")


class AdjustmentOut(Schema):
    id: int
    program: str
    item_path: str
    self_score: DecimalText
    proposed_score: DecimalText
    reason: str
    status: str
    response: str


class CommentIn(Schema):
    text: str
    submission: int | None = None
    program: str = ""
    item_path: str = ""


class CommentOut(Schema):
    id: int
    text: str
    submission: int | None = Field(None, alias="submission_id")
    program: str
    item_path: str
    resolved: bool

    @staticmethod
    def resolve_resolved(obj: Comment) -> bool:
        return obj.resolved_at is not None


# --- audit and evidence ---------------------------------------------------------------------


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str = Field(alias="actor_label")
    action: AuditAction
    action_label: str
    object_type: AuditObject
    object_label: str
    field: str
    old_value: str
    new_value: str
    note: str
    region: str | None = Field(None, alias="region_id")

    @staticmethod
    def resolve_action_label(obj: AuditEvent) -> str:
        return obj.get_action_display()


class AuditFilter(Schema):
    object_type: AuditObject | None = None
    region: str | None = None
    cycle: int | None = Field(None, ge=1, le=MAX_OFFSET, description="评价年度编号")
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class EvidenceIn(Schema):
    region: str = Field(max_length=12, description="所属区划代码（本单位或省级）")
    title: str = Field("", max_length=200)
    program: str = Field("", max_length=16, description="关联的项目（可选）")
    item_path: str = Field("", max_length=200, description="关联的指标（可选）")


class EvidenceOut(Schema):
    id: int
    region: str = Field(alias="region_id")
    program: str
    item_path: str
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    download: str

    @staticmethod
    def resolve_download(obj: EvidenceFile) -> str:
        return reverse("evidence_download", args=[obj.pk])

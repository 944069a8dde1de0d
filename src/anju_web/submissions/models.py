"""Evaluation cycles, unit submissions, their figures, per-item returns and warning explanations.

No scoring here: figures are stored as reported (blank, a number, or 不适用) and handed to the
engine by :func:`anju_web.reviews.assembly.assemble`.

The cycle's :attr:`Cycle.data_version` counts the changes to what the evaluation is computed from;
every write of figures, 无此项任务 switches, judgements or narrative, and every reopening, calls
:meth:`Cycle.inputs_changed` in its transaction, and a stored run is current when it was computed
at the version the cycle has now.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from anju.dataset import NOT_APPLICABLE, FigureValue
from anju.dataset.models import figure_text
from anju.framework import Framework
from anju.problems import Problem, Severity
from anju_web.audit.models import AuditObject, AuditTarget
from anju_web.regions.models import Region
from anju_web.submissions.frameworks import framework_by_id


class Cycle(models.Model):
    """One province's evaluation of one year (e.g. 吉林省 2022 年度)."""

    region = models.ForeignKey(Region, verbose_name="省份", on_delete=models.PROTECT, related_name="cycles")
    year = models.PositiveIntegerField("年度")
    framework_id = models.CharField("指标体系", max_length=16)
    framework_digest = models.CharField(
        "指标体系指纹", max_length=64, blank=True, help_text="创建评价年度时指标体系的 SHA-256；与当前指标体系不同即说明指标体系已修改"
    )
    title = models.CharField("标题", max_length=200)
    deadline = models.DateField("市县报送截止日期")
    as_of = models.DateField("数据截止日期", null=True, blank=True)
    stated = models.JSONField("文件所述得分和比例（仅用于核对）", default=dict, blank=True)
    source = models.CharField("数据来源", max_length=300, blank=True)
    signed_at = models.DateTimeField("省级审定时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_year = models.PositiveIntegerField(
        "区划版本（年份）", null=True, blank=True,
        help_text="按哪一年的行政区划确定报表单位和填报表（空白即评价年度本身）")
    previous = models.ForeignKey(
        "self", verbose_name="上一评价年度", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="由哪个年度开启（上年数据、无此项任务和说明模板从这里复制）")
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="归档人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data_version = models.PositiveIntegerField(
        "评价数据版本", default=0, editable=False, help_text="填报数据、无此项任务、判断、逐项说明每修改一次（或重新打开填报）加一"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价年度"
        verbose_name_plural = "评价年度"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_cycle_per_province_year")]
        permissions = [("sign_cycle", "审定评价结果并锁定全部填报")]

    def __str__(self) -> str:
        return f"{self.region.name}{self.year}年度"

    @property
    def framework(self) -> Framework:
        """The cycle's indicator framework (built-in, cached)."""
        return framework_by_id(self.framework_id)

    @property
    def framework_changed(self) -> bool:
        """Whether the built-in framework is no longer the one the cycle was created with."""
        return bool(self.framework_digest) and self.framework_digest != self.framework.digest

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.framework_digest and self.framework_id:
            self.framework_digest = self.framework.digest
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def tree_year(self) -> int:
        """The year whose region tree names the reporting units and shapes their forms."""
        return self.region_year or self.year

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def state_label(self) -> str:
        if self.archived_at is not None:
            return "已归档（只读）"
        return "已审定" if self.signed_at is not None else "进行中"

    def inputs_changed(self) -> None:
        """Count a change to what the evaluation is computed from (call inside the writing transaction)."""
        Cycle.objects.filter(pk=self.pk).update(data_version=models.F("data_version") + 1)
        # Read back with the row now locked by this transaction: archived_at too, so that a caller
        # can refuse when the cycle was archived while it worked (archiving takes the same lock).
        self.refresh_from_db(fields=["data_version", "archived_at"])

    def current_data_version(self) -> int:
        """The version as stored now (this instance may have been read before a change)."""
        return Cycle.objects.values_list("data_version", flat=True).get(pk=self.pk)

    def audit_target(self, object_type: AuditObject = AuditObject.cycle, object_id: object = None,
                     label: str | None = None) -> AuditTarget:
        """An object of this cycle as the audit log names it (the cycle itself by default)."""
        return AuditTarget(object_type, self.pk if object_id is None else object_id,
                           str(self) if label is None else label, self.region, self.pk)


class Status(models.TextChoices):
    draft = "draft", "草稿"
    submitted = "submitted", "已提交"
    returned = "returned", "已退回"
    accepted = "accepted", "地级市已审核"
    approved = "approved", "省级已审定"
    locked = "locked", "已锁定"


# The status groups, the one place they are spelled out.
EDITABLE = frozenset({Status.draft, Status.returned})
"""The unit may change its figures."""
SUBMITTED_OR_LATER = frozenset({Status.submitted, Status.accepted, Status.approved, Status.locked})
ACCEPTED_OR_LATER = frozenset({Status.accepted, Status.approved, Status.locked})
DONE = frozenset({Status.approved, Status.locked})
"""Approved by the province (and perhaps locked): what signing the cycle needs of every unit."""


class Submission(models.Model):
    """What one unit reports for one cycle, across the framework's programs."""

    cycle = models.ForeignKey(Cycle, verbose_name="评价年度", on_delete=models.PROTECT, related_name="submissions")
    region = models.ForeignKey(Region, verbose_name="填报单位", on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.draft)
    version = models.PositiveIntegerField("版本", default=1, help_text="每次保存加一，防止覆盖他人的修改")
    no_task = models.JSONField("无此项任务的项目", default=list, blank=True)
    source = models.CharField("数据来源", max_length=200, blank=True)
    issues = models.JSONField("最近一次校验结果", default=list, blank=True)
    baseline = models.JSONField(
        "上年数据", default=dict, blank=True,
        help_text="开启年度时从上一年度复制的本单位填报（跨年度校验的基数，显示在每个数据项旁）")
    reporter = models.CharField("填报人", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=100, blank=True)
    report_date = models.DateField("填报日期", null=True, blank=True)
    unit_head = models.CharField("单位负责人", max_length=100, blank=True)
    reopen_reason = models.TextField(
        "重新打开理由", blank=True, help_text="省级重新打开本单位填报时说明的理由，再次提交前显示给填报单位")
    submitted_values = models.JSONField(
        "最近一次提交的数据", default=dict, blank=True, help_text="提交时各数据项的值（“项目.数据项” → 显示文本）")
    previous_values = models.JSONField(
        "上一次提交的数据", default=dict, blank=True, help_text="再次提交前最近一次提交的值，供审核时与本次提交对照")
    checked_at = models.DateTimeField("校验时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "填报"
        verbose_name_plural = "填报"
        ordering = ["cycle", "region__position"]
        constraints = [models.UniqueConstraint(fields=["cycle", "region"], name="one_submission_per_unit")]
        permissions = [
            ("fill_submission", "填报数据"),
            ("submit_submission", "提交填报"),
            ("review_submission", "地级市审核（退回或通过）"),
            ("approve_submission", "省级审定或退回"),
            ("lock_submission", "锁定已审定的填报"),
            ("reopen_submission", "重新打开已审定的填报"),
            ("withdraw_submission", "审核前撤回已提交的填报"),
        ]

    def __str__(self) -> str:
        return f"{self.region.display_name}{self.cycle.year}年度填报"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE and not self.cycle.is_archived

    @property
    def problems(self) -> list[Problem]:
        """The last validation's problems (stored as :meth:`Problem.as_dict`)."""
        return [Problem.from_dict(i) for i in self.issues]

    def audit_target(self, object_type: AuditObject = AuditObject.submission, object_id: object = None,
                     label: str | None = None) -> AuditTarget:
        """An object of this submission as the audit log names it (the submission itself by default)."""
        return AuditTarget(object_type, self.pk if object_id is None else object_id,
                           str(self) if label is None else label, self.region, self.cycle_id, self.pk)

    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.error)

    def warning_count(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.warning)


class EntryState(models.TextChoices):
    blank = "blank", "空白"
    value = "value", "数值"
    not_applicable = "not_applicable", "不适用"
    yes = "yes", "是"
    no = "no", "否"


class FigureEntry(models.Model):
    """One row a unit fills: a figure (blank, a number or 不适用 — three different states) or the
    answer to a yes/no question that the province counts (是/否), with its 情况说明."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="entries", verbose_name="填报")
    program = models.CharField("项目", max_length=16)
    figure_id = models.CharField("数据项", max_length=64)
    state = models.CharField("状态", max_length=16, choices=EntryState.choices, default=EntryState.blank)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4, null=True, blank=True)
    explanation = models.TextField("情况说明", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "填报数据"
        verbose_name_plural = "填报数据"
        constraints = [
            models.UniqueConstraint(fields=["submission", "program", "figure_id"], name="one_entry_per_figure"),
            models.CheckConstraint(
                condition=(models.Q(state="value", value__isnull=False) | (~models.Q(state="value") & models.Q(value__isnull=True))),
                name="value_matches_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program}.{self.figure_id}={self.display}"

    @property
    def figure_value(self) -> FigureValue:
        if self.state == EntryState.value:
            assert self.value is not None
            return self.value.normalize() if self.value == self.value.to_integral_value() else self.value
        if self.state == EntryState.not_applicable:
            return NOT_APPLICABLE
        return None

    @property
    def answer(self) -> bool | None:
        return {EntryState.yes: True, EntryState.no: False}.get(EntryState(self.state))

    @property
    def entered(self) -> FigureValue | bool:
        """What the row holds: the yes/no answer of a question row, else the figure."""
        answer = self.answer
        return answer if answer is not None else self.figure_value

    @property
    def display(self) -> str:
        return display_value(self.entered)


def display_value(value: FigureValue | bool) -> str:
    """A stored value in the audit log and the history: 是/否, the figure, 不适用 or 空白."""
    if isinstance(value, bool):
        return "是" if value else "否"
    return figure_text(value)


class ReturnStatus(models.TextChoices):
    open = "open", "待处理"
    resolved = "resolved", "已解决"


class ItemReturn(models.Model):
    """A reviewer's return of one figure, with a reason and a thread of replies."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="returns", verbose_name="填报")
    program = models.CharField("项目", max_length=16)
    figure_id = models.CharField("数据项", max_length=64)
    reason = models.TextField("退回理由")
    status = models.CharField("状态", max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.open)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="退回人")
    created_at = models.DateTimeField("退回时间", auto_now_add=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="确认人"
    )

    class Meta:
        verbose_name = "退回项"
        verbose_name_plural = "退回项"
        ordering = ["created_at", "pk"]


class ReturnMessage(models.Model):
    item_return = models.ForeignKey(ItemReturn, on_delete=models.CASCADE, related_name="messages", verbose_name="退回项")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作者")
    text = models.TextField("内容")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "退回说明往来"
        verbose_name_plural = "退回说明往来"
        ordering = ["created_at", "pk"]

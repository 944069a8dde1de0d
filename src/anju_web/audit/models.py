"""The audit log: who changed what, when, from which value to which. Rows are never updated.

What was done (:class:`AuditAction`) and to what kind of object (:class:`AuditObject`) are one
declared list each; :class:`AuditTarget` names the object and where it belongs (region, cycle),
so a call to :func:`anju_web.audit.services.record` says it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models

from anju_web.regions.models import Region


class AuditAction(models.TextChoices):
    # a unit's figures and its submission
    figure_changed = "figure_changed", "修改数据"
    explanation_changed = "explanation_changed", "修改情况说明"
    no_task_changed = "no_task_changed", "修改无此项任务"
    submitted = "submitted", "提交"
    returned = "returned", "退回"
    accepted = "accepted", "审核通过"
    approved = "approved", "审定"
    locked = "locked", "锁定"
    reopened = "reopened", "重新打开"
    withdrawn = "withdrawn", "撤回"
    cover_changed = "cover_changed", "修改封面信息"
    item_returned = "item_returned", "退回数据项"
    return_replied = "return_replied", "回复退回说明"
    return_resolved = "return_resolved", "确认退回项已解决"
    evidence_uploaded = "evidence_uploaded", "上传佐证材料"
    evidence_replaced = "evidence_replaced", "替换佐证材料"
    evidence_withdrawn = "evidence_withdrawn", "撤回佐证材料"
    # the provincial evaluation
    judgement_changed = "judgement_changed", "修改判断"
    narrative_changed = "narrative_changed", "修改说明"
    evaluation_run = "evaluation_run", "运行评价"
    score_changed = "score_changed", "得分变化"
    cycle_signed = "cycle_signed", "审定评价结果"
    signature_withdrawn = "signature_withdrawn", "撤销审定"
    deadline_changed = "deadline_changed", "修改截止日期"
    allocation_saved = "allocation_saved", "保存资金分配测算"
    document_audited = "document_audited", "核查说明材料"
    example_loaded = "example_loaded", "导入示例数据"
    cycle_opened = "cycle_opened", "开启评价年度"
    cycle_archived = "cycle_archived", "归档评价年度"
    dataset_loaded = "dataset_loaded", "导入数据集"
    # performance targets and monitoring (绩效目标与双监控)
    targets_imported = "targets_imported", "导入绩效目标"
    monitoring_imported = "monitoring_imported", "导入监控数据"
    monitoring_saved = "monitoring_saved", "保存监控填报"
    monitoring_reported = "monitoring_reported", "报送监控填报"
    # the supervision bureau's review
    adjustment_proposed = "adjustment_proposed", "提出调整建议"
    adjustment_answered = "adjustment_answered", "答复调整建议"
    comment_added = "comment_added", "提出意见"
    comment_replied = "comment_replied", "回复意见"
    comment_resolved = "comment_resolved", "办结意见"
    # accounts
    role_set = "role_set", "设置角色"
    role_requested = "role_requested", "申请授予角色"
    role_approved = "role_approved", "批准授予角色"
    role_rejected = "role_rejected", "驳回角色申请"
    user_created = "user_created", "新建用户"
    user_changed = "user_changed", "修改用户"
    token_created = "token_created", "创建接口令牌"
    token_revoked = "token_revoked", "吊销接口令牌"
    logged_in = "logged_in", "登录"
    login_failed = "login_failed", "登录失败"
    locked_out = "locked_out", "登录锁定"
    logged_out = "logged_out", "退出登录"
    password_changed = "password_changed", "修改密码"
    password_reset = "password_reset", "重置密码"


class AuditObject(models.TextChoices):
    figure = "figure", "填报数据"
    submission = "submission", "填报状态"
    item_return = "return", "退回项"
    judgement = "judgement", "评价判断"
    narrative = "narrative", "逐项说明"
    evaluation_run = "evaluation_run", "评价运行"
    score = "score", "得分"
    adjustment = "adjustment", "调整建议"
    comment = "comment", "意见"
    evidence = "evidence", "佐证材料"
    cycle = "cycle", "评价年度"
    allocation = "allocation", "资金分配"
    document_audit = "document_audit", "说明材料核查"
    year_plan = "year_plan", "绩效目标与监控"
    user = "user", "用户"


@dataclass(frozen=True)
class AuditTarget:
    """The object an event is about: its type, id and label as people read it, and the region and
    cycle it belongs to (what the log's scope and filters use)."""

    object_type: AuditObject
    object_id: object
    label: str
    region: Region | None = None
    cycle_id: int | None = None
    submission_id: int | None = None
    """The unit's submission the event belongs to (its 修改记录), when it belongs to one."""


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField("操作人（角色与单位）", max_length=200)
    action = models.CharField("操作", max_length=64, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=64, choices=AuditObject.choices)
    object_id = models.CharField("对象编号", max_length=64)
    object_label = models.CharField("对象", max_length=300)
    field = models.CharField("字段", max_length=200, blank=True)
    old_value = models.TextField("原值", blank=True)
    new_value = models.TextField("新值", blank=True)
    note = models.TextField("说明", blank=True)
    region = models.ForeignKey(Region, verbose_name="区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cycle_id = models.BigIntegerField("评价年度编号", null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    submission_id = models.BigIntegerField("填报编号", null=True, blank=True, db_index=True,
                                           help_text="事件所属的单位填报（该填报的修改记录据此列出）")

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-at", "-pk"]
        permissions = [("export_auditevent", "导出审计日志")]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.get_action_display()} {self.object_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("审计事件只能新增，不能修改")
        super().save(*args, **kwargs)

"""A background job as the database keeps it: what it is, how far it got and what came of it.

The queue (Redis) only carries the job's id; everything a user sees is here, so a job outlives the
web process that submitted it and is visible from every web host."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from anju_web.jobs.registry import label_of
from anju_web.submissions.models import Cycle


class JobState(models.TextChoices):
    queued = "queued", "排队中"
    running = "running", "进行中"
    succeeded = "succeeded", "已完成"
    failed = "failed", "失败"


FINISHED = (JobState.succeeded, JobState.failed)


class Job(models.Model):
    """One run of a registered job kind (:mod:`anju_web.jobs.registry`)."""

    cycle = models.ForeignKey(
        Cycle, verbose_name="评价年度", null=True, blank=True, on_delete=models.PROTECT, related_name="jobs",
        help_text="任务所属的评价年度（全国性任务、尚未开启年度的数据集导入可为空，完成后补上）")
    kind = models.CharField("任务类型", max_length=40)
    state = models.CharField("状态", max_length=12, choices=JobState.choices, default=JobState.queued)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("进度说明", max_length=300, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True)
    synchronous = models.BooleanField("同步执行", default=False, help_text="未配置任务队列时在提交的请求中直接执行")
    queue_id = models.CharField("队列任务编号", max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cycle", "-created_at"], name="job_cycle_recent")]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_state_display()}）"

    @property
    def label(self) -> str:
        return label_of(self.kind)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int:
        if self.state == JobState.succeeded:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

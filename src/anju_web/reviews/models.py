"""Provincial judgements, evaluation runs (the engine's result as stored), supervision-bureau
comments and proposed score adjustments. No scoring here: runs store what the engine returned."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from anju.collect.units import UnitsFile
from anju.dataset import Dataset
from anju.dataset import Judgement as EngineJudgement
from anju.problems import Problem
from anju.scoring import Evaluation
from anju_web.submissions.models import Cycle, Submission


class Judgement(models.Model):
    """A provincial evaluator's judgement of a judged or checklist item."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="judgements", verbose_name="评价年度")
    program = models.CharField("项目", max_length=16)
    item_path = models.CharField("指标", max_length=200)
    points = models.DecimalField("评定分数", max_digits=8, decimal_places=2, null=True, blank=True)
    clauses = models.JSONField("评分要点", default=dict, blank=True, help_text="要点编号 → true/false，或部分得分（文本形式的数字）")
    reason = models.TextField("理由", blank=True)
    evidence = models.JSONField("佐证材料", default=list, blank=True)
    version = models.PositiveIntegerField("版本", default=1, help_text="每次修改加一；按打开时的版本保存，防止两人互相覆盖")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="评定人"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "评价判断"
        verbose_name_plural = "评价判断"
        constraints = [models.UniqueConstraint(fields=["cycle", "program", "item_path"], name="one_judgement_per_item")]

    def __str__(self) -> str:
        return f"{self.program}.{self.item_path}"

    def clause_values(self) -> dict[str, bool | Decimal]:
        out: dict[str, bool | Decimal] = {}
        for key, value in self.clauses.items():
            out[key] = value if isinstance(value, bool) else Decimal(str(value))
        return out

    def as_engine(self) -> EngineJudgement:
        return EngineJudgement(
            points=self.points,
            clauses=self.clause_values(),
            reason=self.reason or None,
            evidence=list(self.evidence),
        )


class Narrative(models.Model):
    """The explanation text of one item (逐项说明), as written by the province."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="narratives", verbose_name="评价年度")
    program = models.CharField("项目", max_length=16)
    item_path = models.CharField("指标", max_length=200)
    text = models.TextField("说明", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="修改人"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "逐项说明"
        verbose_name_plural = "逐项说明"
        constraints = [models.UniqueConstraint(fields=["cycle", "program", "item_path"], name="one_narrative_per_item")]


class EvaluationRun(models.Model):
    """One run of :func:`anju.scoring.evaluate` on the assembled dataset, stored as returned, with
    what it was computed from: the dataset, the units' batch (for the per-prefecture appendix rows)
    and the cycle's data version at the time (a run is current while the cycle still has it)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="runs", verbose_name="评价年度")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="运行人")
    created_at = models.DateTimeField("运行时间", auto_now_add=True)
    data_version = models.PositiveIntegerField(
        "评价数据版本", null=True, blank=True, help_text="运行时评价年度的数据版本；与当前版本相同即为按当前数据计算"
    )
    input_hash = models.CharField("输入哈希", max_length=64)
    dataset_hash = models.CharField("数据集哈希", max_length=64)
    framework_hash = models.CharField("指标体系哈希", max_length=64)
    source = models.CharField("数据来源", max_length=300, blank=True)
    result = models.JSONField("评价结果")
    issues = models.JSONField("一致性检查结果", default=list)
    dataset = models.JSONField("计分所用数据集", default=dict, help_text="引擎的输入，文书据此生成")
    units = models.JSONField("各单位填报数据", null=True, blank=True,
                             help_text="计分所用的各单位填报（与 units.yaml 同一格式），附表分地区数据据此汇总")
    totals = models.JSONField("各项目得分", default=dict)

    class Meta:
        verbose_name = "评价运行"
        verbose_name_plural = "评价运行"
        ordering = ["-created_at", "-pk"]
        permissions = [("run_evaluation", "运行评价计分"), ("run_national_evaluation", "运行全国评价（各地区）")]

    def __str__(self) -> str:
        return f"{self.cycle} 评价（{self.created_at:%Y-%m-%d %H:%M}）"

    def problems(self) -> list[Problem]:
        """The consistency checks' findings of this run."""
        return [Problem.from_dict(i) for i in self.issues]

    def evaluation(self) -> Evaluation:
        return Evaluation.model_validate(self.result)

    def engine_dataset(self) -> Dataset:
        return Dataset.model_validate(self.dataset)

    def units_file(self) -> UnitsFile | None:
        """The units' batch the run aggregated (None for a run stored before it was kept)."""
        return UnitsFile.model_validate(self.units) if self.units else None

    def item_scores(self) -> dict[str, str]:
        """``program.path`` → score text, for comparing runs."""
        out: dict[str, str] = {}
        evaluation = self.evaluation()
        for program in evaluation.programs:
            out[program.id] = str(program.score)
            for item in program.items():
                out[f"{program.id}.{item.path}"] = str(item.score)
        return out


class AdjustmentStatus(models.TextChoices):
    proposed = "proposed", "待答复"
    accepted = "accepted", "省级已采纳"
    rejected = "rejected", "省级未采纳"


class ScoreAdjustment(models.Model):
    """A supervision-bureau reviewer's proposed score for one item, with a reason."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="adjustments", verbose_name="评价年度")
    run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, related_name="adjustments", verbose_name="所依据的评价")
    program = models.CharField("项目", max_length=16)
    item_path = models.CharField("指标", max_length=200)
    self_score = models.DecimalField("自评得分", max_digits=8, decimal_places=2)
    proposed_score = models.DecimalField("建议得分", max_digits=8, decimal_places=2)
    reason = models.TextField("理由")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人")
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    status = models.CharField("状态", max_length=16, choices=AdjustmentStatus.choices, default=AdjustmentStatus.proposed)
    response = models.TextField("省级答复", blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="答复人"
    )
    responded_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "监管局调整建议"
        verbose_name_plural = "监管局调整建议"
        ordering = ["created_at", "pk"]
        permissions = [("respond_scoreadjustment", "答复监管局调整建议")]

    @property
    def delta(self) -> Decimal:
        return self.proposed_score - self.self_score


class Comment(models.Model):
    """A remark on a cycle, an item or a unit's submission (监管局意见、省级意见)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="comments", verbose_name="评价年度")
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="comments", verbose_name="填报"
    )
    program = models.CharField("项目", max_length=16, blank=True)
    item_path = models.CharField("指标", max_length=200, blank=True)
    text = models.TextField("意见")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="办结人"
    )

    class Meta:
        verbose_name = "意见"
        verbose_name_plural = "意见"
        ordering = ["-created_at", "-pk"]
        permissions = [("resolve_comment", "办结意见")]

    def target_region(self) -> Any:
        return self.submission.region if self.submission is not None else self.cycle.region


class CommentReply(models.Model):
    """One message in a comment's thread: the province's answer, the bureau's follow-up."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="replies", verbose_name="意见")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="回复人")
    text = models.TextField("回复")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "意见回复"
        verbose_name_plural = "意见回复"
        ordering = ["created_at", "pk"]

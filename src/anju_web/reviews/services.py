"""Verbs of the provincial evaluation and the supervision review. Each takes the acting user,
checks permission and scope, runs in one transaction and writes the audit log.

Scores come only from :func:`anju.scoring.evaluate` on :func:`assemble_dataset`'s dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anju.checks import run_checks
from anju.decimals import plain
from anju.framework import Framework
from anju.framework.models import Checklist, Item, Judged
from anju.scoring import Evaluation, EvaluationError, evaluate
from anju_web.accounts.policy import authorize
from anju_web.audit.services import record
from anju_web.regions.source import region_tree
from anju_web.reviews.models import (
    AdjustmentStatus,
    Comment,
    EvaluationRun,
    Judgement,
    Narrative,
    ScoreAdjustment,
)
from anju_web.submissions.assembly import Assembly, AssemblyError, assemble, assemble_dataset, cycle_framework
from anju_web.submissions.frameworks import program_label
from anju_web.submissions.models import Cycle, Status, Submission


class ReviewError(ValueError):
    """The request cannot be carried out; the message (Chinese) says why."""


def judged_items(framework: Framework, program_id: str) -> list[tuple[str, Item]]:
    """Items an evaluator judges: checklist and judged rules."""
    return [(p, i) for p, i in framework.program(program_id).items() if isinstance(i.rule, Checklist | Judged)]


def find_item(framework: Framework, program_id: str, item_path: str) -> Item:
    try:
        items = dict(framework.program(program_id).items())
    except KeyError:
        raise ReviewError(f"未知的项目“{program_id}”") from None
    if item_path not in items:
        raise ReviewError(f"{program_label(framework, program_id)}没有指标“{item_path}”")
    return items[item_path]


def item_label(framework: Framework, program_id: str, item_path: str) -> str:
    """住房租赁保障 › 资金管理 › 资金分配."""
    program = framework.program(program_id)
    labels = [program.label]
    prefix = ""
    items = dict(program.items())
    for part in item_path.split("."):
        prefix = f"{prefix}.{part}" if prefix else part
        node = items.get(prefix)
        labels.append(node.label if node else part)
    return " › ".join(labels)


def _ensure_open(cycle: Cycle) -> None:
    if cycle.signed_at is not None:
        raise ReviewError(f"{cycle}的评价结果已审定，不能修改（须先重新打开相关填报）")


def _decimal(raw: object, what: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ReviewError(f"{what}应为数值，实为“{raw}”") from None
    if not value.is_finite():
        raise ReviewError(f"{what}应为有限数值")
    return value


def _clause_json(value: bool | Decimal) -> bool | str:
    return value if isinstance(value, bool) else plain(value)


def save_judgement(
    user: Any,
    cycle: Cycle,
    program_id: str,
    item_path: str,
    *,
    points: Decimal | None = None,
    clauses: dict[str, bool | Decimal] | None = None,
    reason: str = "",
    evidence: list[str] | None = None,
    narrative: str | None = None,
) -> Judgement:
    """Record a judgement. The engine then scores it; if the engine cannot score this item
    (e.g. points below full without a reason), nothing is saved and the engine's message is raised."""
    authorize(user, "reviews.change_judgement", cycle.region)
    _ensure_open(cycle)
    framework = cycle_framework(cycle)
    item = find_item(framework, program_id, item_path)
    rule = item.rule
    clauses = dict(clauses or {})
    if isinstance(rule, Checklist):
        known = {c.id: c for c in rule.clauses}
        for cid, value in clauses.items():
            clause = known.get(cid)
            if clause is None:
                raise ReviewError(f"“{item.label}”没有评分要点“{cid}”")
            if isinstance(value, Decimal):
                if not clause.partial:
                    raise ReviewError(f"评分要点“{clause.label}”只能评为达到或未达到")
                if value < 0 or value > clause.points:
                    raise ReviewError(f"评分要点“{clause.label}”的得分应在0到{plain(clause.points)}之间")
        points = None
    elif isinstance(rule, Judged):
        if clauses:
            raise ReviewError(f"“{item.label}”按分数评定，没有评分要点")
        if points is not None and (points < 0 or points > item.points):
            raise ReviewError(f"“{item.label}”的评定分数应在0到{plain(item.points)}之间")
    else:
        raise ReviewError(f"“{item.label}”按数据计分，不接受人工判断")
    evidence = [e.strip() for e in (evidence or []) if e.strip()]
    label = f"{cycle} › {item_label(framework, program_id, item_path)}"
    with transaction.atomic():
        row, created = Judgement.objects.select_for_update().get_or_create(
            cycle=cycle, program=program_id, item_path=item_path
        )
        before = {
            "points": "" if created or row.points is None else plain(row.points),
            "reason": "" if created else row.reason,
            "evidence": "" if created else "；".join(row.evidence),
            **{f"要点 {cid}": "" if created else _clause_text(row.clauses.get(cid)) for cid in _clause_ids(rule)},
        }
        row.points = points
        row.clauses = {cid: _clause_json(v) for cid, v in clauses.items()}
        row.reason = reason.strip()
        row.evidence = evidence
        row.updated_by = user
        row.save()
        after = {
            "points": "" if points is None else plain(points),
            "reason": row.reason,
            "evidence": "；".join(evidence),
            **{f"要点 {cid}": _clause_text(row.clauses.get(cid)) for cid in _clause_ids(rule)},
        }
        names = {"points": "评定分数", "reason": "理由", "evidence": "佐证材料"}
        for key, old in before.items():
            if old != after[key]:
                record(user, "修改判断", object_type="judgement", object_id=row.pk, object_label=label,
                       field=names.get(key, key), old=old, new=after[key], region=cycle.region, cycle_id=cycle.pk)
        if narrative is not None:
            _save_narrative(user, cycle, program_id, item_path, text=narrative, label=label)
        problems = _trial_problems(cycle, framework, program_id, item_path)
        if problems:
            raise ReviewError("；".join(problems))  # leaving the block rolls the save back
        return row


def _clause_ids(rule: object) -> list[str]:
    return [c.id for c in rule.clauses] if isinstance(rule, Checklist) else []


def _clause_text(value: object) -> str:
    if value is True:
        return "达到"
    if value is False:
        return "未达到"
    if value is None:
        return "未评定"
    return f"{value}分"


def _save_narrative(user: Any, cycle: Cycle, program_id: str, item_path: str, *, text: str, label: str) -> None:
    row, created = Narrative.objects.get_or_create(cycle=cycle, program=program_id, item_path=item_path)
    old = "" if created else row.text
    text = text.strip()
    if old == text:
        return
    row.text, row.updated_by = text, user
    row.save()
    record(user, "修改说明", object_type="narrative", object_id=row.pk, object_label=label, field="逐项说明",
           old=old, new=text, region=cycle.region, cycle_id=cycle.pk)


def _trial_problems(cycle: Cycle, framework: Framework, program_id: str, item_path: str) -> list[str]:
    """What the engine says about this one item, scoring the dataset as it now stands."""
    try:
        dataset = assemble_dataset(cycle)
    except AssemblyError:
        return []
    try:
        evaluate(framework, dataset)
    except EvaluationError as exc:
        return [p.message for p in exc.problems if (p.where.program, p.where.item) == (program_id, item_path)]
    return []


@dataclass(frozen=True)
class RunOutcome:
    run: EvaluationRun
    changed_scores: int


def run_evaluation(user: Any, cycle: Cycle) -> RunOutcome:
    """Score the province with the engine and store the result with its checks.

    Raises :class:`EvaluationError` (from the engine) when items cannot be scored, and
    :class:`AssemblyError` when the data is not there."""
    authorize(user, "reviews.run_evaluation", cycle.region)
    framework = cycle_framework(cycle)
    with transaction.atomic():
        assembly = assemble(cycle)
        dataset, source = assembly.dataset, assembly.source
        evaluation = evaluate(framework, dataset)
        issues = run_checks(framework, dataset, evaluation)
        previous = EvaluationRun.objects.filter(cycle=cycle).first()
        run = EvaluationRun.objects.create(
            cycle=cycle,
            created_by=user,
            input_hash=evaluation.input_hash,
            dataset_hash=evaluation.dataset_hash,
            framework_hash=evaluation.framework_hash,
            source=source,
            result=evaluation.model_dump(mode="json"),
            issues=[i.as_dict() for i in issues],
            totals={p.id: plain(p.score) for p in evaluation.programs},
            dataset=dataset.model_dump(mode="json"),
            appendix_rows=_appendix_rows(cycle, assembly),
        )
        record(user, "运行评价", object_type="evaluation_run", object_id=run.pk, object_label=str(cycle),
               field="各项目得分", old=_totals_text(previous.totals, framework) if previous else "",
               new=_totals_text(run.totals, framework), note=f"输入哈希 {run.input_hash[:12]}；数据来源：{source}",
               region=cycle.region, cycle_id=cycle.pk)
        changed = _record_score_changes(user, cycle, framework, previous=previous, run=run, evaluation=evaluation)
        return RunOutcome(run, changed)


def _appendix_rows(cycle: Cycle, assembly: Assembly) -> list[Any]:
    """One row per prefecture-level unit (its subtree's totals) for the appendix tables."""
    tree = region_tree(cycle.region_id)
    rows: list[Any] = []
    for unit in tree.children(tree.code, cycle.year):
        totals = assembly.aggregation.totals.get(unit.code, {})
        rows.append([unit.name, {pid: {fid: _json_value(v) for fid, v in figures.items()} for pid, figures in totals.items()}])
    return rows


def _json_value(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def _totals_text(totals: dict[str, str], framework: Framework) -> str:
    return "；".join(f"{program_label(framework, pid)} {score}分" for pid, score in totals.items())


def _record_score_changes(user: Any, cycle: Cycle, framework: Framework, *, previous: EvaluationRun | None,
                          run: EvaluationRun, evaluation: Evaluation) -> int:
    old_scores = previous.item_scores() if previous else {}
    changed = 0
    for program in evaluation.programs:
        rows = [(program.id, program.label, program.score, "项目得分")]
        rows += [(f"{program.id}.{i.path}", item_label(framework, program.id, i.path), i.score, i.branch) for i in program.items()]
        for key, label, score, branch in rows:
            new = plain(score)
            old = old_scores.get(key)
            old_text = plain(Decimal(old)) if old is not None else ""
            if old_text == new:
                continue
            changed += 1
            record(user, "得分变化", object_type="score", object_id=run.pk, object_label=f"{cycle} › {label}",
                   field=key, old=old_text, new=new, note=branch, region=cycle.region, cycle_id=cycle.pk)
    return changed


def latest_run(cycle: Cycle) -> EvaluationRun | None:
    return EvaluationRun.objects.filter(cycle=cycle).select_related("created_by").first()


def run_is_current(cycle: Cycle, run: EvaluationRun | None) -> bool:
    """Whether the stored run was computed from the data as it stands now."""
    if run is None:
        return False
    try:
        evaluation = evaluate(cycle_framework(cycle), assemble_dataset(cycle))
    except (EvaluationError, AssemblyError):
        return False
    return evaluation.input_hash == run.input_hash


def propose_adjustment(user: Any, cycle: Cycle, *, program_id: str, item_path: str, proposed: object, reason: str) -> ScoreAdjustment:
    authorize(user, "reviews.add_scoreadjustment", cycle.region)
    run = latest_run(cycle)
    if run is None:
        raise ReviewError("尚未运行评价，没有可复核的得分")
    framework = cycle_framework(cycle)
    try:
        result = run.evaluation().program(program_id).item(item_path)
    except KeyError:
        raise ReviewError(f"评价结果中没有指标“{program_id}.{item_path}”") from None
    score = _decimal(proposed, "建议得分")
    if score < 0 or score > result.points:
        raise ReviewError(f"建议得分应在0到{plain(result.points)}之间")
    if not reason.strip():
        raise ReviewError("提出调整建议须说明理由")
    with transaction.atomic():
        adjustment = ScoreAdjustment.objects.create(
            cycle=cycle, run=run, program=program_id, item_path=item_path, self_score=result.score,
            proposed_score=score, reason=reason.strip(), author=user,
        )
        record(user, "提出调整建议", object_type="adjustment", object_id=adjustment.pk,
               object_label=f"{cycle} › {item_label(framework, program_id, item_path)}", field="建议得分",
               old=plain(result.score), new=plain(score), note=adjustment.reason, region=cycle.region, cycle_id=cycle.pk)
        return adjustment


def respond_adjustment(user: Any, adjustment: ScoreAdjustment, *, accept: bool, response: str) -> ScoreAdjustment:
    cycle = adjustment.cycle
    authorize(user, "reviews.respond_scoreadjustment", cycle.region)
    if adjustment.status != AdjustmentStatus.proposed:
        raise ReviewError("该调整建议已答复")
    if not response.strip():
        raise ReviewError("答复须说明理由")
    with transaction.atomic():
        old = adjustment.get_status_display()
        adjustment.status = AdjustmentStatus.accepted if accept else AdjustmentStatus.rejected
        adjustment.response = response.strip()
        adjustment.responded_by = user
        adjustment.responded_at = timezone.now()
        adjustment.save()
        record(user, "答复调整建议", object_type="adjustment", object_id=adjustment.pk,
               object_label=f"{cycle} › {item_label(cycle_framework(cycle), adjustment.program, adjustment.item_path)}",
               field="状态", old=old, new=adjustment.get_status_display(), note=adjustment.response,
               region=cycle.region, cycle_id=cycle.pk)
        return adjustment


def add_comment(user: Any, cycle: Cycle, text: str, *, submission: Submission | None = None,
                program_id: str = "", item_path: str = "") -> Comment:
    region = submission.region if submission is not None else cycle.region
    authorize(user, "reviews.add_comment", region)
    if submission is not None and submission.cycle_id != cycle.pk:
        raise ReviewError("填报不属于该评价年度")
    if not text.strip():
        raise ReviewError("意见不能为空")
    framework = cycle_framework(cycle)
    if program_id:
        if item_path:
            find_item(framework, program_id, item_path)
        else:
            framework.program(program_id)
    with transaction.atomic():
        comment = Comment.objects.create(cycle=cycle, submission=submission, program=program_id,
                                         item_path=item_path, text=text.strip(), author=user)
        where = str(submission) if submission else str(cycle)
        if program_id and item_path:
            where += " › " + item_label(framework, program_id, item_path)
        record(user, "提出意见", object_type="comment", object_id=comment.pk, object_label=where, field="意见",
               new=comment.text, region=region, cycle_id=cycle.pk)
        return comment


def resolve_comment(user: Any, comment: Comment) -> Comment:
    authorize(user, "reviews.resolve_comment", comment.target_region())
    if comment.resolved_at is not None:
        raise ReviewError("该意见已办结")
    with transaction.atomic():
        comment.resolved_at = timezone.now()
        comment.resolved_by = user
        comment.save()
        record(user, "办结意见", object_type="comment", object_id=comment.pk, object_label=str(comment.cycle),
               field="状态", old="未办结", new="已办结", region=comment.target_region(), cycle_id=comment.cycle_id)
        return comment


def sign_cycle(user: Any, cycle: Cycle) -> Cycle:
    """The province signs the evaluation: every unit approved, the latest run current; then every
    approved submission is locked."""
    from anju_web.submissions.workflow import perform

    authorize(user, "submissions.sign_cycle", cycle.region)
    if cycle.signed_at is not None:
        raise ReviewError(f"{cycle}已审定")
    units = Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).select_related("region")
    pending = [s for s in units if s.status not in (Status.approved, Status.locked)]
    if pending:
        names = "、".join(s.region.display_name for s in pending[:10])
        raise ReviewError(f"还有 {len(pending)} 个单位未经省级审定（{names}{'等' if len(pending) > 10 else ''}），不能审定评价结果")
    run = latest_run(cycle)
    if not run_is_current(cycle, run):
        raise ReviewError("评价结果不是按当前数据计算的，请先重新运行评价")
    with transaction.atomic():
        for submission in units:
            if submission.status == Status.approved:
                perform(user, submission, "lock")
        cycle.signed_at = timezone.now()
        cycle.signed_by = user
        cycle.save(update_fields=["signed_at", "signed_by"])
        record(user, "审定评价结果", object_type="cycle", object_id=cycle.pk, object_label=str(cycle),
               field="省级审定时间", new=timezone.localtime(cycle.signed_at).strftime("%Y-%m-%d %H:%M:%S"),
               note=f"依据评价运行 #{run.pk if run else ''}（输入哈希 {run.input_hash[:12] if run else ''}）",
               region=cycle.region, cycle_id=cycle.pk)
        return cycle


def ensure_can_view_cycle(user: Any, cycle: Cycle) -> None:
    authorize(user, "submissions.view_cycle", cycle.region)


__all__ = ["PermissionDenied", "ReviewError"]

"""Verbs of the provincial evaluation and the supervision review. Each takes the acting user,
checks permission and scope, runs in one transaction and writes the audit log.

Scores come only from :func:`anju.scoring.evaluate` on :func:`~anju_web.reviews.assembly.assemble`'s
dataset. A stored run is current when it was computed at the cycle's present data version
(:attr:`~anju_web.submissions.models.Cycle.data_version`) with the framework as it is now: no page
re-assembles the province to find out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anju.checks import run_checks
from anju.collect.entry import as_decimal
from anju.decimals import plain
from anju.framework import Framework
from anju.framework.describe import item_label
from anju.framework.models import Checklist, Item, Judged
from anju.problems import CollectCode, Problem, Severity
from anju.scoring import Evaluation, EvaluationError, evaluate
from anju_web.accounts.policy import authorize, has
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import actor_label, record
from anju_web.reviews.assembly import AssemblyError, assemble, evaluators_dataset, unit_submissions
from anju_web.reviews.models import (
    AdjustmentStatus,
    Comment,
    CommentReply,
    EvaluationRun,
    Judgement,
    Narrative,
    ScoreAdjustment,
)
from anju_web.submissions.cycles import ensure_not_archived
from anju_web.submissions.frameworks import program_label
from anju_web.submissions.models import DONE, Cycle, Status, Submission
from anju_web.submissions.workflow import Verb, perform

MAX_NAMED_UNITS = 10
"""Units named when signing is refused; the rest are counted."""
HASH_SHOWN = 12
"""Characters of an input hash quoted in the audit log."""


class ReviewError(ValueError):
    """The request cannot be carried out; the message (Chinese) says why."""


def find_item(framework: Framework, program_id: str, item_path: str) -> Item:
    try:
        items = dict(framework.program(program_id).items())
    except KeyError:
        raise ReviewError(f"未知的项目“{program_id}”") from None
    if item_path not in items:
        raise ReviewError(f"{program_label(framework, program_id)}没有指标“{item_path}”")
    return items[item_path]


def parse_decimal(raw: object, what: str) -> Decimal:
    """A number typed by an evaluator or a reviewer (a score, a clause's partial points)."""
    value = as_decimal(raw)  # the figures' reader: no 1_328, no NaN or infinity
    if value is None:
        raise ReviewError(f"{what}应为数值，实为“{str(raw)[:40]}”")
    return value


def parse_optional_decimal(raw: object, what: str) -> Decimal | None:
    """:func:`parse_decimal`, with blank meaning not given."""
    if raw is None or str(raw).strip() == "":
        return None
    return parse_decimal(raw, what)


def read_clauses(item: Item, given: dict[str, bool | str]) -> dict[str, bool | Decimal]:
    """A checklist's clause verdicts as entered (达到 True, 未达到 False, partial points as text); a
    blank partial score is left out, i.e. not judged."""
    labels = {c.id: c.label for c in item.rule.clauses} if isinstance(item.rule, Checklist) else {}
    clauses: dict[str, bool | Decimal] = {}
    for cid, value in given.items():
        if isinstance(value, bool):
            clauses[cid] = value
        else:
            points = parse_optional_decimal(value, f"评分要点“{labels.get(cid, cid)}”的部分得分")
            if points is not None:
                clauses[cid] = points
    return clauses


class StaleJudgement(ReviewError):
    """The judgement changed since the writer read it (another evaluator saved meanwhile)."""


def _ensure_open(cycle: Cycle) -> None:
    ensure_not_archived(cycle)
    if cycle.signed_at is not None:
        raise ReviewError(f"{cycle}的评价结果已审定，不能修改（须先重新打开相关填报）")


def _clause_json(value: bool | Decimal) -> bool | str:
    return value if isinstance(value, bool) else plain(value)


def _checked_shape(item: Item, points: Decimal | None, clauses: dict[str, bool | Decimal]) -> Decimal | None:
    """What the form allows for the item's rule (the engine then checks the scoring itself);
    the points to store."""
    rule = item.rule
    if isinstance(rule, Checklist):
        known = {c.id: c for c in rule.clauses}
        for cid, value in clauses.items():
            clause = known.get(cid)
            if clause is None:
                raise ReviewError(f"“{item.label}”没有评分要点“{cid}”")
            if isinstance(value, Decimal) and not clause.partial:
                raise ReviewError(f"评分要点“{clause.label}”只能评为达到或未达到")
        return None
    if isinstance(rule, Judged):
        if clauses:
            raise ReviewError(f"“{item.label}”按分数评定，没有评分要点")
        return points
    raise ReviewError(f"“{item.label}”按数据计分，不接受人工判断")


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
    expected_version: int | None = None,
) -> Judgement:
    """Record a judgement. The engine's rule then scores it; if it cannot (e.g. points below full
    without a reason), nothing is saved and the engine's message is raised."""
    authorize(user, "reviews.change_judgement", cycle.region)
    _ensure_open(cycle)
    framework = cycle.framework
    item = find_item(framework, program_id, item_path)
    clauses = dict(clauses or {})
    points = _checked_shape(item, points, clauses)
    label = f"{cycle} › {item_label(framework, program_id, item_path)}"
    with transaction.atomic():
        row, created = Judgement.objects.select_for_update().get_or_create(
            cycle=cycle, program=program_id, item_path=item_path
        )
        stored_version = 0 if created else row.version
        if expected_version is not None and expected_version != stored_version:
            who = actor_label(row.updated_by) if row.updated_by is not None else "他人"
            raise StaleJudgement(
                f"“{item_label(framework, program_id, item_path)}”的判断已被{who}修改（当前版本 {stored_version}，"
                f"您打开的是版本 {expected_version}），未保存：请刷新后核对再改")
        before = {} if created else _judgement_fields(row, item)
        # Evidence not given keeps the list as it is (an API write of the score alone never wipes it).
        evidence = list(row.evidence) if evidence is None else [e.strip() for e in evidence if e.strip()]
        row.points = points
        row.clauses = {cid: _clause_json(v) for cid, v in clauses.items()}
        row.reason = reason.strip()
        row.evidence = evidence
        row.updated_by = user
        row.version = stored_version + 1
        row.save()
        changed = _record_judgement_changes(user, cycle.audit_target(AuditObject.judgement, row.pk, label),
                                            before, _judgement_fields(row, item))
        if narrative is not None:
            changed = _save_narrative(user, cycle, program_id, item_path, text=narrative, label=label) or changed
        problems = _trial_problems(cycle, program_id, item_path)
        if problems:
            raise ReviewError("；".join(problems))  # leaving the block rolls the save back
        if changed:
            cycle.inputs_changed()
        return row


FIELD_NAMES = {"points": "评定分数", "reason": "理由", "evidence": "佐证材料"}


def _judgement_fields(row: Judgement, item: Item) -> dict[str, str]:
    """The judgement as the audit log shows it, one text per field (and per clause)."""
    clauses = [(c.id, c.label) for c in item.rule.clauses] if isinstance(item.rule, Checklist) else []
    return {
        "points": "" if row.points is None else plain(row.points),
        "reason": row.reason,
        "evidence": "；".join(row.evidence),
        # the clause as the evaluator reads it (its label), never its internal id
        **{f"要点“{label}”": _clause_text(row.clauses.get(cid)) for cid, label in clauses},
    }


def _record_judgement_changes(user: Any, target: AuditTarget, before: dict[str, str], after: dict[str, str]) -> bool:
    changed = False
    for key, new in after.items():
        old = before.get(key, "")
        if old != new:
            record(user, AuditAction.judgement_changed, target, field=FIELD_NAMES.get(key, key), old=old, new=new)
            changed = True
    return changed


def _clause_text(value: object) -> str:
    if value is True:
        return "达到"
    if value is False:
        return "未达到"
    if value is None:
        return "未评定"
    return f"{value}分"


def _save_narrative(user: Any, cycle: Cycle, program_id: str, item_path: str, *, text: str, label: str) -> bool:
    row, created = Narrative.objects.get_or_create(cycle=cycle, program=program_id, item_path=item_path)
    old = "" if created else row.text
    text = text.strip()
    if old == text:
        return False
    row.text, row.updated_by = text, user
    row.save()
    record(user, AuditAction.narrative_changed, cycle.audit_target(AuditObject.narrative, row.pk, label),
           field="逐项说明", old=old, new=text)
    return True


def _trial_problems(cycle: Cycle, program_id: str, item_path: str) -> list[str]:
    """What the engine says about this one item as the judgements now stand. Judged and checklist
    items need no figures, so the program is scored from the evaluators' data alone (the figures'
    items fail and are ignored) — no assembly of the units."""
    try:
        evaluate(cycle.framework, evaluators_dataset(cycle, [program_id]))
    except EvaluationError as exc:
        return [p.message for p in exc.problems if (p.where.program, p.where.item) == (program_id, item_path)]
    return []


@dataclass(frozen=True)
class RunOutcome:
    run: EvaluationRun
    changed_scores: int


def run_evaluation(user: Any, cycle: Cycle) -> RunOutcome:
    """Score the province with the engine and store the result with its checks, the units' batch
    it was computed from and the cycle's data version.

    Raises :class:`~anju.scoring.EvaluationError` (from the engine) when items cannot be scored,
    and :class:`~anju_web.reviews.assembly.AssemblyError` when the data is not there."""
    authorize(user, "reviews.run_evaluation", cycle.region)
    return _run(user, cycle, loaded=False)


NATIONAL_RUN = "reviews.run_national_evaluation"
LOADED_ONLY = "没有任何单位的填报，也没有载入的省级汇总数据，无法计分"


def run_national_evaluation(user: Any, cycle: Cycle) -> RunOutcome:
    """One region's part of the national run (财政部): the same run as :func:`run_evaluation`, under
    the same rules (an archived or 审定 cycle is refused), stored the same way. A cycle whose units
    have reported is scored from their reports; a cycle loaded with a province-level dataset only
    (``anju-web load_national``) is scored again from the dataset it was loaded with, with the
    framework as it is now."""
    authorize(user, NATIONAL_RUN, cycle.region)
    return _run(user, cycle, loaded=True)


def loaded_run(cycle: Cycle) -> EvaluationRun | None:
    """The latest run of ``cycle`` computed from a province-level dataset (no units' batch)."""
    return (EvaluationRun.objects.filter(cycle=cycle, units__isnull=True).exclude(dataset={})
            .order_by("-created_at", "-pk").first())


def _run(user: Any, cycle: Cycle, *, loaded: bool) -> RunOutcome:
    framework = cycle.framework
    with transaction.atomic():
        # The row lock orders this run against writes: they count their change on this row.
        locked = Cycle.objects.select_for_update(of=("self",)).select_related("region").get(pk=cycle.pk)
        ensure_not_archived(locked)
        if locked.signed_at is not None:
            raise ReviewError(
                f"{locked}的评价结果已于{timezone.localtime(locked.signed_at):%Y年%m月%d日 %H:%M}审定，不能再运行评价："
                "审定的结果以审定时的评价运行为准。如须修改，须先重新打开相关单位的填报（将撤销审定），改正后再运行评价并审定")
        units: dict[str, Any] | None
        if loaded and not unit_submissions(locked):
            province = loaded_run(locked)
            if province is None:
                raise AssemblyError([Problem(CollectCode.UNITS_MISSING, Severity.error, f"{locked}{LOADED_ONLY}")])
            dataset, source, units = province.engine_dataset(), province.source, None
        else:
            assembly = assemble(locked)
            dataset, source, units = assembly.dataset, assembly.source, assembly.units.model_dump(mode="json")
        evaluation = evaluate(framework, dataset)
        issues = run_checks(framework, dataset, evaluation)
        previous = EvaluationRun.objects.filter(cycle=cycle).first()
        run = EvaluationRun.objects.create(
            cycle=locked,
            created_by=user,
            data_version=locked.data_version,
            input_hash=evaluation.input_hash,
            dataset_hash=evaluation.dataset_hash,
            framework_hash=evaluation.framework_hash,
            source=source,
            result=evaluation.model_dump(mode="json"),
            issues=[i.as_dict() for i in issues],
            totals={p.id: plain(p.score) for p in evaluation.programs},
            dataset=dataset.model_dump(mode="json"),
            units=units,
        )
        record(user, AuditAction.evaluation_run, cycle.audit_target(AuditObject.evaluation_run, run.pk),
               field="各项目得分", old=_totals_text(previous.totals, framework) if previous else "",
               new=_totals_text(run.totals, framework),
               note=f"输入哈希 {run.input_hash[:HASH_SHOWN]}；数据来源：{source}")
        changed = _record_score_changes(user, cycle, framework, previous=previous, run=run, evaluation=evaluation)
        return RunOutcome(run, changed)


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
            record(user, AuditAction.score_changed, cycle.audit_target(AuditObject.score, run.pk, f"{cycle} › {label}"),
                   field="得分", old=old_text, new=new, note=branch)
    return changed


def latest_run(cycle: Cycle) -> EvaluationRun | None:
    return EvaluationRun.objects.filter(cycle=cycle).select_related("created_by", "cycle").first()


def run_is_current(cycle: Cycle, run: EvaluationRun | None) -> bool:
    """Whether the stored run was computed from the data as it stands now: the same data version
    of the cycle (read afresh) and the same framework."""
    if run is None or run.data_version is None:
        return False
    return run.data_version == cycle.current_data_version() and run.framework_hash == cycle.framework.digest


def propose_adjustment(user: Any, cycle: Cycle, *, program_id: str, item_path: str, proposed: object, reason: str) -> ScoreAdjustment:
    authorize(user, "reviews.add_scoreadjustment", cycle.region)
    run = latest_run(cycle)
    if run is None:
        raise ReviewError("尚未运行评价，没有可复核的得分")
    framework = cycle.framework
    item = find_item(framework, program_id, item_path)
    if not item.is_leaf:
        raise ReviewError(f"“{item_label(framework, program_id, item_path)}”是汇总指标，其得分由下级指标相加："
                          "请对具体的末级指标提出调整建议")
    try:
        result = run.evaluation().program(program_id).item(item_path)
    except KeyError:
        raise ReviewError(f"评价结果中没有指标“{item_label(framework, program_id, item_path)}”") from None
    score = parse_decimal(proposed, "建议得分")
    if score < 0 or score > result.points:
        raise ReviewError(f"建议得分应在0到{plain(result.points)}之间")
    if score == result.score:
        raise ReviewError(f"建议得分与现得分（{plain(result.score)}分）相同，无需调整")
    if not reason.strip():
        raise ReviewError("提出调整建议须说明理由")
    with transaction.atomic():
        adjustment = ScoreAdjustment.objects.create(
            cycle=cycle, run=run, program=program_id, item_path=item_path, self_score=result.score,
            proposed_score=score, reason=reason.strip(), author=user,
        )
        label = f"{cycle} › {item_label(framework, program_id, item_path)}"
        record(user, AuditAction.adjustment_proposed, cycle.audit_target(AuditObject.adjustment, adjustment.pk, label),
               field="建议得分", old=plain(result.score), new=plain(score), note=adjustment.reason)
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
        label = f"{cycle} › {item_label(cycle.framework, adjustment.program, adjustment.item_path)}"
        record(user, AuditAction.adjustment_answered, cycle.audit_target(AuditObject.adjustment, adjustment.pk, label),
               field="状态", old=old, new=adjustment.get_status_display(), note=adjustment.response)
        return adjustment


def add_comment(user: Any, cycle: Cycle, text: str, *, submission: Submission | None = None,
                program_id: str = "", item_path: str = "") -> Comment:
    region = submission.region if submission is not None else cycle.region
    authorize(user, "reviews.add_comment", region)
    if submission is not None and submission.cycle_id != cycle.pk:
        raise ReviewError("填报不属于该评价年度")
    if not text.strip():
        raise ReviewError("意见不能为空")
    framework = cycle.framework
    if program_id:
        if item_path:
            find_item(framework, program_id, item_path)
        else:
            try:
                framework.program(program_id)
            except KeyError:
                raise ReviewError(f"未知的项目“{program_id}”") from None
    with transaction.atomic():
        comment = Comment.objects.create(cycle=cycle, submission=submission, program=program_id,
                                         item_path=item_path, text=text.strip(), author=user)
        where = str(submission) if submission else str(cycle)
        if program_id and item_path:
            where += " › " + item_label(framework, program_id, item_path)
        target = (submission or cycle).audit_target(AuditObject.comment, comment.pk, where)
        record(user, AuditAction.comment_added, target, field="意见", new=comment.text)
        return comment


def reply_to_comment(user: Any, comment: Comment, text: str) -> CommentReply:
    """A message in the comment's thread, by the province (answering) or the bureau (following up)."""
    region = comment.target_region()
    authorize(user, "reviews.view_comment", region)
    if not (has(user, "reviews.add_comment", region) or has(user, "reviews.resolve_comment", region)):
        raise PermissionDenied("您的角色无权回复意见")
    if comment.resolved_at is not None:
        raise ReviewError("该意见已办结，不能再回复")
    if not text.strip():
        raise ReviewError("回复不能为空")
    with transaction.atomic():
        reply = CommentReply.objects.create(comment=comment, author=user, text=text.strip())
        target = (comment.submission or comment.cycle).audit_target(AuditObject.comment, comment.pk, _comment_label(comment))
        record(user, AuditAction.comment_replied, target, field="回复", new=reply.text, note=f"原意见：{comment.text}")
        return reply


def _comment_label(comment: Comment) -> str:
    where = str(comment.submission) if comment.submission is not None else str(comment.cycle)
    if comment.program and comment.item_path:
        where += " › " + item_label(comment.cycle.framework, comment.program, comment.item_path)
    return where


def resolve_comment(user: Any, comment: Comment) -> Comment:
    authorize(user, "reviews.resolve_comment", comment.target_region())
    if comment.resolved_at is not None:
        raise ReviewError("该意见已办结")
    with transaction.atomic():
        comment.resolved_at = timezone.now()
        comment.resolved_by = user
        comment.save()
        target = (comment.submission or comment.cycle).audit_target(AuditObject.comment, comment.pk, _comment_label(comment))
        record(user, AuditAction.comment_resolved, target, field="状态", old="未办结", new="已办结")
        return comment


def sign_cycle(user: Any, cycle: Cycle) -> Cycle:
    """The province signs the evaluation: every unit approved, the latest run current; then every
    approved submission is locked."""
    authorize(user, "submissions.sign_cycle", cycle.region)
    if cycle.signed_at is not None:
        raise ReviewError(f"{cycle}已审定")
    units = Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).select_related("region")
    pending = [s for s in units if s.status not in DONE]
    if pending:
        names = "、".join(s.region.display_name for s in pending[:MAX_NAMED_UNITS])
        more = "等" if len(pending) > MAX_NAMED_UNITS else ""
        raise ReviewError(f"还有 {len(pending)} 个单位未经省级审定（{names}{more}），不能审定评价结果")
    open_comments = Comment.objects.filter(cycle=cycle, resolved_at__isnull=True).count()
    if open_comments:
        raise ReviewError(f"还有 {open_comments} 条意见未办结（见待办事项），须答复并办结后才能审定评价结果")
    run = latest_run(cycle)
    if run is None or not run_is_current(cycle, run):
        raise ReviewError("评价结果不是按当前数据计算的，请先重新运行评价")
    with transaction.atomic():
        for submission in units:
            if submission.status == Status.approved:
                perform(user, submission, Verb.lock)
        cycle.signed_at = timezone.now()
        cycle.signed_by = user
        cycle.save(update_fields=["signed_at", "signed_by"])
        record(user, AuditAction.cycle_signed, cycle.audit_target(), field="省级审定时间",
               new=timezone.localtime(cycle.signed_at).strftime("%Y-%m-%d %H:%M:%S"),
               note=f"依据评价运行 #{run.pk}（输入哈希 {run.input_hash[:HASH_SHOWN]}）")
        return cycle


__all__ = ["PermissionDenied", "ReviewError"]

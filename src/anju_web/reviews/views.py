"""Pages of the provincial evaluation: judging, running the engine, scores with their trace,
supervision-bureau comments and adjustments, and signing."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from anju.dataset.models import figure_text
from anju.decimals import plain
from anju.framework.describe import describe_rule, judged_items, place_label
from anju.framework.models import RULE_KIND_LABELS, Checklist, Item
from anju.scoring import EvaluationError, ItemResult, ProgramResult
from anju_web.accounts.policy import authorize, has
from anju_web.evidence.models import EvidenceFile
from anju_web.reviews import services
from anju_web.reviews.assembly import AssemblyError
from anju_web.reviews.models import AdjustmentStatus, Comment, Judgement, Narrative, ScoreAdjustment
from anju_web.shortcuts import get_cycle, get_submission, is_htmx, post_text
from anju_web.submissions.models import Cycle

PROBLEMS_SHOWN = 50
"""Problems of a refused run kept for the evaluation page."""


@dataclass
class ScoreRow:
    item: ItemResult
    adjustments: list[ScoreAdjustment]
    comments: list[Comment]
    figure_labels: dict[str, str]

    @property
    def kind_label(self) -> str:
        return RULE_KIND_LABELS.get(self.item.rule_kind, self.item.rule_kind)

    @property
    def indent(self) -> int:
        return (self.item.level - 1) * 18

    @property
    def inputs(self) -> list[tuple[str, str]]:
        if self.item.metric is None:
            return []
        return [(self.figure_labels.get(key, key), figure_text(value)) for key, value in self.item.metric.inputs.items()]


@dataclass
class ProgramScores:
    result: ProgramResult
    rows: list[ScoreRow]
    proposed_delta: Decimal


@login_required
def evaluation(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.view_evaluationrun")
    run = services.latest_run(cycle)
    adjustments = list(ScoreAdjustment.objects.filter(cycle=cycle).select_related("author", "responded_by"))
    comments = list(Comment.objects.filter(cycle=cycle, submission__isnull=True).select_related("author", "resolved_by")
                    .prefetch_related("replies__author"))
    programs: list[ProgramScores] = []
    framework = cycle.framework
    if run is not None:
        evaluation_result = run.evaluation()
        for program in evaluation_result.programs:
            labels = {f.id: f.label for f in framework.program(program.id).figures}
            rows = []
            for item in program.items():
                rows.append(ScoreRow(
                    item,
                    [a for a in adjustments if a.program == program.id and a.item_path == item.path],
                    [c for c in comments if c.program == program.id and c.item_path == item.path],
                    labels,
                ))
            delta = sum((a.delta for a in adjustments if a.program == program.id and a.status != AdjustmentStatus.rejected), Decimal(0))
            programs.append(ProgramScores(program, rows, delta))
    context = {
        "cycle": cycle,
        "run": run,
        "is_current": services.run_is_current(cycle, run),
        "programs": programs,
        "issues": [(p, place_label(framework, p.where)) for p in run.problems()] if run else [],
        "general_comments": [c for c in comments if not c.program],
        "can_run": has(request.user, "reviews.run_evaluation", cycle.region) and cycle.signed_at is None
        and not cycle.is_archived,
        "can_judge": has(request.user, "reviews.change_judgement", cycle.region),
        "can_adjust": has(request.user, "reviews.add_scoreadjustment", cycle.region) and run is not None,
        "can_comment": has(request.user, "reviews.add_comment", cycle.region),
        "can_respond": has(request.user, "reviews.respond_scoreadjustment", cycle.region),
        "can_resolve": has(request.user, "reviews.resolve_comment", cycle.region),
        "can_reply_comments": has(request.user, "reviews.add_comment", cycle.region)
        or has(request.user, "reviews.resolve_comment", cycle.region),
        "can_sign": has(request.user, "submissions.sign_cycle", cycle.region) and cycle.signed_at is None,
        "problems": request.session.pop("evaluation_problems", None),
    }
    return render(request, "reviews/evaluation.html", context)


@login_required
@require_POST
def run(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.run_evaluation")
    try:
        outcome = services.run_evaluation(request.user, cycle)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation", cycle_id=cycle.pk)
    except EvaluationError as exc:
        request.session["evaluation_problems"] = [str(p) for p in exc.problems[:PROBLEMS_SHOWN]]
        messages.error(request, f"有 {len(exc.problems)} 个指标无法计分，未保存评价结果。")
    except AssemblyError as exc:
        if len(exc.problems) > 1:
            request.session["evaluation_problems"] = [str(p) for p in exc.problems[:PROBLEMS_SHOWN]]
            messages.error(request, f"各单位的填报汇总后有 {len(exc.problems)} 处问题，无法计分，未保存评价结果。")
        else:
            messages.error(request, str(exc))
    else:
        totals = "，".join(f"{p.label} {plain(p.score)} 分" for p in outcome.run.evaluation().programs)
        messages.success(request, f"评价完成：{totals}（{outcome.changed_scores} 个得分有变化）。")
    return redirect("evaluation", cycle_id=cycle.pk)


@login_required
@require_POST
def sign(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "submissions.sign_cycle")
    try:
        services.sign_cycle(request.user, cycle)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "评价结果已审定，全部填报已锁定。")
    return redirect("evaluation", cycle_id=cycle.pk)


@dataclass
class JudgeForm:
    program: str
    program_label: str
    path: str
    item: Item
    judgement: Judgement | None
    narrative: str
    evidence_files: list[EvidenceFile]
    error: str = ""
    version: int = -1
    """The stored judgement's version the form was opened at (0: none stored yet)."""

    def __post_init__(self) -> None:
        if self.version < 0:
            self.version = self.judgement.version if self.judgement is not None and self.judgement.pk else 0

    @property
    def is_checklist(self) -> bool:
        return isinstance(self.item.rule, Checklist)

    @property
    def rule_text(self) -> str:
        """How the item is scored, as the command line and the documents say it."""
        return describe_rule(self.item)

    @property
    def clauses(self) -> list[dict[str, Any]]:
        rule = self.item.rule
        if not isinstance(rule, Checklist):
            return []
        stored = self.judgement.clauses if self.judgement else {}
        out = []
        for clause in rule.clauses:
            value = stored.get(clause.id)
            out.append({
                "id": clause.id,
                "label": clause.label,
                "points": plain(clause.points),
                "partial": clause.partial,
                "met": value is True,
                "unmet": value is False,
                "partial_value": value if isinstance(value, str) else "",
            })
        return out

    @property
    def evidence_text(self) -> str:
        return "\n".join(self.judgement.evidence) if self.judgement else ""

    @property
    def key(self) -> str:
        return f"{self.program}--{self.path}".replace(".", "-")


def _judge_forms(cycle: Cycle, only: tuple[str, str] | None = None) -> list[JudgeForm]:
    framework = cycle.framework
    judgements = {(j.program, j.item_path): j for j in Judgement.objects.filter(cycle=cycle)}
    narratives = {(n.program, n.item_path): n.text for n in Narrative.objects.filter(cycle=cycle)}
    evidence = list(EvidenceFile.objects.filter(cycle=cycle, region=cycle.region).current())
    forms = []
    for program in framework.programs:
        for path, item in judged_items(framework, program.id):
            if only and (program.id, path) != only:
                continue
            forms.append(JudgeForm(
                program.id, program.label, path, item, judgements.get((program.id, path)),
                narratives.get((program.id, path), ""),
                [e for e in evidence if e.program == program.id and e.item_path == path],
            ))
    return forms


@login_required
def judgements(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.view_judgement")
    return render(request, "reviews/judgements.html", {
        "cycle": cycle,
        "forms": _judge_forms(cycle),
        "can_judge": has(request.user, "reviews.change_judgement", cycle.region) and cycle.signed_at is None,
        "can_upload": has(request.user, "evidence.add_evidencefile", cycle.region)
        and has(request.user, "reviews.change_judgement", cycle.region) and cycle.signed_at is None,
        "next_url": reverse("judgements", args=[cycle.pk]),
    })


def _posted_clauses(request: HttpRequest) -> dict[str, bool | str]:
    """The clause verdicts of a judge form: 达到 True, 未达到 False, a partial score as typed."""
    clauses: dict[str, bool | str] = {}
    for key, value in request.POST.items():
        if not key.startswith("clause-"):
            continue
        cid = key.removeprefix("clause-")
        if value in ("met", "unmet"):
            clauses[cid] = value == "met"
        elif value == "partial":
            clauses[cid] = post_text(request, f"partial-{cid}")
    return clauses


def _posted_evidence(request: HttpRequest) -> list[str]:
    return [line for line in post_text(request, "evidence").splitlines() if line.strip()]


def _save_posted_judgement(request: HttpRequest, cycle: Cycle, program: str, path: str) -> str:
    """Save the judge form's judgement; the refusal's message, or "" when saved."""
    try:
        item = services.find_item(cycle.framework, program, path)
        clauses = services.read_clauses(item, _posted_clauses(request)) if isinstance(item.rule, Checklist) else {}
        points = None if isinstance(item.rule, Checklist) else services.parse_optional_decimal(
            post_text(request, "points"), "评定分数")
        version = post_text(request, "version")
        services.save_judgement(request.user, cycle, program, path, points=points, clauses=clauses,
                                reason=post_text(request, "reason"), evidence=_posted_evidence(request),
                                narrative=post_text(request, "narrative") if "narrative" in request.POST else None,
                                expected_version=int(version) if version.isdigit() and len(version) < 10 else None)
    except services.ReviewError as exc:
        return str(exc)
    return ""


@login_required
@require_POST
def save_judgement(request: HttpRequest, cycle_id: int, program: str, path: str) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.change_judgement")
    error = _save_posted_judgement(request, cycle, program, path)
    if is_htmx(request):
        return _judge_form_fragment(request, cycle, program, path, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "判断已保存。请重新运行评价以更新得分。")
    return redirect("judgements", cycle_id=cycle.pk)


def _judge_form_fragment(request: HttpRequest, cycle: Cycle, program: str, path: str, error: str) -> HttpResponse:
    forms = _judge_forms(cycle, only=(program, path))
    if not forms:
        return HttpResponse(error or "未知的指标", status=400)
    form = forms[0]
    form.error = error
    if error:
        # Show what was typed, not what is stored, so the user can correct it.
        form.judgement = _posted_judgement(request, cycle, program, path)
        form.narrative = post_text(request, "narrative")
        if "已被" not in error:  # a refused stale write keeps the stored version: reload to merge
            posted = post_text(request, "version")
            form.version = int(posted) if posted.isdigit() and len(posted) < 10 else form.version
    return render(request, "reviews/_judge_form.html", {
        "form": form, "cycle": cycle, "can_judge": True, "saved": not error,
        "can_upload": has(request.user, "evidence.add_evidencefile", cycle.region)
        and has(request.user, "reviews.change_judgement", cycle.region) and cycle.signed_at is None,
        "next_url": reverse("judgements", args=[cycle.pk]),
    }, status=422 if error else 200)


def _posted_judgement(request: HttpRequest, cycle: Cycle, program: str, path: str) -> Judgement:
    """An unsaved judgement holding the posted values, for redisplaying a refused form."""
    try:
        points = services.parse_optional_decimal(post_text(request, "points"), "评定分数")
    except services.ReviewError:
        points = None
    return Judgement(cycle=cycle, program=program, item_path=path, points=points, clauses=_posted_clauses(request),
                     reason=post_text(request, "reason"), evidence=_posted_evidence(request))


@login_required
@require_POST
def propose(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, "reviews.add_scoreadjustment")
    program, _, path = post_text(request, "item").partition(":")
    try:
        services.propose_adjustment(request.user, cycle, program_id=program, item_path=path,
                                    proposed=post_text(request, "proposed"), reason=post_text(request, "reason"))
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "调整建议已提出，显示在自评得分旁。")
    return redirect("evaluation", cycle_id=cycle.pk)


@login_required
@require_POST
def respond(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    adjustment = get_object_or_404(ScoreAdjustment.objects.select_related("cycle", "cycle__region"), pk=adjustment_id)
    authorize(request.user, "reviews.respond_scoreadjustment", adjustment.cycle.region)
    try:
        services.respond_adjustment(request.user, adjustment, accept=post_text(request, "decision") == "accept",
                                    response=post_text(request, "response"))
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已答复调整建议。")
    return redirect("evaluation", cycle_id=adjustment.cycle_id)


@login_required
@require_POST
def comment(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, None)
    submission = None
    raw_submission = post_text(request, "submission")
    if raw_submission:
        if not raw_submission.isdigit() or len(raw_submission) > 18:
            raise Http404("没有找到该填报")
        submission = get_submission(request, int(raw_submission))
    program, _, path = post_text(request, "item").partition(":")
    try:
        services.add_comment(request.user, cycle, post_text(request, "text"), submission=submission,
                             program_id=program, item_path=path)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "意见已提交。")
    if submission is not None:
        return redirect("submission", submission_id=submission.pk)
    return redirect("evaluation", cycle_id=cycle.pk)


@login_required
@require_POST
def resolve(request: HttpRequest, comment_id: int) -> HttpResponse:
    item = get_object_or_404(Comment.objects.select_related("cycle", "cycle__region", "submission__region"), pk=comment_id)
    authorize(request.user, "reviews.resolve_comment", item.target_region())
    try:
        services.resolve_comment(request.user, item)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "意见已办结。")
    return _back_to_comment(item)


def _back_to_comment(item: Comment) -> HttpResponse:
    if item.submission_id:
        return redirect("submission", submission_id=item.submission_id)
    return redirect("evaluation", cycle_id=item.cycle_id)


@login_required
@require_POST
def reply_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    item = get_object_or_404(Comment.objects.select_related("cycle", "cycle__region", "submission__region"), pk=comment_id)
    try:
        services.reply_to_comment(request.user, item, post_text(request, "text"))
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "回复已提交。")
    return _back_to_comment(item)

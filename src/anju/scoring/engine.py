"""framework × dataset → :class:`Evaluation`, every score with its trace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from anju import __version__
from anju.dataset.models import NOT_APPLICABLE, Dataset, FigureValue, Judgement, ProgramData
from anju.dates import as_of_text
from anju.decimals import plain
from anju.framework.models import (
    PLACEHOLDER_RE,
    BlankPolicy,
    Checklist,
    Deduction,
    Framework,
    Item,
    MetricRule,
    Program,
    Provenance,
    RuleKind,
    SumOfChildren,
    canonical_hash,
)
from anju.problems import Problem, ProblemsError, ScoringCode, Severity, Where
from anju.scoring.explain import Formatter, format_value, render
from anju.scoring.metrics import METRIC_DECIMALS, MetricValue, compute_metric, formula_text
from anju.scoring.result import ClauseResult, Evaluation, ItemResult, MetricResult, ProgramResult
from anju.scoring.rules import (
    Band,
    RuleInputError,
    RuleOutcome,
    score_checklist,
    score_deduction,
    score_judged,
    score_metric_rule,
    shown_decimal,
    shown_percent,
)
from anju.wording import region_words

ZERO = Decimal(0)


class EvaluationError(ProblemsError):
    """Items that could not be scored (blank required figure, missing judgement, …)."""


def dataset_hash(dataset: Dataset) -> str:
    return canonical_hash(dataset.model_dump(mode="json"))


def evaluate(framework: Framework, dataset: Dataset) -> Evaluation:
    """Score every program the dataset covers. Raises :class:`EvaluationError` listing every
    item that cannot be scored (blank required figure, missing judgement, …)."""
    problems: list[Problem] = []
    programs: list[ProgramResult] = []
    if not dataset.programs:
        raise EvaluationError([Problem(ScoringCode.INPUT_INVALID, Severity.error, "数据集中没有任何项目的数据")])
    for program in framework.programs:
        data = dataset.programs.get(program.id)
        if data is None:
            continue
        scorer = _ProgramScorer(framework, program, dataset, data)
        dimensions = [scorer.score(item, "", 1) for item in program.dimensions]
        problems.extend(scorer.problems)
        total = sum((d.score for d in dimensions), ZERO)
        programs.append(
            ProgramResult(
                id=program.id,
                label=program.label,
                points=program.points,
                score=total,
                grade=framework.grade(total, program.id),
                grade_scheme=_scheme_text(framework, program.id),
                dimensions=dimensions,
            )
        )
    if problems:
        raise EvaluationError(problems)
    f_hash, d_hash = framework.digest, dataset_hash(dataset)
    return Evaluation(
        anju_version=__version__,
        framework_id=framework.id,
        framework_label=framework.label,
        framework_hash=f_hash,
        dataset_hash=d_hash,
        input_hash=canonical_hash([f_hash, d_hash]),
        region_code=dataset.region.code,
        region_name=dataset.region.name,
        year=dataset.year,
        as_of=dataset.as_of,
        programs=programs,
    )


@dataclass(frozen=True)
class _Leaf:
    """What scoring a leaf produced, besides the common fields."""

    outcome: RuleOutcome
    metric: MetricResult | None = None
    metric_value: MetricValue | None = None
    clauses: list[ClauseResult] = field(default_factory=list)


@dataclass(frozen=True)
class _Head:
    """The fields every item result shares."""

    path: str
    item: Item
    level: int
    narrative: str | None

    def result(self, *, score: Decimal, rule_kind: RuleKind, provenance: Provenance, **rest: Any) -> ItemResult:
        item = self.item
        return ItemResult(
            path=self.path, id=item.id, label=item.label, level=self.level, points=item.points, ref=item.ref,
            narrative=self.narrative, score=score, deduction=item.points - score, rule_kind=rule_kind,
            provenance=provenance, **rest,
        )


class _ProgramScorer:
    def __init__(self, framework: Framework, program: Program, dataset: Dataset, data: ProgramData) -> None:
        self.framework = framework
        self.program = program
        self.dataset = dataset
        self.data = data
        self.problems: list[Problem] = []

    def fail(self, path: str, item: Item, exc: RuleInputError) -> None:
        self.problems.append(Problem(exc.code, Severity.error, f"{self.program.label} › {item.label}：{exc}",
                                     Where(program=self.program.id, item=path)))

    def figure_name(self, fid: str) -> str:
        spec = self.program.figure(fid)
        return f"“{spec.label}”（{spec.unit}）"

    def score(self, item: Item, prefix: str, level: int) -> ItemResult:
        path = f"{prefix}.{item.id}" if prefix else item.id
        head = _Head(path, item, level, self.data.narrative.get(path))
        if item.children:
            return self._score_inner(head)
        rule = item.rule
        if rule is None or isinstance(rule, SumOfChildren):  # pragma: no cover - refused at load
            raise ValueError(f"叶子指标“{item.label}”没有评分规则")
        judgement = self.data.judgements.get(path)
        try:
            leaf = self._leaf_scorers[rule.kind](rule, item, judgement)
        except RuleInputError as exc:
            self.fail(path, item, exc)
            leaf = _Leaf(RuleOutcome(ZERO, "无法计分"))
        narrative = self.narrative(path, item, head.narrative, metric=leaf.metric_value, score=leaf.outcome.score,
                                   band=leaf.outcome.band, clauses=leaf.clauses)
        return replace(head, narrative=narrative).result(
            score=leaf.outcome.score,
            rule_kind=rule.kind,
            provenance=rule.provenance,
            branch=leaf.outcome.branch,
            explanation=self.explain(item, leaf.metric_value, leaf.outcome.score, leaf.clauses, leaf.outcome.band),
            metric=leaf.metric,
            clauses=leaf.clauses,
            reason=judgement.reason if judgement else None,
            note=judgement.note if judgement else None,
            evidence=list(judgement.evidence) if judgement else [],
        )

    def _score_inner(self, head: _Head) -> ItemResult:
        item = head.item
        children = [self.score(child, head.path, head.level + 1) for child in item.children]
        total = sum((c.score for c in children), ZERO)
        rule = item.rule
        head = replace(head, narrative=self.narrative(head.path, item, head.narrative, metric=None, score=total))
        return head.result(
            score=total,
            rule_kind="sum",
            provenance=rule.provenance if isinstance(rule, SumOfChildren) else item.provenance,
            branch="下级指标得分合计",
            explanation=self.explain(item, None, total),
            children=children,
        )

    @property
    def _leaf_scorers(self) -> dict[str, Callable[[Any, Item, Judgement | None], _Leaf]]:
        """Rule kind → how a leaf of that kind is scored: the one dispatch table."""
        return {
            "ratio_tiers": self._metric_leaf,
            "proportional": self._metric_leaf,
            "threshold": self._metric_leaf,
            "checklist": self._checklist_leaf,
            "judged": lambda rule, item, judgement: _Leaf(score_judged(rule, item.points, judgement)),
            "deduction": lambda rule, item, _judgement: _Leaf(self.deduction_outcome(rule, item)),
        }

    def _metric_leaf(self, rule: MetricRule, item: Item, _judgement: Judgement | None) -> _Leaf:
        value = compute_metric(rule.metric, self.data.figures)
        outcome = self.metric_outcome(rule, item, value)
        shown = value.value
        if value.exact is not None:  # four places, more when four would cross the band applied
            shown = shown_decimal(value.exact, outcome.band, METRIC_DECIMALS)
        metric = MetricResult(
            label=rule.metric.label,
            formula=formula_text(rule.metric, self.program),
            inputs=value.inputs,
            value=shown,
            kind=rule.metric.kind,
        )
        return _Leaf(outcome, metric, value)

    def _checklist_leaf(self, rule: Checklist, item: Item, judgement: Judgement | None) -> _Leaf:
        outcome = score_checklist(rule, item.points, judgement)
        labels = {c.id: c for c in rule.clauses}
        clauses = [
            ClauseResult(id=cid, label=labels[cid].label, points=labels[cid].points, score=s)
            for cid, s in outcome.clause_scores
        ]
        return _Leaf(outcome, clauses=clauses)

    def metric_outcome(self, rule: MetricRule, item: Item, value: MetricValue) -> RuleOutcome:
        if value.not_applicable:
            names = "、".join(self.figure_name(f) for f in value.not_applicable)
            return self.policy(rule.if_not_applicable, item, f"数据项{names}填报为不适用")
        if value.blank:
            names = "、".join(self.figure_name(f) for f in value.blank)
            return self.policy(rule.if_blank, item, f"必填数据项{names}为空", ScoringCode.FIGURE_BLANK)
        if value.zero_denominator:
            den = "、".join(self.figure_name(f) for f in rule.metric.denominator or [])
            return self.policy(rule.if_zero_denominator, item, f"分母{den}为0，无法计算“{rule.metric.label}”")
        assert value.exact is not None
        outcome = score_metric_rule(rule, item.points, value.exact, self.framework.rounding)
        shown = plain(outcome.shown) if outcome.shown is not None else shown_percent(value.exact, outcome.band)
        return replace(outcome, branch=f"{rule.metric.label}{shown}%，{outcome.branch}")

    def deduction_outcome(self, rule: Deduction, item: Item) -> RuleOutcome:
        raw = self.data.figures.get(rule.findings)
        if raw is None:
            return self.policy(rule.if_blank, item, f"必填数据项{self.figure_name(rule.findings)}为空（没有问题请填0）",
                               ScoringCode.FIGURE_BLANK)
        if raw == NOT_APPLICABLE:
            return self.policy("error", item, f"数据项{self.figure_name(rule.findings)}不能填“不适用”（没有问题请填0）")
        assert isinstance(raw, Decimal)
        return score_deduction(rule, item.points, raw)

    @staticmethod
    def policy(on_blank: BlankPolicy, item: Item, why: str, code: ScoringCode = ScoringCode.INPUT_INVALID) -> RuleOutcome:
        if on_blank == "zero":
            return RuleOutcome(ZERO, f"{why}，按规则计0分")
        if on_blank == "full":
            return RuleOutcome(item.points, f"{why}，按规则计满分")
        raise RuleInputError(why, code)

    def template_values(
        self, item: Item, metric: MetricValue | None, score: Decimal, band: Band | None,
        clauses: list[ClauseResult] | None = None,
    ) -> tuple[dict[str, FigureValue | str], dict[str, Formatter]]:
        """What a sentence template and a narrative placeholder can name: the program's figures,
        year, region, 我省/我区/我市 (``our_region``), 全省/全区/全市 (``whole_region``), the date,
        the item's score, points and deduction, its rate, and each checklist clause's score
        (``clause_<id>``)."""
        words = region_words(self.dataset.region.name)
        values: dict[str, FigureValue | str] = dict(self.data.figures)
        values.update(
            {
                "year": str(self.dataset.year),
                "region": self.dataset.region.name,
                "our_region": words.our,
                "whole_region": words.whole,
                "as_of": as_of_text(self.dataset.year, self.dataset.as_of),
                "score": score,
                "points": item.points,
                "deduction": item.points - score,
            }
        )
        for clause in clauses or []:
            values[f"clause_{clause.id}"] = clause.score
        formatters: dict[str, Formatter] = {}
        if metric is not None and metric.exact is not None:
            exact = metric.exact
            values["rate"] = metric.value
            formatters["rate"] = lambda places: shown_percent(
                exact, band, places if places is not None else METRIC_DECIMALS, fixed_places=places is not None)
        return values, formatters

    def narrative(
        self, path: str, item: Item, raw: str | None, *, metric: MetricValue | None, score: Decimal,
        band: Band | None = None, clauses: list[ClauseResult] | None = None,
    ) -> str | None:
        """The dataset's narrative with its placeholders ({violations}, {score}, {rate:1}, …)
        rendered from this evaluation; an unknown placeholder is an error naming it."""
        if raw is None or "{" not in raw:
            return raw
        if metric is not None and metric.not_applicable:
            # The item is not applicable (its explanation says so): a narrative that would render its
            # figures and rate has nothing to render from and is left out, not printed half-filled.
            return None
        values, formatters = self.template_values(item, metric, score, band, clauses)
        unknown = sorted({m.group(1) for m in PLACEHOLDER_RE.finditer(raw)} - set(values) - set(formatters))
        if unknown:
            names = "、".join(f"{{{name}}}" for name in unknown)
            self.problems.append(Problem(
                ScoringCode.INPUT_INVALID, Severity.error,
                f"{self.program.label} › {item.label}：说明文字（narrative）中的占位符{names}不是本项目的数据项或可用的值"
                "（可用：数据项编号、year、region、our_region、whole_region、as_of、score、points、deduction、rate、clause_<要点编号>）",
                Where(program=self.program.id, item=path),
            ))
            return raw
        return render(raw, values, formatters)

    def explain(
        self,
        item: Item,
        metric: MetricValue | None,
        score: Decimal,
        clauses: list[ClauseResult] | None = None,
        band: Band | None = None,
    ) -> str:
        if metric is not None and metric.not_applicable:
            return "本项不适用。"
        template = item.template
        if item.template_full and score == item.points:
            template = item.template_full
        if template:
            values, formatters = self.template_values(item, metric, score, band, clauses)
            return render(template, values, formatters)
        if clauses:
            if len(clauses) == 1:
                return ""
            parts = [
                f"{i}.{c.label}（{format_value(c.score)}分）" for i, c in enumerate(clauses, start=1)
            ]
            return "；".join(parts) + "。"
        return ""


def _scheme_text(framework: Framework, program_id: str) -> str | None:
    scheme = framework.scheme(program_id)
    return scheme.describe() if scheme is not None else None

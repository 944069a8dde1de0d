"""Rule kinds: one pure function each, over Decimal.

Every function returns a :class:`RuleOutcome` (the score and the branch that fired, in
Chinese) or raises :class:`RuleInputError` naming what is missing. The engine dispatches on
the rule's ``kind`` through one table (``_ProgramScorer._leaf_scorers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from anju.dataset.models import Judgement
from anju.decimals import round_half_up, rounded_text
from anju.framework.models import Checklist, Deduction, Judged, Proportional, RatioTiers, Threshold
from anju.problems import ScoringCode

ZERO = Decimal(0)


@dataclass(frozen=True)
class RuleOutcome:
    score: Decimal
    branch: str
    clause_scores: tuple[tuple[str, Decimal], ...] = ()


class RuleInputError(ValueError):
    """The data a rule needs is missing or out of bounds; the message is for the user."""

    def __init__(self, message: str, code: ScoringCode = ScoringCode.INPUT_INVALID) -> None:
        super().__init__(message)
        self.code = code


def score_ratio_tiers(rule: RatioTiers, points: Decimal, value: Decimal) -> RuleOutcome:
    for tier in rule.tiers:
        if tier.contains(value):
            return RuleOutcome(tier.points, f"属于{tier.describe()}档，得{rounded_text(tier.points)}分")
    raise RuleInputError(f"指标值 {rounded_text(value)}% 不落在任何一档内（请检查指标体系的分档设置）")


def score_proportional(rule: Proportional, points: Decimal, value: Decimal) -> RuleOutcome:
    if rule.zero_below is not None and value < rule.zero_below:
        return RuleOutcome(ZERO, f"指标低于{rounded_text(rule.zero_below)}%，得0分")
    if value >= rule.full_at:
        return RuleOutcome(points, f"指标≥{rounded_text(rule.full_at)}%，得满分{rounded_text(points)}分")
    if value <= 0:
        return RuleOutcome(ZERO, "指标为0，得0分")
    score = round_half_up(points * value / rule.full_at, rule.decimals)
    return RuleOutcome(score, f"按比例计分：{rounded_text(points)} × {rounded_text(value)}% ÷ {rounded_text(rule.full_at)}% = {rounded_text(score)}分")


def score_threshold(rule: Threshold, points: Decimal, value: Decimal) -> RuleOutcome:
    if rule.at_least is not None:
        if value >= rule.at_least:
            return RuleOutcome(points, f"指标≥{rounded_text(rule.at_least)}%，得满分{rounded_text(points)}分")
        return RuleOutcome(ZERO, f"指标<{rounded_text(rule.at_least)}%，得0分")
    assert rule.at_most is not None
    if value <= rule.at_most:
        return RuleOutcome(points, f"指标≤{rounded_text(rule.at_most)}%，得满分{rounded_text(points)}分")
    return RuleOutcome(ZERO, f"指标>{rounded_text(rule.at_most)}%，得0分")


def score_metric_rule(rule: RatioTiers | Proportional | Threshold, points: Decimal, value: Decimal) -> RuleOutcome:
    if isinstance(rule, RatioTiers):
        return score_ratio_tiers(rule, points, value)
    if isinstance(rule, Proportional):
        return score_proportional(rule, points, value)
    return score_threshold(rule, points, value)


def score_checklist(rule: Checklist, points: Decimal, judgement: Judgement | None) -> RuleOutcome:
    if judgement is None:
        raise RuleInputError("缺少评价人员对各评分要点的判断", ScoringCode.JUDGEMENT_MISSING)
    scores: list[tuple[str, Decimal]] = []
    missing: list[str] = []
    for clause in rule.clauses:
        verdict = judgement.clauses.get(clause.id)
        if verdict is None:
            missing.append(f"{clause.id}（{clause.label}）")
            continue
        if isinstance(verdict, bool):
            earned = clause.points if verdict else ZERO
        else:
            if not clause.partial and verdict not in (ZERO, clause.points):
                raise RuleInputError(f"评分要点“{clause.label}”只能得0分或满分{rounded_text(clause.points)}分，实为{rounded_text(verdict)}分")
            if verdict < 0 or verdict > clause.points:
                raise RuleInputError(f"评分要点“{clause.label}”得分应在0至{rounded_text(clause.points)}分之间，实为{rounded_text(verdict)}分")
            earned = verdict
        scores.append((clause.id, earned))
    if missing:
        raise RuleInputError("缺少评分要点的判断：" + "、".join(missing), ScoringCode.JUDGEMENT_MISSING)
    total = sum((s for _, s in scores), ZERO)
    if total < points and not (judgement.reason and judgement.reason.strip()):
        raise RuleInputError(f"得分{rounded_text(total)}分低于满分{rounded_text(points)}分，须说明扣分理由（reason）")
    met = sum(1 for (_, s), c in zip(scores, rule.clauses, strict=True) if s == c.points)
    return RuleOutcome(total, f"{len(rule.clauses)}个评分要点中{met}个全部达到，得{rounded_text(total)}分", tuple(scores))


def score_judged(rule: Judged, points: Decimal, judgement: Judgement | None) -> RuleOutcome:
    if judgement is None or judgement.points is None:
        raise RuleInputError("缺少评价人员给出的得分（points）", ScoringCode.JUDGEMENT_MISSING)
    value = judgement.points
    if value < 0 or value > points:
        raise RuleInputError(f"评价得分应在0至{rounded_text(points)}分之间，实为{rounded_text(value)}分")
    if value < points and not (judgement.reason and judgement.reason.strip()):
        raise RuleInputError(f"评价得分{rounded_text(value)}分低于满分{rounded_text(points)}分，须说明理由（reason）")
    return RuleOutcome(value, f"评价人员评定{rounded_text(value)}分")


def score_deduction(rule: Deduction, points: Decimal, findings: Decimal) -> RuleOutcome:
    if findings < 0:
        raise RuleInputError(f"问题数量不能为负数，实为{rounded_text(findings)}")
    if findings != findings.to_integral_value():
        raise RuleInputError(f"问题数量应为整数，实为{rounded_text(findings)}")
    if findings == 0:
        return RuleOutcome(points, f"未发现问题，得满分{rounded_text(points)}分")
    score = max(ZERO, points - findings * rule.per_finding)
    return RuleOutcome(score, f"发现问题{rounded_text(findings)}件，每件扣{rounded_text(rule.per_finding)}分，得{rounded_text(score)}分")

"""Rule kinds: one pure function each, over Decimal.

Every function returns a :class:`RuleOutcome` (the score and the branch that fired, in
Chinese) or raises :class:`RuleInputError` naming what is missing. The engine dispatches on
the rule's ``kind`` through one table (``_ProgramScorer._leaf_scorers``).

Metric rules take the metric's exact value (a :class:`~fractions.Fraction` of the summed
figures, or a Decimal) and compare it with the declared bounds exactly: 59.99995% is below 60%,
never rounded up into the next band first. A proportional score is computed from the exact value
and rounded once, to the framework's declared ``rounding``. The outcome carries the :class:`Band` it applied, and
every value shown in a text (:func:`shown_percent`) is rounded so that it still lies in that band:
59.96% is shown as “59.96%”, never as “60.0%” beside a score from the “<60%” band.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from anju.dataset.models import Judgement
from anju.decimals import plain, round_fraction, round_fraction_toward, rounded_text
from anju.framework.models import (
    PLACES_WORDS,
    Checklist,
    Deduction,
    Judged,
    Proportional,
    RatioTiers,
    Rounding,
    Threshold,
)
from anju.problems import ScoringCode

ZERO = Decimal(0)
SHOWN_DECIMALS = 2
"""Places a percent is shown with in a branch text, more when fewer would cross the band's bound."""
MAX_SHOWN_DECIMALS = 8
Value = Decimal | Fraction
"""A metric's value in percent: exact (Fraction) or as given (Decimal)."""


@dataclass(frozen=True)
class Band:
    """The range of the metric a rule's branch applies to: ``lower`` (inclusive unless
    ``lower_open``) up to ``upper`` (exclusive unless ``upper_closed``); None is unbounded."""

    lower: Decimal | None = None
    upper: Decimal | None = None
    lower_open: bool = False
    upper_closed: bool = False

    def holds(self, value: Value) -> bool:
        x = Fraction(value)
        if self.lower is not None and (x < self.lower or (self.lower_open and x == self.lower)):
            return False
        return not (self.upper is not None and (x > self.upper or (not self.upper_closed and x == self.upper)))


@dataclass(frozen=True)
class RuleOutcome:
    score: Decimal
    branch: str
    clause_scores: tuple[tuple[str, Decimal], ...] = ()
    band: Band | None = None
    """For a metric rule: the range of values the branch that fired applies to."""
    shown: Decimal | None = None
    """For a metric rule whose text shows the value (proportional): the value as shown there."""


def shown_decimal(value: Value, band: Band | None, decimals: int = SHOWN_DECIMALS) -> Decimal:
    """``value`` rounded half up to ``decimals`` places, or to more places when that would put it
    outside ``band``; at :data:`MAX_SHOWN_DECIMALS` it is rounded toward the band instead."""
    exact = Fraction(value)
    for places in range(decimals, MAX_SHOWN_DECIMALS + 1):
        shown = round_fraction(exact, places)
        if band is None or band.holds(shown):
            return shown
    assert band is not None
    up = band.lower is not None and Fraction(round_fraction(exact, MAX_SHOWN_DECIMALS)) <= band.lower
    return round_fraction_toward(exact, MAX_SHOWN_DECIMALS, up=up)


def shown_percent(value: Value, band: Band | None, decimals: int = SHOWN_DECIMALS, *, fixed_places: bool = False) -> str:
    """A percent (without the sign) for a text that never contradicts ``band`` (see
    :func:`shown_decimal`): without trailing zeros, or with at least ``decimals`` places when
    ``fixed_places`` (a template's ``{rate:1}`` gives “59.9”, and “59.96” rather than “60.0”)."""
    shown = shown_decimal(value, band, decimals)
    return format(shown, "f") if fixed_places else plain(shown)


def _bound_text(value: Decimal) -> str:
    return rounded_text(value, MAX_SHOWN_DECIMALS)


class RuleInputError(ValueError):
    """The data a rule needs is missing or out of bounds; the message is for the user."""

    def __init__(self, message: str, code: ScoringCode = ScoringCode.INPUT_INVALID) -> None:
        super().__init__(message)
        self.code = code


def score_ratio_tiers(rule: RatioTiers, points: Decimal, value: Value) -> RuleOutcome:
    band: Band
    for tier in rule.tiers:
        band = Band(tier.at_least, tier.below)
        if band.holds(value):
            return RuleOutcome(tier.points, f"属于{tier.describe()}档，得{rounded_text(tier.points)}分", band=band)
    raise RuleInputError(f"指标值 {shown_percent(value, None)}% 不落在任何一档内（请检查指标体系的分档设置）")


HUNDRED_PERCENT = Decimal(100)


def score_proportional(rule: Proportional, points: Decimal, value: Value, decimals: int) -> RuleOutcome:
    """points × value ÷ full_at from the exact value, rounded half up once to ``decimals`` (the
    framework's one declared rounding, :class:`~anju.framework.models.Rounding`)."""
    exact = Fraction(value)
    if rule.zero_below is not None and exact < rule.zero_below:
        return RuleOutcome(ZERO, f"指标低于{_bound_text(rule.zero_below)}%，得0分", band=Band(upper=rule.zero_below))
    if exact >= rule.full_at:
        return RuleOutcome(points, f"指标≥{_bound_text(rule.full_at)}%，得满分{rounded_text(points)}分",
                           band=Band(lower=rule.full_at))
    if exact <= 0:
        return RuleOutcome(ZERO, "指标为0，得0分", band=Band(upper=ZERO, upper_closed=True))
    score = round_fraction(Fraction(points) * exact / Fraction(rule.full_at), decimals)
    band = Band(lower=rule.zero_below if rule.zero_below is not None else ZERO, upper=rule.full_at,
                lower_open=rule.zero_below is None)
    shown = _proportional_shown(rule, points, exact, score, band, decimals=decimals)
    return RuleOutcome(score, proportional_text(rule, points, shown, score, decimals), band=band, shown=shown)


def proportional_text(rule: Proportional, points: Decimal, shown: Decimal, score: Decimal, decimals: int) -> str:
    """The arithmetic as an evaluator writes it: "25 × 87.43% = 21.86，按规定保留整数计22分" when the
    declared rounding changes the product, "10 × 86.82% = 8.68分" when it does not; "÷ N%" only
    when full points are reached at N other than 100."""
    divisor = "" if rule.full_at == HUNDRED_PERCENT else f" ÷ {_bound_text(rule.full_at)}%"
    product = points * shown / rule.full_at
    formula = f"按比例计分：{rounded_text(points)} × {plain(shown)}%{divisor}"
    if product == score:
        return f"{formula} = {plain(score)}分"
    places = PLACES_WORDS.get(decimals, f"{decimals}位小数")
    return f"{formula} = {_product_text(product)}，按规定保留{places}计{plain(score)}分"


PRODUCT_PLACES = 8


def _product_text(product: Decimal) -> str:
    """Every digit of the product (rounding it for display could suggest the other rounding:
    1.234995 shown as 1.235 reads like 1.24); cut with "…" only past eight places."""
    cut = product.quantize(Decimal(1).scaleb(-PRODUCT_PLACES), rounding=ROUND_DOWN)
    return plain(product) if cut == product else f"{plain(cut)}…"


def _proportional_shown(rule: Proportional, points: Decimal, exact: Fraction, score: Decimal, band: Band, *,
                        decimals: int) -> Decimal:
    """The value as shown in the formula: with enough places that the shown arithmetic gives the score."""
    for places in range(SHOWN_DECIMALS, MAX_SHOWN_DECIMALS + 1):
        shown = round_fraction(exact, places)
        if band.holds(shown) and round_fraction(Fraction(points) * Fraction(shown) / Fraction(rule.full_at),
                                                decimals) == score:
            return shown
    return shown_decimal(exact, band, MAX_SHOWN_DECIMALS)


def score_threshold(rule: Threshold, points: Decimal, value: Value) -> RuleOutcome:
    exact = Fraction(value)
    if rule.at_least is not None:
        if exact >= rule.at_least:
            return RuleOutcome(points, f"指标≥{_bound_text(rule.at_least)}%，得满分{rounded_text(points)}分",
                               band=Band(lower=rule.at_least))
        return RuleOutcome(ZERO, f"指标<{_bound_text(rule.at_least)}%，得0分", band=Band(upper=rule.at_least))
    assert rule.at_most is not None
    if exact <= rule.at_most:
        return RuleOutcome(points, f"指标≤{_bound_text(rule.at_most)}%，得满分{rounded_text(points)}分",
                           band=Band(upper=rule.at_most, upper_closed=True))
    return RuleOutcome(ZERO, f"指标>{_bound_text(rule.at_most)}%，得0分", band=Band(lower=rule.at_most, lower_open=True))


def score_metric_rule(rule: RatioTiers | Proportional | Threshold, points: Decimal, value: Value,
                      rounding: Rounding) -> RuleOutcome:
    """The rule's outcome; a proportional score is rounded as the framework declares (``rounding``)."""
    if isinstance(rule, RatioTiers):
        return score_ratio_tiers(rule, points, value)
    if isinstance(rule, Proportional):
        return score_proportional(rule, points, value, rounding.proportional)
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
    return RuleOutcome(total, checklist_text(rule, scores, total), tuple(scores))


def checklist_text(rule: Checklist, scores: list[tuple[str, Decimal]], total: Decimal) -> str:
    """As an evaluator writes it: "各评分要点均达到要求，得满分5分" or "“信贷支持”未完全达到要求，
    扣1分，得7分"."""
    short = [(c, s) for (_, s), c in zip(scores, rule.clauses, strict=True) if s < c.points]
    if not short:
        return ("达到要求" if len(rule.clauses) == 1 else "各评分要点均达到要求") + f"，得满分{rounded_text(total)}分"
    parts = "、".join(f"“{c.label}”{'未达到' if s == 0 else '未完全达到'}要求（扣{rounded_text(c.points - s)}分）"
                     for c, s in short)
    return f"{parts}，得{rounded_text(total)}分"


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

"""Consistency checks: declared in the framework, run here, all reported at once.

Each check is a small function ``(context) -> Iterator[Problem]`` registered in :data:`CHECKS`;
its codes are the members of :class:`anju.problems.ConsistencyCode`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from anju.checks.narrative import narrative_contradictions
from anju.dataset.models import NOT_APPLICABLE, Dataset, ProgramData
from anju.decimals import HUNDRED, percent_text, plain, rounded_text
from anju.framework.models import IDENTITY_TOLERANCE, METRIC_RULES, Framework, Item, Program
from anju.problems import ConsistencyCode, Problem, Severity, Where
from anju.scoring.metrics import compute_metric
from anju.scoring.result import Evaluation, ProgramResult

PERCENT_TOLERANCE = Decimal("0.5")
HINT_TOLERANCE = Decimal("0.05")


Tolerance = Callable[[Decimal], Decimal]
"""How far a recomputed percentage may be from a stated one, given the stated value."""


def fixed_tolerance(stated: Decimal) -> Decimal:
    """0.5 percentage points, whatever the stated precision (the rule for datasets)."""
    return PERCENT_TOLERANCE


def precision_tolerance(stated: Decimal) -> Decimal:
    """Half a unit of the last stated digit: "101%" covers ±0.5, "52.9%" ±0.05, "45.94%" ±0.005
    (the rule for a document, whose figures are rounded as printed)."""
    exponent = stated.as_tuple().exponent
    places = exponent if isinstance(exponent, int) else 0
    return Decimal(5).scaleb(places - 1)


@dataclass(frozen=True)
class Context:
    framework: Framework
    dataset: Dataset
    program: Program
    data: ProgramData
    result: ProgramResult | None
    tolerance: Tolerance = fixed_tolerance


Check = Callable[[Context], Iterator[Problem]]


def _leaves(program: Program) -> Iterator[tuple[str, Item]]:
    for path, item in program.items():
        if item.is_leaf and isinstance(item.rule, METRIC_RULES):
            yield path, item


def _issue(
    ctx: Context, code: ConsistencyCode, severity: Severity, message: str, *,
    item: str | None = None, figure: str | None = None, stated: Decimal | None = None, computed: Decimal | None = None,
) -> Problem:
    return Problem(
        code, severity, f"{ctx.program.label}：{message}", Where(program=ctx.program.id, item=item, figure=figure),
        stated=plain(stated) if stated is not None else None, computed=plain(computed) if computed is not None else None,
    )


def check_stated_percents(ctx: Context) -> Iterator[Problem]:
    """Stated percentages against recomputed ones; detects a switched denominator."""
    items = ctx.program.item_map
    plan_based: list[str] = []
    switched: list[tuple[str, Item, Decimal, Decimal, Decimal]] = []
    for path, stated in ctx.data.stated.percents.items():
        item = items[path]
        rule = item.rule
        if not isinstance(rule, METRIC_RULES):
            continue
        metric = compute_metric(rule.metric, ctx.data.figures)
        computed = metric.value
        if computed is None:
            continue
        diff = abs(computed - stated)
        tolerance = ctx.tolerance(stated)
        if diff <= tolerance:
            if rule.metric.alternate_denominator:
                plan_based.append(item.label)
            continue
        if rule.metric.alternate_denominator:
            alt = compute_metric(rule.metric, ctx.data.figures, rule.metric.alternate_denominator).value
            if alt is not None and abs(alt - stated) <= tolerance:
                switched.append((path, item, stated, computed, alt))
                continue
        hint = _denominator_hint(ctx, rule.metric.numerator, stated, rule.metric.denominator or [])
        arithmetic = f" = {plain(metric.numerator)} ÷ {plain(metric.denominator)}" if (
            metric.numerator is not None and metric.denominator is not None) else ""
        yield _issue(
            ctx,
            ConsistencyCode.STATED_PERCENT_MISMATCH,
            Severity.error,
            f"“{item.label}”文中为{percent_text(stated)}，按数据重新计算为{percent_text(computed)}"
            f"（{rule.metric.label}{arithmetic}，相差{rounded_text(diff)}个百分点，超过{plain(tolerance)}个百分点）"
            f"{hint}；计分采用重新计算值。",
            item=path,
            stated=stated, computed=computed,
        )
    for path, item, stated, computed, alt in switched:
        rule = item.rule
        assert isinstance(rule, METRIC_RULES)
        den = "、".join(ctx.program.figure(f).label for f in rule.metric.denominator or [])
        alt_den = "、".join(ctx.program.figure(f).label for f in rule.metric.alternate_denominator or [])
        others = f"；本项目中“{'”“'.join(plan_based)}”等项以{den}为分母" if plan_based else ""
        yield _issue(
            ctx,
            ConsistencyCode.DENOMINATOR_SWITCH,
            Severity.warning,
            f"“{item.label}”文中为{percent_text(stated)}，与以{alt_den}为分母的{percent_text(alt)}相符，"
            f"而按规定分母（{den}）计算为{percent_text(computed)}{others}，口径不一致（也可能是截尾取整）。",
            item=path,
            stated=stated, computed=computed,
        )


def _denominator_hint(ctx: Context, numerator: list[str], stated: Decimal, used: list[str]) -> str:
    """Look for a figure of the same unit that reproduces the stated percentage."""
    num = Decimal(0)
    for fid in numerator:
        value = ctx.data.figures.get(fid)
        if not isinstance(value, Decimal):
            return ""
        num += value
    unit = ctx.program.figure(numerator[0]).unit
    for spec in ctx.program.figures:
        if spec.unit != unit or spec.id in numerator or spec.id in used:
            continue
        value = ctx.data.figures.get(spec.id)
        if not isinstance(value, Decimal) or value == 0:
            continue
        candidate = num * HUNDRED / value
        if abs(candidate - stated) <= min(HINT_TOLERANCE, ctx.tolerance(stated)):
            return f"；文中数值恰等于以“{spec.label}”{plain(value)}{spec.unit}为分母的结果（{percent_text(candidate)}），疑似误用分母"
    return ""


def check_stated_scores(ctx: Context) -> Iterator[Problem]:
    if ctx.result is None:
        return
    stated = ctx.data.stated
    items = ctx.program.item_map
    results = {r.path: r for r in ctx.result.items()}
    for path, score in stated.scores.items():
        item = items[path]
        children_stated = [f"{path}.{c.id}" for c in item.children]
        if item.children and all(c in stated.scores for c in children_stated):
            child_sum = sum((stated.scores[c] for c in children_stated), Decimal(0))
            if child_sum != score:
                yield _issue(
                    ctx,
                    ConsistencyCode.STATED_SUBTOTAL_MISMATCH,
                    Severity.error,
                    f"“{item.label}”文中小计为{plain(score)}分，但文中各分项得分合计为{plain(child_sum)}分"
                    f"（{' + '.join(plain(stated.scores[c]) for c in children_stated)}）。",
                    item=path, stated=score, computed=child_sum,
                )
        computed = results[path].score
        if computed != score:
            yield _issue(
                ctx,
                ConsistencyCode.STATED_SCORE_MISMATCH,
                Severity.error,
                f"“{item.label}”文中得分为{plain(score)}分，按数据和规则计算为{plain(computed)}分（满分{plain(item.points)}分）。",
                item=path, stated=score, computed=computed,
            )
    if stated.total is not None:
        dims = [d.id for d in ctx.program.dimensions]
        if all(d in stated.scores for d in dims):
            dim_sum = sum((stated.scores[d] for d in dims), Decimal(0))
            if dim_sum != stated.total:
                yield _issue(
                    ctx,
                    ConsistencyCode.STATED_SUBTOTAL_MISMATCH,
                    Severity.error,
                    f"文中总分为{plain(stated.total)}分，但文中各一级指标得分合计为{plain(dim_sum)}分。",
                    stated=stated.total, computed=dim_sum,
                )
        if stated.total != ctx.result.score:
            yield _issue(
                ctx,
                ConsistencyCode.STATED_SCORE_MISMATCH,
                Severity.error,
                f"文中总分为{plain(stated.total)}分，计算总分为{plain(ctx.result.score)}分。",
                stated=stated.total, computed=ctx.result.score,
            )


def check_identities(ctx: Context) -> Iterator[Problem]:
    for identity in ctx.program.identities:
        total = ctx.data.figures.get(identity.total)
        parts = [ctx.data.figures.get(p) for p in identity.parts]
        if not isinstance(total, Decimal) or not all(isinstance(p, Decimal) for p in parts):
            continue
        part_sum = sum((p for p in parts if isinstance(p, Decimal)), Decimal(0))
        if abs(part_sum - total) > IDENTITY_TOLERANCE:
            names = " + ".join(ctx.program.figure(p).label for p in identity.parts)
            yield _issue(
                ctx,
                ConsistencyCode.PARTS_TOTAL_MISMATCH,
                Severity.error,
                f"{ctx.program.figure(identity.total).label}为{plain(total)}，但{names} = {plain(part_sum)}，"
                f"相差{plain(total - part_sum)}。",
                figure=identity.total,
                stated=total, computed=part_sum,
            )


def check_shares(ctx: Context) -> Iterator[Problem]:
    for path, item in _leaves(ctx.program):
        rule = item.rule
        assert isinstance(rule, METRIC_RULES)
        if rule.metric.kind != "share" or not rule.metric.denominator:
            continue
        value = compute_metric(rule.metric, ctx.data.figures).value
        if value is not None and value > HUNDRED:
            yield _issue(
                ctx,
                ConsistencyCode.SHARE_ABOVE_100,
                Severity.warning,
                f"“{item.label}”为占比指标，计算结果{percent_text(value)}超过100%：分子大于分母"
                f"（{_names(ctx, rule.metric.numerator)} > {_names(ctx, rule.metric.denominator)}），请核实口径。",
                item=path,
                computed=value,
            )


def _names(ctx: Context, ids: list[str]) -> str:
    return " + ".join(f"{ctx.program.figure(f).label}" for f in ids)


def check_plausibility(ctx: Context) -> Iterator[Problem]:
    for check in ctx.program.plausibility:
        num = ctx.data.figures.get(check.numerator)
        den = ctx.data.figures.get(check.denominator)
        if not isinstance(num, Decimal) or not isinstance(den, Decimal) or den == 0:
            continue
        ratio = num / den
        if ratio < check.min or ratio > check.max:
            n_spec, d_spec = ctx.program.figure(check.numerator), ctx.program.figure(check.denominator)
            hint = f"，{check.hint}" if check.hint else ""
            yield _issue(
                ctx,
                ConsistencyCode.IMPLAUSIBLE_MAGNITUDE,
                Severity.warning,
                f"{check.label} = {plain(num)}{n_spec.unit} ÷ {plain(den)}{d_spec.unit} = "
                f"{rounded_text(ratio)}{check.unit}，超出合理范围"
                f"{plain(check.min)}–{plain(check.max)}{check.unit}{hint}。",
                figure=check.numerator,
            )


def check_blanks(ctx: Context) -> Iterator[Problem]:
    for spec in ctx.program.figures:
        value = ctx.data.figures.get(spec.id)
        if value is None:
            yield _issue(ctx, ConsistencyCode.FIGURE_BLANK, Severity.error, f"数据项“{spec.label}”未填报。", figure=spec.id)
        elif value != NOT_APPLICABLE and isinstance(value, Decimal) and value < 0:
            yield _issue(ctx, ConsistencyCode.FIGURE_NEGATIVE, Severity.error, f"数据项“{spec.label}”为负数：{plain(value)}。",
                         figure=spec.id)


def check_narrative(ctx: Context) -> Iterator[Problem]:
    """The dataset's narrative against the evaluation (:mod:`anju.checks.narrative`)."""
    if ctx.result is None:
        return
    yield from narrative_contradictions(ctx.result, ctx.program.item_map, dict(ctx.data.figures))


CHECKS: tuple[Check, ...] = (
    check_blanks,
    check_identities,
    check_plausibility,
    check_shares,
    check_stated_percents,
    check_stated_scores,
    check_narrative,
)


def run_checks(
    framework: Framework, dataset: Dataset, evaluation: Evaluation | None = None, tolerance: Tolerance = fixed_tolerance
) -> list[Problem]:
    """Run every check over every program of ``dataset``; nothing stops at the first problem.
    ``tolerance`` decides how far a stated percentage may be from the recomputed one."""
    issues: list[Problem] = []
    for program in framework.programs:
        data = dataset.programs.get(program.id)
        if data is None:
            continue
        result = None
        if evaluation is not None:
            try:
                result = evaluation.program(program.id)
            except KeyError:
                result = None
        ctx = Context(framework, dataset, program, data, result, tolerance)
        for check in CHECKS:
            issues.extend(check(ctx))
    return issues

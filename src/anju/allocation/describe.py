"""How a method and an allocation are told to people — the same words on the command line, in the
workbook's 测算说明 sheet, in the notice and on the web."""

from __future__ import annotations

from decimal import Decimal

from anju.allocation.engine import ProgramAllocation, Share, coefficient_text
from anju.allocation.models import (
    DIFFICULTY_LABELS,
    SCORE_BASIS_LABELS,
    VOLUME_LABELS,
    FactorMethod,
    GradeBands,
    ProgramMethod,
    RelativeToMean,
    ScoreRatio,
)
from anju.allocation.rounding import TIE_BREAK
from anju.decimals import plain, round_half_up

SHOWN_PLACES = 6
PERCENT_PLACES = 4


def shown(value: Decimal, places: int = SHOWN_PLACES) -> str:
    return plain(round_half_up(value, places))


def percent(fraction: Decimal) -> str:
    return f"{shown(fraction * 100, PERCENT_PLACES)}%"


def coefficient_rule(method: FactorMethod) -> str:
    rule = method.performance_coefficient
    if rule is None:
        return "无绩效奖励"
    if isinstance(rule, ScoreRatio):
        text = f"绩效调节系数 = 上年绩效评价得分 ÷ {plain(rule.divisor)}"
    elif isinstance(rule, GradeBands):
        bands = "；".join(f"{plain(b.at_least)}分以上{('（' + b.label + '）') if b.label else ''}→{plain(b.coefficient)}"
                         for b in sorted(rule.bands, key=lambda b: b.at_least, reverse=True))
        text = f"绩效调节系数按得分分档：{bands}"
    else:
        assert isinstance(rule, RelativeToMean)
        text = "绩效调节系数 = 上年绩效评价得分 ÷ 参与分配地区的平均分"
    bounds = []
    if rule.floor is not None:
        bounds.append(f"下限{plain(rule.floor)}")
    if rule.cap is not None:
        bounds.append(f"上限{plain(rule.cap)}")
    if bounds:
        text += "（" + "，".join(bounds) + "）"
    return f"{text}〔{rule.provenance.label}〕"


def program_lines(method: FactorMethod, program: ProgramMethod) -> list[str]:
    factors = "；".join(
        f"{program.figure(f.figure).label}（{program.figure(f.figure).unit}）{plain(f.weight)}%〔{f.provenance.label}〕"
        for f in program.factors
    )
    lines = [f"{program.label}：因素 {factors}"]
    difficulty = program.fiscal_difficulty
    lines.append(f"  财政困难程度系数：{DIFFICULTY_LABELS[difficulty.applies]}〔{difficulty.provenance.label}〕")
    reward = program.reward
    if reward is None:
        lines.append("  无绩效奖励资金")
    else:
        weights = reward.score_weights(program.id)
        scores = "、".join(f"{p} {plain(w)}%" for p, w in weights.items())
        lines.append(f"  奖励资金 {plain(reward.share)}%〔{reward.provenance.label}〕；{VOLUME_LABELS[reward.volume]}"
                     f"〔{reward.volume_provenance.label}〕；所用得分：{scores}〔{reward.scores_provenance.label}〕")
    return lines


def method_lines(method: FactorMethod) -> list[str]:
    """The method in a few Chinese lines, each number with its provenance label."""
    lines = [method.label]
    if method.source:
        lines.append(f"依据：{method.source}")
    if method.note:
        lines.append(method.note)
    for program in method.programs:
        lines.extend(program_lines(method, program))
    if method.performance_coefficient is not None:
        lines.append(coefficient_rule(method))
        lines.append(f"奖励所用得分：{SCORE_BASIS_LABELS[method.score_basis]}〔{method.score_basis_provenance.label}〕")
    rounding = method.rounding
    lines.append(f"取舍：{rounding.describe()}〔{rounding.provenance.label}〕；{TIE_BREAK}。")
    if method.assumed():
        lines.append("注意：本办法中标注〔假设〕的数字不是正式文件的规定，测算结果只能作参考。")
    return lines


def share_lines(method: FactorMethod, program: ProgramAllocation, share: Share) -> list[str]:
    """The full trace of one region's money in one program."""
    program_method = program.method
    lines = [f"{share.name}（{share.code}）{program.label}：合计 {plain(share.amount)} 万元"]
    lines.append(f"  本项目下达 {plain(program.amount)} 万元：任务资金 {plain(program.task_pool)} 万元，"
                 f"奖励资金 {plain(program.reward_pool)} 万元")
    for factor in share.factors:
        weight = f"权重{plain(factor.declared_weight)}%"
        if factor.dropped:
            lines.append(f"  {factor.label}：各地均为0，{weight}并入其他因素")
            continue
        if factor.weight != factor.declared_weight:
            weight += f"（折算为{shown(factor.weight)}%）"
        line = (f"  {factor.label}：{plain(factor.quantity)}{factor.unit} ÷ 合计{plain(factor.total)}{factor.unit}"
                f" = {percent(factor.share)}，{weight}")
        if factor.adjusted is not None and factor.adjusted_total is not None and factor.exact is not None:
            line += (f"；× 财政困难程度系数 = {shown(factor.adjusted)}，占调节后合计{shown(factor.adjusted_total)}的"
                     f"{percent(factor.adjusted / factor.adjusted_total) if factor.adjusted_total else '0%'}，"
                     f"计 {shown(factor.exact)} 万元")
        lines.append(line)
    lines.append(f"  任务量指数（各因素占比按权重加权）：{percent(share.index)}")
    if share.adjusted_index is not None and share.adjusted_total is not None and share.fiscal_difficulty is not None:
        lines.append(f"  × 财政困难程度系数 {plain(share.fiscal_difficulty)} = {shown(share.adjusted_index)}；"
                     f"各地合计 {shown(share.adjusted_total)}，占 "
                     f"{percent(share.adjusted_index / share.adjusted_total) if share.adjusted_total else '0%'}")
    lines.append(f"  任务资金：计算值 {shown(share.task.exact)} 万元，取舍后 {plain(share.task_amount)} 万元"
                 + ("（按最大余额补足）" if share.task.rounded_up else ""))
    reward = share.reward_trace
    if reward is not None and share.reward is not None:
        parts = "、".join(f"{p} {plain(s)}分×{shown(w, 2)}%" for p, s, w in reward.score.parts)
        note = "（缺项按其余项目折算）" if reward.score.renormalised else "（无得分，按0分计）" if reward.score.filled_zero else ""
        lines.append(f"  上年得分：{parts} = {shown(reward.score.score)}分{note}")
        lines.append(f"  绩效调节系数：{coefficient_text(method, reward)}")
        volume = ("任务量指数 " + percent(reward.volume) if program_method.reward and program_method.reward.volume == "task_index"
                  else "1")
        lines.append(f"  系数 × {volume} = {shown(reward.weighted)}；各地合计 {shown(reward.weighted_total)}")
        lines.append(f"  奖励资金：计算值 {shown(share.reward.exact)} 万元，取舍后 {plain(share.reward_amount)} 万元"
                     + ("（按最大余额补足）" if share.reward.rounded_up else ""))
    return lines

"""Load allocation methods from YAML, strictly: every problem at once, each with file and line.

Load-time checks beyond the model: per program the factor weights and the reward share add up to
100%; every factor names a declared figure, once; figure and program ids are unique; a reward needs a
declared 绩效调节系数; the programs whose scores make a reward add up to 100%; grade bands start at 0,
rise with the score and never lower the coefficient.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from pydantic import ValidationError

from anju.allocation.models import HUNDRED, FactorMethod, GradeBands, ProgramMethod
from anju.decimals import plain
from anju.problems import AllocationCode, LoadCode, Problem, ProblemsError, at_line
from anju.yamlio import YamlDocument, YamlError, pydantic_problems, read_yaml

BUILTIN_DIR = Path(__file__).parent / "methods"

Located = tuple[tuple[int | str, ...], str, AllocationCode | LoadCode]


class MethodError(ProblemsError):
    """The allocation method could not be loaded; ``problems`` lists every reason with file and line."""


def builtin_method_ids() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


@lru_cache(maxsize=8)
def builtin_method(method_id: str) -> FactorMethod:
    """The method shipped with anju for ``method_id`` (e.g. ``"2022"``)."""
    path = BUILTIN_DIR / f"{method_id}.yaml"
    if not path.is_file():
        available = "、".join(builtin_method_ids()) or "无"
        raise MethodError([at_line(str(path), 0, f"没有内置的“{method_id}”年度分配办法（现有：{available}）",
                                   LoadCode.REFERENCE_UNKNOWN)])
    return load_method(path)


def method_arg(ref: str | Path) -> FactorMethod:
    """A method file, or the id of a built-in one."""
    path = Path(ref)
    return load_method(path) if path.suffix in {".yaml", ".yml"} or path.exists() else builtin_method(str(ref))


def load_method(path: Path | str) -> FactorMethod:
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise MethodError(exc.problems) from None
    return parse_method(doc)


def parse_method(doc: YamlDocument) -> FactorMethod:
    if not isinstance(doc.data, dict):
        raise MethodError([at_line(doc.path, 1, "分配办法文件的顶层应为键值映射")])
    try:
        method = FactorMethod.model_validate(doc.data)
    except ValidationError as exc:
        raise MethodError([_coefficient_words(p) for p in pydantic_problems(exc, doc)]) from None
    problems = [at_line(doc.path, doc.line_of(loc), message, code) for loc, message, code in method_problems(method)]
    if problems:
        raise MethodError(problems)
    return method


def _coefficient_words(problem: Problem) -> Problem:
    """The shared translator speaks of 评分规则 for every tagged union; here it is the 绩效调节系数."""
    message = problem.message.replace("评分规则类型", "绩效调节系数类型").replace("评分规则缺少 kind（规则类型）", "绩效调节系数缺少 kind（类型）")
    return problem.with_message(message)


def method_problems(method: FactorMethod) -> list[Located]:
    """Semantic checks pydantic cannot express; each is (location, Chinese message, code)."""
    problems: list[Located] = []
    ids = [p.id for p in method.programs]
    for index, program in enumerate(method.programs):
        if ids.count(program.id) > 1 and ids.index(program.id) != index:
            problems.append((("programs", index, "id"), f"项目“{program.id}”重复出现", LoadCode.INCONSISTENT))
        problems.extend(_program_problems(method, index, program))
    coefficient = method.performance_coefficient
    if isinstance(coefficient, GradeBands):
        problems.extend(_band_problems(coefficient))
    return problems


def _program_problems(method: FactorMethod, index: int, program: ProgramMethod) -> list[Located]:
    loc: tuple[int | str, ...] = ("programs", index)
    name = f"项目“{program.label}”（{program.id}）"
    problems: list[Located] = []
    figure_ids = [f.id for f in program.figures]
    for fid in sorted({f for f in figure_ids if figure_ids.count(f) > 1}):
        problems.append(((*loc, "figures"), f"{name}的因素数据项“{fid}”重复声明", LoadCode.INCONSISTENT))
    seen: set[str] = set()
    for k, factor in enumerate(program.factors):
        if factor.figure not in figure_ids:
            problems.append(((*loc, "factors", k, "figure"), f"{name}的因素引用了未声明的数据项“{factor.figure}”"
                                                           f"（已声明：{'、'.join(figure_ids)}）", AllocationCode.FIGURE_UNDECLARED))
        if factor.figure in seen:
            problems.append(((*loc, "factors", k, "figure"), f"{name}的因素“{factor.figure}”重复出现", LoadCode.INCONSISTENT))
        seen.add(factor.figure)
    total = program.task_share + program.reward_share
    if total != HUNDRED:
        parts = " + ".join(plain(f.weight) for f in program.factors)
        bonus = f" + 奖励 {plain(program.reward_share)}" if program.reward is not None else ""
        problems.append(((*loc, "factors"), f"{name}的因素权重与奖励比例合计为 {plain(total)}%（{parts}{bonus}），应为 100%",
                         AllocationCode.WEIGHTS_NOT_100))
    reward = program.reward
    if reward is not None:
        if method.performance_coefficient is None:
            problems.append(((*loc, "reward"), f"{name}有奖励资金，但分配办法没有声明绩效调节系数 performance_coefficient",
                             AllocationCode.COEFFICIENT_MISSING))
        weights = reward.score_weights(program.id)
        for score_program in weights:
            if score_program not in method.program_ids and score_program not in method.score_labels:
                problems.append(((*loc, "reward", "scores"), f"{name}奖励所用得分的项目“{score_program}”既不是本办法的项目，"
                                 "也没有在 score_labels 中声明名称", AllocationCode.FIGURE_UNDECLARED))
        score_total = sum(weights.values(), Decimal(0))
        if score_total != HUNDRED:
            problems.append(((*loc, "reward", "scores"), f"{name}奖励所用各项目得分的权重合计为 {plain(score_total)}%，应为 100%",
                             AllocationCode.SCORE_WEIGHTS_NOT_100))
    return problems


def _band_problems(coefficient: GradeBands) -> list[Located]:
    loc: tuple[int | str, ...] = ("performance_coefficient", "bands")
    bands = coefficient.bands
    problems: list[Located] = []
    if min(b.at_least for b in bands) != 0:
        problems.append((loc, "绩效调节系数分档须有一档从 0 分起（at_least: 0），否则低分地区没有系数", AllocationCode.BANDS_INVALID))
    ordered = sorted(bands, key=lambda b: b.at_least)
    for lower, upper in pairwise(ordered):
        if lower.at_least == upper.at_least:
            problems.append((loc, f"绩效调节系数分档的起点 {plain(upper.at_least)} 分重复", AllocationCode.BANDS_INVALID))
        elif upper.coefficient < lower.coefficient:
            problems.append((loc, f"绩效调节系数分档：{plain(upper.at_least)} 分以上的系数 {plain(upper.coefficient)} 低于"
                                  f"{plain(lower.at_least)} 分以上的 {plain(lower.coefficient)}（得分越高系数不能越低）",
                             AllocationCode.BANDS_INVALID))
    return problems


def method_json_schema() -> str:
    """JSON Schema of an allocation method file, for editors."""
    return json.dumps(FactorMethod.model_json_schema(), ensure_ascii=False, indent=2)

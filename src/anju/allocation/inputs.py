"""Allocation inputs: who receives, how much there is, and each region's quantities, coefficient and
scores — read strictly from YAML (or built by the Excel import) and resolved into what the engine
takes.

A file (paths inside it are relative to it)::

    title: 2023年中央财政城镇保障性安居工程补助资金分配测算（示例数据）
    year: 2023               # the funds' year
    scores_year: 2022        # the evaluation the reward uses
    level: province          # province (central → provinces), prefecture or county
    region: "220000"         # the allocating province (prefecture and county levels)
    issuer: 财政部
    amounts: {rental: 100000, renovation: 80000, shantytown: 60000}   # 万元
    units: ../jilin-2022/units.yaml       # optional: quantities from the units' reports
    judgements_from: ../jilin-2022        # optional: score each region from its units' figures
    regions:
      "220000":
        name: 吉林省
        fiscal_difficulty: 0.92
        quantities: {renovation: {planned_area: 1000000, …}, …}
        scores: {rental: 88, renovation: 85}
        evaluation: ../jilin-2022          # or an evaluation .json written by anju evaluate

Scores typed in and scores taken from an evaluation must agree; quantities come either from the file
or from the units' reports, never both for the same program.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from anju.allocation.engine import RegionData
from anju.allocation.models import SCORE_BASIS_LABELS, FactorMethod, ScoreBasis
from anju.allocation.provinces import TOP_LEVEL
from anju.collect.aggregate import aggregate_units
from anju.collect.regions import RegionError, RegionTree, RegionUnit, builtin_region_tree
from anju.collect.units import UnitsError, UnitsFile, load_units
from anju.dataset import DatasetError, load_dataset
from anju.dataset.models import NOT_APPLICABLE, Dataset, FigureValue, ProgramData
from anju.dataset.models import Region as DatasetRegion
from anju.decimals import plain
from anju.framework import FrameworkError, builtin_framework
from anju.framework.models import Framework, ProgramId
from anju.problems import AllocationCode, LoadCode, Problem, ProblemsError, Severity, Where, at_line
from anju.scoring import Evaluation, EvaluationError, evaluate
from anju.yamlio import YamlDocument, dump_yaml, read_model

Level = Literal["province", "prefecture", "county"]
LEVEL_LABELS: dict[str, str] = {"province": "省级", "prefecture": "地级", "county": "县级"}
Code = Annotated[str, Field(pattern=r"^\d{6}$")]
ZERO = Decimal(0)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegionInput(_Strict):
    name: str | None = None
    fiscal_difficulty: Annotated[Decimal, Field(gt=0)] | None = None
    quantities: dict[ProgramId, dict[str, Annotated[Decimal, Field(ge=0)] | None]] = Field(default_factory=dict)
    scores: dict[ProgramId, Annotated[Decimal, Field(ge=0, le=100)]] = Field(default_factory=dict)
    evaluation: str | None = None
    """A dataset (directory or file) anju evaluates, or an evaluation .json, whose scores are used."""


class AllocationInputs(_Strict):
    title: str | None = None
    note: str | None = None
    year: int
    scores_year: int | None = None
    method: str | None = None
    issuer: str | None = None
    """发文机关 (财政部, 吉林省财政厅 …)."""
    recipients: str | None = None
    """主送 (各省、自治区、直辖市财政厅（局）…); derived from the level when absent."""
    copy_to: str | None = None
    region: Code | None = None
    level: Level
    score_basis: ScoreBasis = "self_assessed"
    amounts: dict[ProgramId, Annotated[Decimal, Field(ge=0)]] = Field(min_length=1)
    units: str | None = None
    judgements_from: str | None = None
    regions: dict[str, RegionInput] = Field(default_factory=dict)

    @field_validator("regions", mode="before")
    @classmethod
    def _codes_as_text(cls, raw: Any) -> Any:
        """An unquoted code (220100) is read as a number; take it as the code it spells."""
        if not isinstance(raw, dict):
            return raw
        return {str(key): ({} if value is None else value) for key, value in raw.items()}


class InputsError(ProblemsError):
    """The inputs could not be read or resolved; every problem names the file and line."""


@dataclass(frozen=True)
class Resolved:
    """Inputs ready for the engine, with the evaluations found on the way."""

    inputs: AllocationInputs
    path: str
    regions: tuple[RegionData, ...]
    evaluations: dict[str, Evaluation] = field(default_factory=dict)
    framework: Framework | None = None
    notes: tuple[Problem, ...] = ()

    @property
    def amounts(self) -> dict[str, Decimal]:
        return dict(self.inputs.amounts)

    @property
    def recipients(self) -> str:
        return self.inputs.recipients or default_recipients(self.inputs.level)

    @property
    def issuer(self) -> str:
        return self.inputs.issuer or ("财政部" if self.inputs.level == "province" else "省财政厅")


def default_recipients(level: str) -> str:
    return {
        "province": "各省、自治区、直辖市财政厅（局）",
        "prefecture": "各市（州）财政局",
        "county": "各市（州）、县（市、区）财政局",
    }[level]


# --- reading --------------------------------------------------------------------------------


def read_inputs(path: Path | str) -> tuple[AllocationInputs, YamlDocument]:
    return read_model(path, AllocationInputs, InputsError, "分配测算输入文件")


def load_inputs(path: Path | str, method: FactorMethod, trees: Mapping[str, RegionTree] | None = None) -> Resolved:
    """Read an inputs file and resolve it against ``method`` (and the region tree of its province)."""
    inputs, doc = read_inputs(path)
    return resolve(inputs, method, doc, base=Path(path).resolve().parent, trees=trees)


class _Locator:
    """Lines of keys in the inputs file (0 when the inputs were not read from YAML)."""

    def __init__(self, doc: YamlDocument | None, display: str) -> None:
        self.doc = doc
        self.file = doc.path if doc is not None else display

    def line(self, *loc: int | str) -> int:
        return self.doc.line_of(loc) if self.doc is not None else 0

    def error(self, message: str, *loc: int | str, code: AllocationCode | LoadCode = LoadCode.REFERENCE_UNKNOWN) -> Problem:
        return at_line(self.file, self.line(*loc), message, code)


@dataclass(frozen=True)
class Supplied:
    """The units' reports and the evaluators' judgements handed over in memory (the web system's
    collected data) instead of the ``units`` and ``judgements_from`` files."""

    units: UnitsFile
    judged: Dataset | None = None
    label: str = "已收集的各单位填报"


def resolve(
    inputs: AllocationInputs,
    method: FactorMethod,
    doc: YamlDocument | None = None,
    *,
    base: Path | None = None,
    trees: Mapping[str, RegionTree] | None = None,
    display: str = "分配测算输入",
    supplied: Supplied | None = None,
) -> Resolved:
    """The engine's regions from ``inputs``: recipients checked against the level and the region
    tree, quantities from the file or the units' reports, scores from the file or evaluations."""
    at = _Locator(doc, display)
    here = base or Path.cwd()
    problems: list[Problem] = []
    problems += _program_problems(inputs, method, at)
    tree = _tree(inputs, at, trees, problems)
    recipients = _recipients(inputs, tree, at, problems)
    wants_units = bool(inputs.units or inputs.judgements_from or supplied)
    framework = _framework(inputs, method, at, problems) if wants_units else None
    from_units: dict[str, dict[str, dict[str, FigureValue]]] = {}
    units: UnitsFile | None = supplied.units if supplied is not None else None
    if inputs.units and framework is not None and tree is not None and not problems:
        units = _units(here / inputs.units, framework, tree, at, problems)
    if units is not None and framework is not None and tree is not None and not problems:
        from_units = _unit_figures(inputs, units, framework, tree, list(recipients))
    evaluations: dict[str, Evaluation] = {}
    notes: list[Problem] = []
    if not problems:
        sources = _Sources(framework, units, from_units, supplied.judged if supplied is not None else None)
        evaluations = _evaluations(inputs, recipients, here, sources, at=at, problems=problems, notes=notes)
    regions: list[RegionData] = []
    for code, name in recipients.items():
        region = inputs.regions.get(code, RegionInput())
        quantities = _quantities(inputs, method, code, region, unit_figures=from_units.get(code), at=at, problems=problems)
        scores = _scores(code, name, region, evaluations.get(code), at=at, problems=problems)
        regions.append(RegionData(code, name, region.fiscal_difficulty, quantities, scores))
    if problems:
        raise InputsError(problems)
    if method.performance_coefficient is not None and inputs.score_basis != method.score_basis:
        notes.append(Problem(AllocationCode.SCORE_BASIS_DIFFERS, Severity.warning,
                             f"分配办法使用{SCORE_BASIS_LABELS[method.score_basis]}，本次输入的是"
                             f"{SCORE_BASIS_LABELS[inputs.score_basis]}：结果只能作测算参考",
                             Where(file=at.file, line=at.line("score_basis"))))
    return Resolved(inputs, at.file, tuple(regions), evaluations, framework, tuple(notes))


def _program_problems(inputs: AllocationInputs, method: FactorMethod, at: _Locator) -> list[Problem]:
    problems: list[Problem] = []
    available = "、".join(f"{p.id}（{p.label}）" for p in method.programs)
    for program_id in inputs.amounts:
        if program_id not in method.program_ids:
            problems.append(at.error(f"分配办法“{method.label}”没有项目“{program_id}”（有：{available}）",
                                     "amounts", program_id, code=AllocationCode.PROGRAM_UNKNOWN))
    for code, region in inputs.regions.items():
        for program_id, figures in region.quantities.items():
            if program_id not in method.program_ids:
                problems.append(at.error(f"地区“{code}”：分配办法没有项目“{program_id}”（有：{available}）",
                                         "regions", code, "quantities", program_id, code=AllocationCode.PROGRAM_UNKNOWN))
                continue
            program = method.program(program_id)
            known = [f.id for f in program.figures]
            for figure in figures:
                if figure not in known:
                    problems.append(at.error(f"地区“{code}”{program.label}：分配办法没有因素“{figure}”（有：{'、'.join(known)}）",
                                             "regions", code, "quantities", program_id, figure,
                                             code=AllocationCode.FIGURE_UNDECLARED))
    return problems


def _tree(inputs: AllocationInputs, at: _Locator, trees: Mapping[str, RegionTree] | None,
          problems: list[Problem]) -> RegionTree | None:
    if inputs.level == "province":
        if inputs.region is not None:
            problems.append(at.error("省级分配（level: province）由中央分配到各省，不应给出 region", "region",
                                     code=AllocationCode.REGION_LEVEL))
        return None
    if inputs.region is None:
        problems.append(at.error(f"{LEVEL_LABELS[inputs.level]}分配须给出分配资金的省 region（6位代码）", "level",
                                 code=AllocationCode.REGION_LEVEL))
        return None
    if trees is not None and inputs.region in trees:
        return trees[inputs.region]
    try:
        return builtin_region_tree(inputs.region)
    except RegionError as exc:
        problems.extend(p.with_where(file=at.file, line=at.line("region")) for p in exc.problems)
        return None


def recipients_of(level: str, tree: RegionTree | None, year: int) -> dict[str, str]:
    """Every region that can receive at ``level``: the provinces (with the 计划单列市 and 兵团), a
    province's prefectures, or every reporting unit of a province (its prefectures' own reports and its counties)."""
    if level == "province":
        return dict(TOP_LEVEL)
    assert tree is not None
    if level == "prefecture":
        return {u.code: u.name for u in tree.children(tree.code, year)}
    return {u.code: u.display_name for u in tree.reporting_units(year)}


def _recipients(inputs: AllocationInputs, tree: RegionTree | None, at: _Locator, problems: list[Problem]) -> dict[str, str]:
    if inputs.level != "province" and tree is None:
        return {}
    possible = recipients_of(inputs.level, tree, inputs.year)
    if not inputs.regions:
        if inputs.level == "province":
            problems.append(at.error("中央分配须列出参与分配的省 regions", "regions", code=AllocationCode.NO_REGIONS))
        return possible
    chosen: dict[str, str] = {}
    where = tree.name if tree is not None else "全国"
    for code, region in inputs.regions.items():
        if code not in possible:
            problems.append(at.error(_unknown_code(inputs.level, tree, code, inputs.year), "regions", code,
                                     code=AllocationCode.REGION_UNKNOWN if tree is None or code not in tree
                                     else AllocationCode.REGION_LEVEL))
            continue
        known = possible[code]
        if region.name is not None and region.name not in {known, *_names(tree, code)}:
            problems.append(at.error(f"地区代码“{code}”是{where}的“{known}”，而名称写作“{region.name}”：请核对代码或名称",
                                     "regions", code, "name", code=AllocationCode.REGION_UNKNOWN))
        chosen[code] = known
    return chosen


def _names(tree: RegionTree | None, code: str) -> set[str]:
    if tree is None or code not in tree:
        return set()
    unit: RegionUnit = tree.unit(code)
    return {unit.name, unit.display_name, *unit.aliases}


def _unknown_code(level: str, tree: RegionTree | None, code: str, year: int) -> str:
    if tree is None:
        return f"“{code}”不是省级行政区划代码（中央分配的地区须为31个省、自治区、直辖市，5个计划单列市或新疆生产建设兵团之一）"
    if code not in tree:
        return f"地区代码“{code}”不在{tree.name}行政区划表中"
    unit = tree.unit(code)
    if not unit.valid_in(year):
        return f"{unit}在{year}年已不使用"
    if level == "prefecture":
        return f"{unit}不是{tree.name}直接管辖的地级单位，不能参与地级分配"
    return f"{unit}不单独报表，不能参与县级分配（其数据由下级汇总）"


def _framework(inputs: AllocationInputs, method: FactorMethod, at: _Locator, problems: list[Problem]) -> Framework | None:
    key = "units" if inputs.units else "judgements_from"
    if method.framework is None:
        problems.append(at.error(f"分配办法“{method.label}”没有声明所依据的指标体系 framework，"
                                 "无法从各单位报表取得因素或计分", key, code=AllocationCode.SOURCE_CONFLICT))
        return None
    try:
        return builtin_framework(method.framework)
    except FrameworkError as exc:
        problems.extend(exc.problems)
        return None


def _units(path: Path, framework: Framework, tree: RegionTree, at: _Locator, problems: list[Problem]) -> UnitsFile | None:
    try:
        return load_units(path, framework, tree)
    except UnitsError as exc:
        problems.extend(exc.problems)
        return None


def _unit_figures(inputs: AllocationInputs, units: UnitsFile, framework: Framework, tree: RegionTree,
                  codes: list[str]) -> dict[str, dict[str, dict[str, FigureValue]]]:
    """Figures per recipient: the subtree totals of a prefecture, or a reporting unit's own report."""
    if inputs.level == "prefecture":
        totals = aggregate_units(framework, tree, units).totals
        return {code: totals.get(code, {}) for code in codes}
    out: dict[str, dict[str, dict[str, FigureValue]]] = {}
    for code in codes:
        report = units.units.get(code)
        programs: dict[str, dict[str, FigureValue]] = {}
        for program in framework.programs:
            data = report.program(program.id) if report is not None else None
            if data is not None and data.no_task:
                programs[program.id] = {f.id: NOT_APPLICABLE for f in program.figures}
            elif data is not None:
                programs[program.id] = dict(data.figures)
        out[code] = programs
    return out


def _quantities(inputs: AllocationInputs, method: FactorMethod, code: str, region: RegionInput, *,
                unit_figures: dict[str, dict[str, FigureValue]] | None, at: _Locator,
                problems: list[Problem]) -> dict[str, dict[str, Decimal | None]]:
    quantities: dict[str, dict[str, Decimal | None]] = {p: dict(v) for p, v in region.quantities.items()}
    if unit_figures is None:
        return quantities
    for program_id in inputs.amounts:
        if program_id not in method.program_ids:
            continue
        if program_id in quantities:
            problems.append(at.error(f"地区“{code}”{method.program(program_id).label}的因素既在本文件中填写，又由各单位报表"
                                     f"（{inputs.units or '已收集的填报'}）提供：请只保留一处", "regions", code, "quantities", program_id,
                                     code=AllocationCode.SOURCE_CONFLICT))
            continue
        figures = unit_figures.get(program_id, {})
        taken: dict[str, Decimal | None] = {}
        for factor in method.program(program_id).factors:
            value = figures.get(factor.figure)
            taken[factor.figure] = ZERO if value == NOT_APPLICABLE else value if isinstance(value, Decimal) else None
        quantities[program_id] = taken
    return quantities


def _scores(code: str, name: str, region: RegionInput, evaluation: Evaluation | None, *, at: _Locator,
            problems: list[Problem]) -> dict[str, Decimal]:
    scores = dict(region.scores)
    if evaluation is None:
        return scores
    for program in evaluation.programs:
        typed = scores.get(program.id)
        if typed is not None and typed != program.score:
            problems.append(at.error(f"{name}（{code}）{program.label}得分在本文件中为{plain(typed)}分，"
                                     f"而评价结果为{plain(program.score)}分：请只保留一处或改为一致",
                                     "regions", code, "scores", program.id, code=AllocationCode.SOURCE_CONFLICT))
        scores[program.id] = program.score
    return scores


# --- evaluations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sources:
    """Where evaluations may come from besides the regions' own ``evaluation`` files."""

    framework: Framework | None
    units: UnitsFile | None
    unit_figures: Mapping[str, dict[str, dict[str, FigureValue]]]
    judged: Dataset | None = None


def _evaluations(
    inputs: AllocationInputs, recipients: Mapping[str, str], here: Path, sources: _Sources, *, at: _Locator,
    problems: list[Problem], notes: list[Problem],
) -> dict[str, Evaluation]:
    framework, units, unit_figures = sources.framework, sources.units, sources.unit_figures
    found: dict[str, Evaluation] = {}
    for code, region in inputs.regions.items():
        if region.evaluation is None or code not in recipients:
            continue
        evaluation = read_evaluation(here / region.evaluation, at, ("regions", code, "evaluation"), problems)
        if evaluation is None:
            continue
        if evaluation.region_code != code:
            problems.append(at.error(f"地区“{code}”的评价结果属于{evaluation.region_name}（{evaluation.region_code}）",
                                     "regions", code, "evaluation", code=AllocationCode.SOURCE_CONFLICT))
            continue
        found[code] = evaluation
    if inputs.judgements_from and units is None:
        problems.append(at.error("judgements_from（按各单位报表计分）须与 units（各单位报表）一起给出", "judgements_from",
                                 code=AllocationCode.SOURCE_CONFLICT))
    judged = sources.judged
    if judged is None and inputs.judgements_from and framework is not None and units is not None:
        judged = _read_dataset(here / inputs.judgements_from, framework, at, problems)
    if framework is not None and units is not None and judged is not None:
        lenient = unit_framework(framework)
        notes.append(Problem(AllocationCode.EVALUATION_UNAVAILABLE, Severity.advisory, UNIT_SCORING_NOTE,
                             Where(file=at.file, line=at.line("judgements_from"))))
        for code, name in recipients.items():
            if code in found:
                continue
            evaluation, why = unit_evaluation(lenient, judged, code, name, year=units.year,
                                              figures=unit_figures.get(code, {}))
            notes.extend(p.with_where(unit=code) for p in why)
            if evaluation is not None:
                found[code] = evaluation
    return found


def read_evaluation(path: Path, at: _Locator, loc: tuple[int | str, ...], problems: list[Problem]) -> Evaluation | None:
    """An evaluation .json written by ``anju evaluate``, or a dataset evaluated on the spot."""
    if path.suffix == ".json":
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            return Evaluation.model_validate(payload.get("evaluation", payload) if isinstance(payload, dict) else payload)
        except FileNotFoundError:
            problems.append(at.error(f"评价结果文件不存在：{path}", *loc, code=LoadCode.FILE_MISSING))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
            problems.append(at.error(f"不是 anju 的评价结果文件（{path.name}）：{type(exc).__name__}", *loc,
                                     code=LoadCode.FILE_UNREADABLE))
        return None
    try:
        dataset, framework = load_dataset(path)
        return evaluate(framework, dataset)
    except (DatasetError, FrameworkError, EvaluationError) as exc:
        problems.append(at.error(f"评价数据 {path} 无法计分（{len(exc.problems)} 处问题）：{exc.problems[0]}", *loc,
                                 code=AllocationCode.EVALUATION_UNAVAILABLE))
        return None


def _read_dataset(path: Path, framework: Framework, at: _Locator, problems: list[Problem]) -> Dataset | None:
    try:
        return load_dataset(path, framework)[0]
    except (DatasetError, FrameworkError) as exc:
        problems.extend(exc.problems)
        problems.append(at.error(f"无法读取评价判断所在的数据集 {path}", "judgements_from", code=LoadCode.FILE_UNREADABLE))
        return None


UNIT_SCORING_NOTE = ("各地上年得分由其报表数据按指标体系计分：定性指标沿用 judgements_from 数据集中评价人员的判断，"
                     "本地不适用或分母为0的指标按满分计（假设）")


def unit_framework(framework: Framework) -> Framework:
    """``framework`` with every metric rule scoring full marks where it does not apply to a unit
    (不适用, or a zero denominator: no public housing planned, not a 地级及以上城市 …)."""
    data = framework.model_dump(mode="python")
    for program in data["programs"]:
        stack = list(program["dimensions"])
        while stack:
            item = stack.pop()
            stack.extend(item.get("children") or [])
            rule = item.get("rule")
            if rule is not None and "metric" in rule:
                rule["if_zero_denominator"] = "full"
                rule["if_not_applicable"] = "full"
    data["id"] = framework.id
    return Framework.model_validate(data)


def unit_evaluation(
    framework: Framework, judged: Dataset, code: str, name: str, *, year: int, figures: Mapping[str, dict[str, FigureValue]],
) -> tuple[Evaluation | None, list[Problem]]:
    """Score one region from its units' figures, with the evaluators' judgements of ``judged`` (the
    province's) for the items figures cannot decide. A program that cannot be scored (blank figures,
    no task) is left out and said so."""
    programs = {
        pid: ProgramData(figures=dict(values), judgements=dict(judged.programs[pid].judgements))
        for pid, values in figures.items()
        if pid in judged.programs and any(v != NOT_APPLICABLE for v in values.values())  # all 不适用: no task
    }
    why: list[Problem] = []
    while programs:
        dataset = Dataset(region=DatasetRegion(code=code, name=name), year=year, framework=framework.id,
                          as_of=judged.as_of, programs=programs)
        try:
            return evaluate(framework, dataset), why
        except EvaluationError as exc:
            failed = {p.where.program for p in exc.problems if p.where.program} or set(programs)
            for program_id in sorted(failed):
                label = framework.program(program_id).label
                first = next((p.message for p in exc.problems if p.where.program == program_id), "")
                why.append(Problem(AllocationCode.EVALUATION_UNAVAILABLE, Severity.advisory,
                                   f"{name}（{code}）{label}无法由报表计分，未取得得分：{first}",
                                   Where(program=program_id, unit=code)))
                programs.pop(program_id, None)
    return None, why


def locate(problems: list[Problem], resolved_path: str, doc: YamlDocument | None) -> list[Problem]:
    """Give the engine's problems (which name region, program and figure) the file and line of the
    value in the inputs file."""
    if doc is None:
        return problems
    out: list[Problem] = []
    for problem in problems:
        where = problem.where
        if where.file is not None or where.unit is None:
            out.append(problem if where.file else problem.with_where(file=resolved_path))
            continue
        loc: tuple[int | str, ...] = ("regions", where.unit)
        if where.figure and where.program:
            loc = (*loc, "quantities", where.program, where.figure)
        elif problem.code in {AllocationCode.DIFFICULTY_MISSING, AllocationCode.DIFFICULTY_INVALID}:
            loc = (*loc, "fiscal_difficulty")
        elif where.program:
            loc = (*loc, "scores")
        out.append(problem.with_where(file=resolved_path, line=doc.line_of(loc)))
    return out


def inputs_to_data(inputs: AllocationInputs) -> dict[str, Any]:
    data = inputs.model_dump(mode="python", exclude_none=True)
    for region in data.get("regions", {}).values():
        for key in ("quantities", "scores"):
            if not region.get(key):
                region.pop(key, None)
    return data


def dump_inputs(inputs: AllocationInputs, header: str | None = None) -> str:
    return dump_yaml(inputs_to_data(inputs), header)

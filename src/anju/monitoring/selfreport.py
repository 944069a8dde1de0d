"""The content of the self-evaluation report (绩效自评报告), built from the targets, the monitoring
rounds and the year-end evaluation — nothing typed by hand.

The report has exactly the four parts the 评价报告报送 item asks for (:data:`PART_TITLES`):

1. 绩效目标分解下达情况 — how the targets were issued (date, 文号, funds) and broken down, per
   program: the 年度总体目标, the indicators, the breakdown to the prefectures;
2. 绩效目标完成情况分析 — per program: budget execution at year end, and each indicator's target
   against its actual value (from the evaluation: a linked figure, the linked item's metric, or for
   a 定性 target whether the linked item scored in full);
3. 偏离绩效目标的原因和下一步改进措施 — per program: each monitoring round's deviations with the
   units' reasons and correction measures (grouped, most frequent first), and every indicator below
   its target at year end, with the points it cost;
4. 绩效自评结果 — the scores of the evaluation.

A writer (:mod:`anju.adapters.monitoring.selfreport`) turns the content into a document.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from anju.collect.regions import RegionTree
from anju.dataset.models import Dataset
from anju.dates import as_of_text, chinese_date
from anju.decimals import plain, round_half_up
from anju.framework.models import Framework
from anju.monitoring.engine import RoundAssessment, Warning, execution_item
from anju.monitoring.models import Monitoring
from anju.scoring.result import Evaluation, ItemResult, ProgramResult
from anju.targets.models import Comparison, Dimension, Indicator, ProgramTargets, Targets

PART_TITLES = ("绩效目标分解下达情况", "绩效目标完成情况分析", "偏离绩效目标的原因和下一步改进措施", "绩效自评结果")
NUMERALS = "一二三四五六七八九十"
MOST_REASONS = 3
"""Distinct reasons (and measures) quoted per round and program, most frequent first."""


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    total: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Section:
    """A （一） heading with its paragraphs and tables, in order."""

    heading: str
    blocks: list[str | Table] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    heading: str
    """一、绩效目标分解下达情况 …"""
    lead: list[str]
    sections: list[Section]


@dataclass(frozen=True)
class Completion:
    """One indicator's target against its actual value at year end."""

    program: str
    indicator: Indicator
    target_text: str
    actual: Decimal | None
    actual_text: str
    met: bool | None
    """None when the actual cannot be read from the evaluation (a 定性 target without an item)."""
    item: ItemResult | None


@dataclass(frozen=True)
class SelfReport:
    title: str
    region: str
    year: int
    opening: str
    parts: list[Part]
    completions: list[Completion]
    evaluation: Evaluation
    notes: list[str] = field(default_factory=list)
    """What the finance official must still write or confirm."""
    deviations: dict[tuple[str, str], str] = field(default_factory=dict)
    """(program, indicator label) → 偏差原因分析及改进措施 of an indicator below target, from the units'
    reasons and measures in the monitoring rounds (for the 区域绩效自评表)."""


def _numbered(index: int) -> str:
    return NUMERALS[index] if index < len(NUMERALS) else str(index + 1)


def _item(program: ProgramResult, path: str | None) -> ItemResult | None:
    if path is None:
        return None
    try:
        return program.item(path)
    except KeyError:
        return None


def completion(program_id: str, indicator: Indicator, dataset: Dataset, program: ProgramResult) -> Completion:
    item = _item(program, indicator.item)
    target_text = indicator.value_text()
    if indicator.comparison is Comparison.qualitative:
        if item is None:
            return Completion(program_id, indicator, target_text, None, "须人工填写", None, None)
        full = item.score == item.points
        text = "达到目标" if full else f"部分达到（“{item.label}”得{plain(item.score)}分，满分{plain(item.points)}分）"
        return Completion(program_id, indicator, target_text, None, text, full, item)
    actual: Decimal | None = None
    if indicator.figure is not None:
        value = dataset.figure(program_id, indicator.figure)
        actual = value if isinstance(value, Decimal) else None
    elif item is not None and item.metric is not None and item.metric.value is not None:
        actual = round_half_up(item.metric.value, 2)
    if actual is None:
        return Completion(program_id, indicator, target_text, None, "须人工填写", None, item)
    return Completion(program_id, indicator, target_text, actual, f"{plain(actual)}{indicator.unit}",
                      indicator.met(actual), item)


def _indicator_list(targets: ProgramTargets) -> str:
    parts = []
    for dimension in Dimension:
        rows = [i for i in targets.indicators if i.dimension is dimension]
        if rows:
            listed = "、".join(f"{i.label}（{i.text}）" if i.comparison is Comparison.qualitative
                               else f"{i.label}{i.value_text()}" for i in rows)
            parts.append(f"{dimension.label}：{listed}")
    return "；".join(parts) + "。"


def _breakdown_table(label: str, targets: ProgramTargets, tree: RegionTree) -> Table | None:
    columns = [i for i in targets.indicators if i.adds_up]
    if not columns or not targets.prefectures:
        return None
    rows = [(tree.unit(code).name, *(plain(parts.get(i.id, Decimal(0))) for i in columns))
            for code, parts in targets.prefectures.items()]
    total = ("合计", *(plain(i.value) if i.value is not None else "" for i in columns))  # adds_up: value is set
    headers = ("市（州）", *(f"{i.label}（{i.unit}）" for i in columns))
    return Table(f"{label}绩效目标分解表", headers, rows, total)


def _part_one(targets: Targets, framework: Framework, tree: RegionTree) -> Part:
    issued = targets.issued
    funds = [p.funds for p in targets.programs.values() if p.funds is not None]
    funds_text = f"中央财政城镇保障性安居工程补助资金{plain(sum(funds, Decimal(0)))}万元，" if funds else ""
    title = f"《{issued.title.removesuffix('（示例）')}》" if issued.title else "资金文件"
    lead = [f"{chinese_date(issued.date)}，省财政厅会同省住房和城乡建设厅印发{title}（{issued.document}），"
            f"下达{targets.year}年度{funds_text}同时将区域绩效目标随同指标文件一同下发，"
            "并要求各地将绩效目标细化分解到具体项目。"]
    sections = []
    for index, (program_id, program_targets) in enumerate(targets.programs.items()):
        label = framework.program(program_id).label
        blocks: list[str | Table] = []
        funds_line = f"下达资金{plain(program_targets.funds)}万元。" if program_targets.funds is not None else ""
        blocks.append(f"{funds_line}年度总体目标：{program_targets.overall}")
        blocks.append(f"主要绩效指标为，{_indicator_list(program_targets)}")
        adds_up = [i for i in program_targets.indicators if i.adds_up]
        if adds_up and (program_targets.prefectures or program_targets.units):
            reach = "、".join(x for x in (
                f"{len(program_targets.prefectures)}个市（州）" if program_targets.prefectures else "",
                f"{len(program_targets.units)}个报表单位" if program_targets.units else "") if x)
            names = "、".join(i.label for i in adds_up)
            blocks.append(f"{names}等数量指标已分解下达到{reach}，各地分解目标合计与全省目标一致。")
            table = _breakdown_table(label, program_targets, tree)
            if table is not None:
                blocks.append(table)
        sections.append(Section(f"（{_numbered(index)}）{label}", blocks))
    return Part(f"一、{PART_TITLES[0]}", lead, sections)


def _execution_sentence(program: ProgramResult, dataset: Dataset, monitoring: Monitoring | None,
                        framework: Framework, as_of: str) -> tuple[str, ItemResult | None]:
    if monitoring is None or program.id not in monitoring.programs:
        return "", None
    figures = monitoring.programs[program.id]
    spec = execution_item(framework.program(program.id), figures.budget, figures.spent)
    item = next((i for i in program.items() if spec is not None and i.id == spec.id and i.metric is not None), None)
    budget, spent = dataset.figure(program.id, figures.budget), dataset.figure(program.id, figures.spent)
    if not isinstance(budget, Decimal) or not isinstance(spent, Decimal) or item is None or item.metric is None \
            or item.metric.value is None:
        return "", item
    rate = round_half_up(item.metric.value, 1)
    return (f"截至{as_of}，中央财政补助资金预算{plain(budget)}万元，实际支出{plain(spent)}万元，预算执行率{plain(rate)}%，"
            f"“{item.label}”指标得{plain(item.score)}分（满分{plain(item.points)}分）。"), item


def _completion_table(label: str, rows: Sequence[Completion]) -> Table:
    body = []
    for row in rows:
        status = "—" if row.met is None else ("完成" if row.met else "未完成")
        body.append((row.indicator.dimension.label, row.indicator.category.label, row.indicator.label,
                     row.target_text, row.actual_text, status))
    return Table(f"{label}绩效目标完成情况表", ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "完成情况"), body)


def _part_two(targets: Targets, framework: Framework, dataset: Dataset, evaluation: Evaluation,
              monitoring: Monitoring | None) -> tuple[Part, list[Completion]]:
    as_of = as_of_text(evaluation.year, evaluation.as_of)
    sections = []
    completions: list[Completion] = []
    for index, (program_id, program_targets) in enumerate(targets.programs.items()):
        program = evaluation.program(program_id)
        rows = [completion(program_id, i, dataset, program) for i in program_targets.indicators]
        completions.extend(rows)
        blocks: list[str | Table] = []
        sentence, _ = _execution_sentence(program, dataset, monitoring, framework, as_of)
        if sentence:
            blocks.append(sentence)
        met = [r for r in rows if r.met]
        missed = [r for r in rows if r.met is False]
        summary = f"设定的{len(rows)}项绩效指标中，{len(met)}项完成年度指标值"
        if missed:
            summary += f"，{len(missed)}项未完成（{'、'.join(r.indicator.label for r in missed)}）"
        open_rows = [r for r in rows if r.met is None]
        if open_rows:
            summary += f"，{len(open_rows)}项须人工填写完成情况（{'、'.join(r.indicator.label for r in open_rows)}）"
        blocks.append(summary + "。")
        for row in rows:
            if row.actual is not None:
                blocks.append(f"{row.indicator.label}：年度指标值{row.target_text}，实际完成{row.actual_text}，"
                              f"{'完成' if row.met else '未完成'}年度目标。")
        blocks.append(_completion_table(program.label, rows))
        sections.append(Section(f"（{_numbered(index)}）{program.label}", blocks))
    lead = [f"年度终了，省财政厅会同省住房和城乡建设厅组织市县开展绩效自评，数据截至{as_of}。"]
    return Part(f"二、{PART_TITLES[1]}", lead, sections), completions


def _grouped(warnings: Sequence[Warning], attribute: str, counted: bool = True) -> str:
    """The distinct reasons (or measures) of ``warnings``, most frequent first, with how many units gave each."""
    counts = Counter(getattr(w, attribute).strip().rstrip("。") for w in warnings if getattr(w, attribute).strip())
    return "；".join(f"{text}（{n}个单位）" if n > 1 and counted else text for text, n in counts.most_common(MOST_REASONS))


def _round_sentences(program_id: str, assessment: RoundAssessment) -> list[str]:
    status = assessment.total.programs.get(program_id)
    warnings = [w for w in assessment.warnings if w.program == program_id]
    day = chinese_date(assessment.date)
    out = []
    head = f"{day}绩效运行监控："
    if status is not None and status.execution is not None and status.execution.rate is not None:
        execution = status.execution  # the rate is read through ``status`` for the narrowing
        behind = execution.behind or Decimal(0)
        gap = f"落后时序进度（{plain(assessment.time_progress)}%）{plain(behind)}个百分点" if behind > 0 else \
            f"快于时序进度（{plain(assessment.time_progress)}%）"
        head += f"全省预算执行率{plain(status.execution.rate)}%，{gap}"
        if execution.projection is not None:
            head += f"，按当时进度测算年末执行率约{plain(round_half_up(execution.projection.value, 0))}%，{execution.projection.text()}"
        head += "。"
    if not warnings:
        return [head + "各单位均未触发偏离预警。"]
    red = sum(1 for w in warnings if w.level.value == "red")
    units = len({w.unit for w in warnings})
    execution_warnings = [w for w in warnings if w.indicator is None]
    target_warnings = [w for w in warnings if w.indicator is not None]
    amber = len(warnings) - red
    levels = "均为红色" if not amber else "均为黄色" if not red else f"红色{red}项、黄色{amber}项"
    head += f"{units}个单位触发偏离预警{len(warnings)}项（{levels}）"
    details = []
    if execution_warnings:
        details.append(f"预算执行进度滞后{len(execution_warnings)}项")
    if target_warnings:
        labels = "、".join(dict.fromkeys(w.indicator_label or "" for w in target_warnings))
        details.append(f"绩效目标完成进度滞后或预计不能完成{len(target_warnings)}项（涉及{labels}）")
    out.append(head + ("，其中" + "，".join(details) if details else "") + "。")
    reasons = _grouped(warnings, "reason")
    if reasons:
        out.append(f"各单位说明的主要原因：{reasons}。")
    measures = _grouped(warnings, "measure")
    if measures:
        out.append(f"采取的纠偏措施：{measures}。")
    return out


def _part_three(targets: Targets, evaluation: Evaluation, dataset: Dataset, framework: Framework, *,
                monitoring: Monitoring | None, rounds: Sequence[RoundAssessment], completions: Sequence[Completion]) -> Part:
    as_of = as_of_text(evaluation.year, evaluation.as_of)
    sections = []
    for index, program_id in enumerate(targets.programs):
        program = evaluation.program(program_id)
        blocks: list[str | Table] = []
        for assessment in rounds:
            blocks.extend(_round_sentences(program_id, assessment))
        deviations = []
        _, execution = _execution_sentence(program, dataset, monitoring, framework, as_of)
        if execution is not None and execution.deduction > 0 and execution.metric is not None \
                and execution.metric.value is not None:
            deviations.append(f"预算执行率{plain(round_half_up(execution.metric.value, 1))}%，“{execution.label}”指标失"
                              f"{plain(execution.deduction)}分")
        for row in completions:
            if row.program != program_id or row.met is not False:
                continue
            text = f"{row.indicator.label}实际完成{row.actual_text}，未达到年度指标值{row.target_text}"
            if row.item is not None and row.item.deduction > 0:
                text += f"，“{row.item.label}”指标失{plain(row.item.deduction)}分"
            deviations.append(text)
        if deviations:
            blocks.append(f"年度终了，偏离绩效目标的情况：{'；'.join(deviations)}。")
            latest = [w for a in rounds[-1:] for w in a.warnings if w.program == program_id]
            measures = _grouped(latest, "measure", counted=False)
            blocks.append("下一步改进措施：" + (f"{measures}；" if measures else "")
                          + "加强预算执行和绩效目标双监控，对执行进度滞后的单位按月调度、约谈督办，"
                            "将绩效评价结果与下年度资金分配挂钩。")
        else:
            blocks.append("年度终了，各项绩效目标均已完成，未发生偏离绩效目标的情况。")
        sections.append(Section(f"（{_numbered(index)}）{program.label}", blocks))
    dates = "、".join(chinese_date(a.date).removeprefix(f"{evaluation.year}年") for a in rounds)
    lead = [f"年度执行中，市县财政部门组织资金使用单位在{dates}对预算执行和绩效目标完成情况开展跟踪监控（双监控），"
            "对偏离绩效目标的单位发出预警，由其说明原因并提出纠偏措施。" if rounds else
            "本年度未录入绩效运行监控数据。"]
    return Part(f"三、{PART_TITLES[2]}", lead, sections)


def _part_four(evaluation: Evaluation) -> Part:
    lines = [f"{p.label}满分{plain(p.points)}分，自评得分{plain(p.score)}分" + (f"，等级为“{p.grade}”" if p.grade else "")
             for p in evaluation.programs]
    lead = [f"按照{evaluation.framework_label}逐项评分，{'；'.join(lines)}。各项目的得分见下表，"
            "区域绩效自评表另附。"]
    return Part(f"四、{PART_TITLES[3]}", lead, [])


def build_self_report(targets: Targets, framework: Framework, tree: RegionTree, dataset: Dataset,
                      evaluation: Evaluation, *, monitoring: Monitoring | None = None,
                      rounds: Sequence[RoundAssessment] = ()) -> SelfReport:
    """The four parts of the report from the data; ``rounds`` are the assessed monitoring rounds."""
    region = evaluation.region_name
    title = f"{region}{evaluation.year}年度中央财政城镇保障性安居工程补助资金绩效自评报告"
    labels = "、".join(framework.program(p).label for p in targets.programs)
    opening = (f"按照财政部、住房和城乡建设部关于开展中央财政城镇保障性安居工程补助资金绩效评价的有关要求，"
               f"{region}财政厅会同住房和城乡建设厅对{evaluation.year}年度{labels}资金开展了绩效自评。现将有关情况报告如下：")
    part_two, completions = _part_two(targets, framework, dataset, evaluation, monitoring)
    parts = [
        _part_one(targets, framework, tree),
        part_two,
        _part_three(targets, evaluation, dataset, framework, monitoring=monitoring, rounds=rounds,
                    completions=completions),
        _part_four(evaluation),
    ]
    notes = [f"{c.indicator.label}（{framework.program(c.program).label}）的实际完成情况须人工填写"
             for c in completions if c.met is None]
    return SelfReport(title, region, evaluation.year, opening, parts, completions, evaluation, notes,
                      _deviations(completions, rounds))


def _deviations(completions: Sequence[Completion], rounds: Sequence[RoundAssessment]) -> dict[tuple[str, str], str]:
    found = {}
    for row in completions:
        if row.met is not False:
            continue
        warnings = [w for r in rounds for w in r.warnings if w.program == row.program and w.indicator == row.indicator.id]
        reasons, measures = _grouped(warnings, "reason", counted=False), _grouped(warnings, "measure", counted=False)
        if reasons or measures:
            found[(row.program, row.indicator.label)] = f"原因：{reasons or '—'}。改进措施：{measures or '—'}。"
    return found


def report_date(evaluation: Evaluation) -> dt.date | None:
    return evaluation.as_of


@dataclass(frozen=True)
class ClauseCheck:
    """A clause of the framework about the report's content, checked on the report anju wrote."""

    program: str
    item: str
    clause: str
    label: str
    met: bool


def report_clause_checks(report: SelfReport, framework: Framework) -> list[ClauseCheck]:
    """Every checklist clause of the framework that names one of the four parts (报告包括……), held
    against ``report``: met when the report has that part with content. Clauses are found by their
    label, so a framework of another year that words them the same is checked the same way."""
    present = {title for title in PART_TITLES for part in report.parts
               if part.heading.endswith(title) and (part.lead or part.sections)}
    checks = []
    for program_id in (p.id for p in report.evaluation.programs):
        program = framework.program(program_id)
        for path, item in program.items():
            clauses = getattr(item.rule, "clauses", None) or []
            for clause in clauses:
                title = next((t for t in PART_TITLES if t in clause.label), None)
                if title is not None:
                    checks.append(ClauseCheck(program_id, path, clause.id, clause.label, title in present))
    return checks

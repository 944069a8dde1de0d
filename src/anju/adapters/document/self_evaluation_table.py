"""The MoF-format 中央对地方转移支付区域绩效自评表, one per program, in Word and Excel.

Layout (财政部 区域绩效自评表): 项目名称 and the region; 资金情况（万元）: 年初预算数, 全年执行数,
分值 10, 执行率, 得分; 年度总体目标: 预期目标 | 实际完成情况; 绩效指标: 一级指标 | 二级指标 | 三级指标 |
年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施; 总分.

:func:`self_evaluation_tables` builds the rows from the evaluation. With ``targets`` (the
绩效目标 file, :mod:`anju.targets`) each target indicator is a row: its 指标值, the actual value of
the figure it names, and for a 定性 indicator the score of the framework item that scores it. Without
targets the rows come from the dataset: every completion-rate indicator of the framework gives a
数量指标 (指标值 = the planned figure, 实际完成值 = the actual one), and a rate with a threshold
(满意度) gives its threshold.

Scoring follows the MoF self-evaluation rule: 预算执行率 10 points × the execution rate (at most
100%); the other 90 points are shared equally among the indicators; an indicator met earns its
points, one not met earns them in proportion (actual ÷ target for "≥", target ÷ actual for "≤"),
a 定性 one in proportion to its framework item's score; two decimals, half up. A shortfall's row
says by how much and leaves the cause and the measures for the evaluator to write.

:func:`write_self_evaluation_docx` and :func:`write_self_evaluation_xlsx` write the tables; both are
meant to be reused (the targets-and-monitoring work renders the same layout for its targets).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from anju.adapters.report.build_template import column_widths, fixed_table, styled_document
from anju.adapters.report.properties import set_properties
from anju.dataset.models import Dataset
from anju.decimals import plain, round_half_up
from anju.framework.models import Framework, MetricRule, Threshold
from anju.scoring.result import Evaluation, ProgramResult
from anju.targets.models import Comparison, Indicator, ProgramTargets, Targets

EXECUTION_POINTS = Decimal(10)
INDICATOR_POINTS = Decimal(90)
HUNDRED = Decimal(100)
TITLE = "中央对地方转移支付区域绩效自评表"
COLUMNS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
WIDTHS_MM = (20, 24, 44, 40, 30, 14, 14, 60)
TO_FILL = "（偏差原因及改进措施请评价人员填写）"


@dataclass(frozen=True)
class Row:
    dimension: str
    category: str
    label: str
    target: str
    actual: str
    points: Decimal
    score: Decimal
    deviation: str


@dataclass(frozen=True)
class ProgramTable:
    program: str
    """项目名称: 中央财政城镇保障性安居工程补助资金（住房租赁保障）."""
    region: str
    year: int
    budget: Decimal | None
    spent: Decimal | None
    execution_rate: Decimal | None
    execution_score: Decimal
    overall_target: str
    overall_actual: str
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    """Shown as a row of its own: e.g. that the targets are illustrative (示例数据)."""

    @property
    def total(self) -> Decimal:
        return self.execution_score + sum((r.score for r in self.rows), Decimal(0))


def _money(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _shares(count: int) -> list[Decimal]:
    """90 points shared by ``count`` indicators to two decimals; the last takes the rest."""
    if count == 0:
        return []
    each = round_half_up(INDICATOR_POINTS / count, 2)
    return [*([each] * (count - 1)), INDICATOR_POINTS - each * (count - 1)]


def _proportional(points: Decimal, ratio: Decimal) -> Decimal:
    return round_half_up(points * min(max(ratio, Decimal(0)), Decimal(1)), 2)


def _figure(dataset: Dataset, program: str, figure: str | None) -> Decimal | None:
    return _money(dataset.figure(program, figure)) if figure else None


def _target_row(indicator: Indicator, points: Decimal, program: ProgramResult, dataset: Dataset) -> Row:
    dimension, category = indicator.dimension.label, indicator.category.label
    item = None
    if indicator.item:
        try:
            item = program.item(indicator.item)
        except KeyError:
            item = None
    if indicator.comparison is Comparison.qualitative or indicator.figure is None:
        ratio = item.score / item.points if item is not None and item.points else Decimal(1)
        score = _proportional(points, ratio)
        actual = "达到" if ratio == 1 else f"部分达到（该项得分{plain(item.score) if item else ''}分）"
        deviation = "" if ratio == 1 else (item.reason if item is not None and item.reason else TO_FILL)
        return Row(dimension, category, indicator.label, indicator.value_text(), actual, points, score, deviation)
    actual_value = _figure(dataset, program.id, indicator.figure)
    if actual_value is None or indicator.value is None:
        return Row(dimension, category, indicator.label, indicator.value_text(), "未填报", points, Decimal(0), TO_FILL)
    actual = f"{plain(actual_value)}{indicator.unit}"
    if indicator.met(actual_value):
        return Row(dimension, category, indicator.label, indicator.value_text(), actual, points, points, "")
    if indicator.comparison is Comparison.at_most:
        ratio = indicator.value / actual_value if actual_value else Decimal(0)
    else:
        ratio = actual_value / indicator.value if indicator.value else Decimal(0)
    gap = abs(indicator.value - actual_value)
    deviation = f"未完成年度指标值，相差{plain(gap)}{indicator.unit}。{TO_FILL}"
    return Row(dimension, category, indicator.label, indicator.value_text(), actual, points,
               _proportional(points, ratio), deviation)


def _dataset_rows(framework: Framework, program: ProgramResult, dataset: Dataset) -> list[tuple[str, str, str, str, Decimal, Decimal]]:
    """(category, label, target text, actual text, target, actual) from the framework's completion rates
    and thresholds, when no targets are given."""
    definitions = dict(framework.program(program.id).items())
    spec = framework.program(program.id)
    found = []
    for item in program.items():
        definition = definitions.get(item.path)
        rule = definition.rule if definition is not None else None
        if not isinstance(rule, MetricRule) or item.metric is None:
            continue
        metric = rule.metric
        if metric.kind == "completion" and metric.denominator and len(metric.numerator) == 1 and len(metric.denominator) == 1:
            planned = _figure(dataset, program.id, metric.denominator[0])
            actual = _figure(dataset, program.id, metric.numerator[0])
            if planned is None or actual is None:
                continue
            unit = spec.figure(metric.numerator[0]).unit
            found.append(("数量指标", item.label.removesuffix("完成率").removesuffix("计划"), f"≥{plain(planned)}{unit}",
                          f"{plain(actual)}{unit}", planned, actual))
        elif isinstance(rule, Threshold) and rule.at_least is not None and metric.kind == "rate":
            value = _figure(dataset, program.id, metric.numerator[0])
            if value is None:
                continue
            found.append(("服务对象满意度指标", item.label, f"≥{plain(rule.at_least)}%", f"{plain(value)}%",
                          rule.at_least, value))
    return found


def _overall(program: ProgramResult, targets: ProgramTargets | None, region: str) -> tuple[str, str]:
    if targets is not None:
        expected = targets.overall
    else:
        expected = f"按照绩效目标完成{region}{program.label}年度任务。"
    grade = f"，等级为{program.grade}" if program.grade else ""
    actual = f"{program.label}绩效评价得分{plain(program.score)}分{grade}；各项指标完成情况见下表。"
    return expected, actual


EXAMPLE_NOTE = "绩效目标为示例数据，非真实下达的目标，报送前须换成下达的绩效目标。"


def self_evaluation_tables(
    evaluation: Evaluation, framework: Framework, dataset: Dataset, targets: Targets | None = None
) -> list[ProgramTable]:
    """One table per evaluated program (targets used for the programs they cover)."""
    example = targets is not None and (targets.note or "").startswith("示例数据")
    tables = []
    for program in evaluation.programs:
        budget = _figure(dataset, program.id, "central_budget")
        spent = _figure(dataset, program.id, "central_spent")
        if targets is not None and program.id in targets.programs and targets.programs[program.id].funds is not None:
            budget = targets.programs[program.id].funds
        rate = spent / budget * HUNDRED if budget and spent is not None else None
        execution = _proportional(EXECUTION_POINTS, rate / HUNDRED) if rate is not None else Decimal(0)
        program_targets = targets.programs.get(program.id) if targets is not None else None
        expected, actual = _overall(program, program_targets, evaluation.region_name)
        rows: list[Row] = []
        if program_targets is not None:
            shares = _shares(len(program_targets.indicators))
            rows = [_target_row(indicator, points, program, dataset)
                    for indicator, points in zip(program_targets.indicators, shares, strict=True)]
        else:
            found = _dataset_rows(framework, program, dataset)
            for (category, label, target, shown, planned, done), points in zip(found, _shares(len(found)), strict=True):
                dimension = "满意度指标" if category == "服务对象满意度指标" else "产出指标"
                met = done >= planned
                score = points if met else _proportional(points, done / planned if planned else Decimal(0))
                deviation = "" if met else f"未完成年度指标值，相差{plain(planned - done)}。{TO_FILL}"
                rows.append(Row(dimension, category, label, target, shown, points, score, deviation))
        tables.append(ProgramTable(
            program=f"中央财政城镇保障性安居工程补助资金（{program.label}）", region=evaluation.region_name,
            year=evaluation.year, budget=budget, spent=spent,
            execution_rate=round_half_up(rate, 2) if rate is not None else None, execution_score=execution,
            overall_target=expected, overall_actual=actual, rows=rows,
            note=EXAMPLE_NOTE if example and program_targets is not None else "",
        ))
    return tables


def _text(value: Decimal | None, suffix: str = "") -> str:
    return f"{plain(value)}{suffix}" if value is not None else "—"


def _header_rows(table: ProgramTable) -> list[tuple[str, str]]:
    return [
        ("项目名称", table.program),
        ("地区", f"{table.region}（{table.year}年度）"),
        ("资金情况（万元）", f"年初预算数：{_text(table.budget)}；全年执行数：{_text(table.spent)}；"
                          f"执行率：{_text(table.execution_rate, '%')}；分值：{plain(EXECUTION_POINTS)}；"
                          f"得分：{plain(table.execution_score)}"),
        ("年度总体目标（预期目标）", table.overall_target),
        ("年度总体目标（实际完成情况）", table.overall_actual),
        *([("说明", table.note)] if table.note else []),
    ]


def write_self_evaluation_docx(tables: Sequence[ProgramTable], target: Path, *, author: str, label: str = "") -> Path:
    """All programs' tables in one landscape Word document, one program per page."""
    doc = styled_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = section.right_margin = Mm(20)
    for index, table in enumerate(tables):
        if label:
            heading = doc.add_paragraph(label, "附件标识")
            heading.paragraph_format.page_break_before = index > 0
        title = doc.add_paragraph(TITLE, "公文标题")
        if not label:
            title.paragraph_format.page_break_before = index > 0
        doc.add_paragraph(f"（{table.year}年度）", "表格数字").alignment = WD_ALIGN_PARAGRAPH.CENTER
        head = fixed_table(doc, 1 + len(_header_rows(table)), ("项目", "内容"))
        for row, (name, value) in zip(head.rows[1:], _header_rows(table), strict=True):
            row.cells[0].paragraphs[0].text = name
            row.cells[0].paragraphs[0].style = "表格标题行"
            row.cells[1].paragraphs[0].text = value
            row.cells[1].paragraphs[0].style = "表格文字"
        column_widths(head, (60, sum(WIDTHS_MM) - 60))
        doc.add_paragraph("", "表格文字")
        grid = fixed_table(doc, 2 + len(table.rows), COLUMNS)
        for row, item in zip(grid.rows[1:], table.rows, strict=False):
            values = (item.dimension, item.category, item.label, item.target, item.actual, plain(item.points),
                      plain(item.score), item.deviation)
            for col, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                cell.paragraphs[0].text = value
                cell.paragraphs[0].style = "表格数字" if col in {3, 4, 5, 6} else "表格文字"
        last = grid.rows[-1].cells
        last[0].paragraphs[0].text = "总分"
        last[0].paragraphs[0].style = "表格标题行"
        last[5].paragraphs[0].text = "100"
        last[6].paragraphs[0].text = plain(table.total)
        for col in (5, 6):
            last[col].paragraphs[0].style = "表格数字"
        column_widths(grid, WIDTHS_MM)
    set_properties(doc, title=TITLE, author=author)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    doc.save(str(partial))
    partial.replace(target)
    return target


def write_self_evaluation_xlsx(tables: Sequence[ProgramTable], target: Path, *, label: str = "") -> Path:
    """One sheet per program, the same rows and texts as the Word tables."""
    partial = target.with_name(target.name + ".part")
    book = xlsxwriter.Workbook(str(partial), {"default_format_properties": {"font_name": "宋体", "font_size": 11}})
    book.set_properties({"title": TITLE})
    title = book.add_format({"font_name": "方正小标宋简体", "font_size": 16, "align": "center", "valign": "vcenter"})
    bold = book.add_format({"font_name": "黑体", "font_size": 12})
    header = book.add_format({"font_name": "黑体", "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                              "bg_color": "#D9D9D9"})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    number = book.add_format({"border": 1, "align": "center", "valign": "vcenter", "num_format": "0.##"})
    last = len(COLUMNS) - 1
    for table in tables:
        sheet = book.add_worksheet(table.program.split("（")[-1].rstrip("）")[:31])
        if label:
            sheet.write_string(0, 0, label, bold)
        sheet.merge_range(1, 0, 1, last, f"{TITLE}（{table.year}年度）", title)
        sheet.set_row(1, 30)
        r = 2
        for name, value in _header_rows(table):
            sheet.merge_range(r, 0, r, 1, name, header)
            sheet.merge_range(r, 2, r, last, value, cell)
            sheet.set_row(r, 15 * max(1, -(-len(value) // 60)) + 6)
            r += 1
        for col, (name, width) in enumerate(zip(COLUMNS, WIDTHS_MM, strict=True)):
            sheet.write_string(r, col, name, header)
            sheet.set_column(col, col, width / 2.2)
        for item in table.rows:
            r += 1
            for col, value in enumerate((item.dimension, item.category, item.label, item.target, item.actual)):
                sheet.write_string(r, col, value, cell)
            sheet.write_number(r, 5, float(item.points), number)
            sheet.write_number(r, 6, float(item.score), number)
            sheet.write_string(r, 7, item.deviation, cell)
            sheet.set_row(r, 15 * max(1, -(-len(item.deviation) // 24), -(-len(item.label) // 20)) + 6)
        r += 1
        sheet.merge_range(r, 0, r, 4, "总分", header)
        sheet.write_number(r, 5, 100, number)
        sheet.write_number(r, 6, float(table.total), number)
        sheet.write_blank(r, 7, None, cell)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
    book.close()
    partial.replace(target)
    return target

"""The MoF-format 中央对地方转移支付区域绩效自评表, one per program, in Word and Excel.

Layout (财政部 区域绩效自评表): 项目名称 and the region; 资金情况（万元）: 年初预算数, 全年执行数,
执行率, 分值, 得分; 年度总体目标: 预期目标 | 实际完成情况; 绩效指标: 一级指标 | 二级指标 | 三级指标 |
年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施; 总分.

The 分值 and 得分 are the evaluation's, so the 总分 equals the program's evaluation score (ADR 0013):
every item of the evaluation is counted exactly once, on the first of these rows that names it —

1. the 资金情况 line: the item that scores 全年执行数 ÷ 年初预算数 (预算执行率);
2. with ``targets`` (the 绩效目标 file, :mod:`anju.targets`), each target indicator in its 一级/二级 row,
   with its 指标值 and the actual value of the figure it names, scored by the framework item it links
   (``item``); a target with no item of its own shows “—” in 分值 and 得分. Without targets the rows come
   from the dataset: every completion-rate indicator of the framework (指标值 = the planned figure,
   实际完成值 = the actual one) and every rate with a threshold (满意度);
3. the rest of the evaluation's indicators (资金管理, 项目管理 and the outputs no target names), under their
   own 一级/二级指标, each with its deduction explained.

The MoF rule of the 自评表 (预算执行率 10 points × the rate, the other 90 shared among the target
indicators) is thereby not followed — an ``assumed`` choice recorded in ADR 0013: one province, one
score; a table whose total differed from the evaluation it accompanies would need its own explanation.
A shortfall's row says by how much and leaves the cause and the measures for the evaluator to write.

:func:`write_self_evaluation_docx` and :func:`write_self_evaluation_xlsx` write the tables; both are
meant to be reused (the targets-and-monitoring work renders the same layout for its targets).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from anju.adapters.report.build_template import column_widths, fixed_table, styled_document, unsplittable
from anju.adapters.report.paragraph_style import add_paragraph, set_style
from anju.adapters.report.properties import set_properties
from anju.dataset.models import Dataset
from anju.decimals import plain, round_half_up
from anju.framework.models import Framework, MetricRule, Threshold
from anju.monitoring.engine import execution_item
from anju.monitoring.selfreport import completion
from anju.scoring.result import Evaluation, ItemResult, ProgramResult
from anju.targets.models import Indicator, ProgramTargets, Targets

BUDGET, SPENT = "central_budget", "central_spent"
"""The figures of the 资金情况 line (年初预算数, 全年执行数)."""
HUNDRED = Decimal(100)
TITLE = "中央对地方转移支付区域绩效自评表"
COLUMNS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
WIDTHS_MM = (24, 26, 40, 34, 28, 13, 13, 79)
"""257 mm: the landscape A4 text width."""
TO_FILL = "（偏差原因及改进措施请评价人员填写）"
NUMBER_COLUMNS, VALUE_COLUMNS = {5, 6}, {3, 4}
SHORT_VALUE = 12
"""A 年度指标值 or 实际完成值 up to this many characters (≥12670套) is centred; a sentence is left-aligned."""
NONE = "—"
CRITERION_LEVEL = 3


@dataclass(frozen=True)
class Row:
    dimension: str
    category: str
    label: str
    target: str
    actual: str
    points: Decimal | None
    """The evaluation's 分值 of the item this row scores; None when the item is counted on another row."""
    score: Decimal | None
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
    execution_points: Decimal | None
    """分值 and 得分 of the evaluation's 预算执行率 item (None when the framework has none)."""
    execution_score: Decimal | None
    overall_target: str
    overall_actual: str
    points: Decimal = HUNDRED
    """The 总分 column's 分值: the program's points in the evaluation."""
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    """Shown as a row of its own: how the scores are counted, that the targets are illustrative (示例数据)."""

    @property
    def total(self) -> Decimal:
        return (self.execution_score or Decimal(0)) + sum((r.score or Decimal(0) for r in self.rows), Decimal(0))


def _money(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _figure(dataset: Dataset, program: str, figure: str | None) -> Decimal | None:
    return _money(dataset.figure(program, figure)) if figure else None


def _inside(path: str, other: str) -> bool:
    """``path`` is ``other`` or lies in it (``a.b.c`` in ``a.b``)."""
    return path == other or path.startswith(other + ".")


class _Ledger:
    """The evaluation's items of one program, each counted once: a row claims an item, and neither it
    nor any item inside or around it can be claimed again."""

    def __init__(self, program: ProgramResult) -> None:
        self.program = program
        self.claimed: list[str] = []

    def claim(self, path: str | None) -> ItemResult | None:
        if path is None:
            return None
        try:
            item = self.program.item(path)
        except KeyError:
            return None
        if any(_inside(path, c) or _inside(c, path) for c in self.claimed):
            return None
        self.claimed.append(path)
        return item

    def covered(self, path: str) -> bool:
        return any(_inside(path, c) for c in self.claimed)

    def touched(self, path: str) -> bool:
        return any(_inside(c, path) for c in self.claimed)


def _shortfall(gap: Decimal, unit: str) -> str:
    amount = f"{plain(gap)}个百分点" if unit == "%" else f"{plain(gap)}{unit}"
    return f"未完成年度指标值，相差{amount}。{TO_FILL}"


def _scores(item: ItemResult | None) -> tuple[Decimal | None, Decimal | None]:
    return (item.points, item.score) if item is not None else (None, None)


def _deduction(item: ItemResult | None) -> str:
    """Why the item lost points (the evaluation's reason, else its explanation), for the evaluator to complete."""
    if item is None or item.score >= item.points:
        return ""
    why = (item.reason or item.explanation or "").strip()
    return f"扣{plain(item.deduction)}分{'：' + why.rstrip('。') + '。' if why else '。'}{TO_FILL}"


def _target_row(indicator: Indicator, item: ItemResult | None, dataset: Dataset, program: ProgramResult) -> Row:
    """The target's row: 指标值 and 实际完成值 as part ② of the self-evaluation report has them
    (:func:`anju.monitoring.selfreport.completion`), 分值 and 得分 of ``item`` (None: counted elsewhere)."""
    done = completion(program.id, indicator, dataset, program)
    points, score = _scores(item)
    dimension, category = indicator.dimension.label, indicator.category.label
    if done.met is None:
        return Row(dimension, category, indicator.label, done.target_text, "（请评价人员填写）", points, score, TO_FILL)
    if done.met:
        deviation = _deduction(item)
    elif done.actual is not None and indicator.value is not None:
        deviation = _shortfall(abs(indicator.value - done.actual), indicator.unit)
    else:
        deviation = _deduction(done.item) or TO_FILL
    return Row(dimension, category, indicator.label, done.target_text, done.actual_text, points, score, deviation)


def _dataset_rows(framework: Framework, program: ProgramResult, dataset: Dataset, ledger: _Ledger) -> list[Row]:
    """The framework's completion rates (指标值 = the planned figure) and rates with a threshold (满意度),
    when no targets are given."""
    definitions = dict(framework.program(program.id).items())
    spec = framework.program(program.id)
    rows = []
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
            dimension, category = "产出指标", "数量指标"
            unit = spec.figure(metric.numerator[0]).unit
            label = item.label.removesuffix("完成率")
            label = f"{program.label}{label}" if label.startswith("年度") else label  # 年度计划 alone names nothing
            target, shown, met, gap = f"≥{plain(planned)}{unit}", f"{plain(actual)}{unit}", actual >= planned, planned - actual
        elif isinstance(rule, Threshold) and rule.at_least is not None and metric.kind == "rate":
            value = _figure(dataset, program.id, metric.numerator[0])
            if value is None:
                continue
            dimension, category = ("满意度指标", "服务对象满意度指标") if "满意度" in item.label else ("效益指标", "社会效益指标")
            label, unit = item.label, "%"
            target, shown, met, gap = f"≥{plain(rule.at_least)}%", f"{plain(value)}%", value >= rule.at_least, \
                rule.at_least - value
        else:
            continue
        claimed = ledger.claim(item.path)
        if claimed is None:
            continue
        deviation = _deduction(claimed) if met else _shortfall(gap, unit)
        rows.append(Row(dimension, category, label, target, shown, claimed.points, claimed.score, deviation))
    return rows


def _metric_text(item: ItemResult) -> str:
    """The item's measured rate, named when the item's own label does not name it (资金筹集: 市县财政资金占…)."""
    if item.metric is None or item.metric.value is None:
        return NONE
    value = f"{plain(round_half_up(item.metric.value, 2))}%"
    return value if item.metric.label in item.label else f"{item.metric.label}{value}"


def _rest(node: ItemResult, dimension: ItemResult, ledger: _Ledger, parent: str) -> Iterator[Row]:
    """Rows for what no earlier row counted inside ``node``: the node itself when nothing in it was
    counted, else its children's rest (and whatever the children do not add up to)."""
    if ledger.covered(node.path):
        return
    whole = not ledger.touched(node.path) and node.score >= node.points  # a deduction is shown where it was made
    if whole or not node.children:
        # A 二级指标 scored as a whole has no 三级指标 of its own.
        yield Row(dimension.label, parent or node.label, node.label if parent else "", NONE, _metric_text(node),
                  node.points, node.score, _deduction(node))
        return
    for child in node.children:
        yield from _rest(child, dimension, ledger, parent or node.label)
    points = node.points - sum((c.points for c in node.children), Decimal(0))
    score = node.score - sum((c.score for c in node.children), Decimal(0))
    if points or score:
        yield Row(dimension.label, parent or node.label, f"{node.label}（其他）", NONE, NONE, points, score, "")


def _other_rows(program: ProgramResult, ledger: _Ledger) -> list[Row]:
    rows: list[Row] = []
    for dimension in program.dimensions:
        for indicator in dimension.children:
            rows.extend(_rest(indicator, dimension, ledger, ""))
        if not dimension.children and not ledger.covered(dimension.path):
            rows.extend(_rest(dimension, dimension, ledger, ""))
    return rows


def _overall(program: ProgramResult, targets: ProgramTargets | None, region: str) -> tuple[str, str]:
    if targets is not None:
        expected = targets.overall
    else:
        expected = f"按照绩效目标完成{region}{program.label}年度任务。"
    grade = f"，等级为{program.grade}" if program.grade else ""
    actual = f"{program.label}绩效评价得分{plain(program.score)}分{grade}；各项指标完成情况见下表。"
    return expected, actual


EXAMPLE_NOTE = "绩效目标为示例数据，非真实下达的目标，报送前须换成下达的绩效目标。"
SCORING_NOTE = ("分值、得分按{framework}计列，总分与绩效评价结果一致；资金情况栏为预算执行率指标的分值和得分，"
                "未采用“预算执行率10分、其余指标共90分”的计分办法。")


def _execution(framework: Framework, program: ProgramResult, ledger: _Ledger) -> ItemResult | None:
    spec = framework.program(program.id)
    found = execution_item(spec, BUDGET, SPENT)
    path = next((p for p, item in spec.items() if item is found), None) if found is not None else None
    return ledger.claim(path)


def self_evaluation_tables(
    evaluation: Evaluation, framework: Framework, dataset: Dataset, targets: Targets | None = None
) -> list[ProgramTable]:
    """One table per evaluated program (targets used for the programs they cover); each table's total
    is the program's evaluation score."""
    example = targets is not None and (targets.note or "").startswith("示例数据")
    tables = []
    for program in evaluation.programs:
        ledger = _Ledger(program)
        budget = _figure(dataset, program.id, BUDGET)
        spent = _figure(dataset, program.id, SPENT)
        rate = spent / budget * HUNDRED if budget and spent is not None else None
        execution = _execution(framework, program, ledger)
        program_targets = targets.programs.get(program.id) if targets is not None else None
        expected, actual = _overall(program, program_targets, evaluation.region_name)
        if program_targets is not None:
            rows = [_target_row(indicator, ledger.claim(indicator.item), dataset, program)
                    for indicator in program_targets.indicators]
        else:
            rows = _dataset_rows(framework, program, dataset, ledger)
        rows.extend(_other_rows(program, ledger))
        notes = [SCORING_NOTE.format(framework=f"《{evaluation.framework_label}》")]
        if example and program_targets is not None:
            notes.append(EXAMPLE_NOTE)
        points, score = _scores(execution)
        table = ProgramTable(
            program=f"中央财政城镇保障性安居工程补助资金（{program.label}）", region=evaluation.region_name,
            year=evaluation.year, budget=budget, spent=spent,
            execution_rate=round_half_up(rate, 2) if rate is not None else None, execution_points=points,
            execution_score=score, overall_target=expected, overall_actual=actual, points=program.points, rows=rows,
            note="".join(notes),
        )
        if table.total != program.score:  # every item once: a framework whose parts do not add up would show here
            raise ValueError(f"区域绩效自评表“{program.label}”合计{plain(table.total)}分，与评价得分"
                             f"{plain(program.score)}分不一致")
        tables.append(table)
    return tables


def _text(value: Decimal | None, suffix: str = "") -> str:
    return f"{plain(value)}{suffix}" if value is not None else NONE


def _header_rows(table: ProgramTable) -> list[tuple[str, str]]:
    return [
        ("项目名称", table.program),
        ("地区", f"{table.region}（{table.year}年度）"),
        ("资金情况（万元）", f"年初预算数：{_text(table.budget)}；全年执行数：{_text(table.spent)}；"
                          f"执行率：{_text(table.execution_rate, '%')}；分值：{_text(table.execution_points)}；"
                          f"得分：{_text(table.execution_score)}"),
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
            heading = add_paragraph(doc, label, "附件标识")
            heading.paragraph_format.page_break_before = index > 0
        title = add_paragraph(doc, TITLE, "公文标题")
        if not label:
            title.paragraph_format.page_break_before = index > 0
        add_paragraph(doc, f"（{table.year}年度）", "表格数字").alignment = WD_ALIGN_PARAGRAPH.CENTER
        head = fixed_table(doc, 1 + len(_header_rows(table)), ("项目", "内容"))
        for row, (name, value) in zip(head.rows[1:], _header_rows(table), strict=True):
            row.cells[0].paragraphs[0].text = name
            set_style(row.cells[0].paragraphs[0], "表格标题行")
            row.cells[1].paragraphs[0].text = value
            set_style(row.cells[1].paragraphs[0], "表格文字")
        column_widths(head, (60, sum(WIDTHS_MM) - 60))
        add_paragraph(doc, "", "表格文字")
        grid = fixed_table(doc, 2 + len(table.rows), COLUMNS)
        for row, item in zip(grid.rows[1:], table.rows, strict=False):
            unsplittable(row)
            values = (item.dimension, item.category, item.label, item.target, item.actual, _text(item.points),
                      _text(item.score), item.deviation)
            cells = row.cells
            for col, (cell, value) in enumerate(zip(cells, values, strict=True)):
                cell.paragraphs[0].text = value
                centred = col in NUMBER_COLUMNS or (col in VALUE_COLUMNS and len(value) <= SHORT_VALUE)
                set_style(cell.paragraphs[0], "表格数字" if centred else "表格文字")
            if not item.label:  # a 二级指标 scored as a whole spans the 三级指标 column
                cells[1].merge(cells[2])
                cells[1].paragraphs[-1]._p.getparent().remove(cells[1].paragraphs[-1]._p)
        last = grid.rows[-1].cells
        last[0].merge(last[4])
        for extra in last[0].paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        last[0].paragraphs[0].text = "总分"
        set_style(last[0].paragraphs[0], "表格标题行")
        last[5].paragraphs[0].text = plain(table.points)
        last[6].paragraphs[0].text = plain(table.total)
        for col in (5, 6):
            set_style(last[col].paragraphs[0], "表格数字")
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
            if not item.label:  # a 二级指标 scored as a whole spans the 三级指标 column
                sheet.merge_range(r, 1, r, 2, item.category, cell)
            for col, amount in ((5, item.points), (6, item.score)):
                if amount is None:
                    sheet.write_string(r, col, NONE, number)
                else:
                    sheet.write_number(r, col, float(amount), number)
            sheet.write_string(r, 7, item.deviation, cell)
            lines = max(1, -(-len(item.deviation) // 33), -(-len(item.label) // 16), -(-len(item.category) // 10))
            sheet.set_row(r, 15 * lines + 6)
        r += 1
        sheet.merge_range(r, 0, r, 4, "总分", header)
        sheet.write_number(r, 5, float(table.points), number)
        sheet.write_number(r, 6, float(table.total), number)
        sheet.write_blank(r, 7, None, cell)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
    book.close()
    partial.replace(target)
    return target

"""Write the self-evaluation report (绩效自评报告) as .docx in the official document format.

Built on :func:`anju.adapters.report.build_template.styled_document` — the same GB/T 9704 page,
fonts and named styles (公文标题, 公文正文, 公文一级标题, 公文二级标题, 表格文字 …) as the
evaluation's 说明 and the allocation notice. The content is :class:`anju.monitoring.selfreport.SelfReport`:
four parts, each built from the data.

Part ④ ends with each program's scores (一级/二级指标, 分值, 得分: the evaluation). The MoF-format
区域绩效自评表 is not redrawn here: :func:`self_evaluation_files` writes it through
:mod:`anju.adapters.document.self_evaluation_table` (the documents work), with the targets and, for
each indicator below target, the units' reasons and measures from the monitoring rounds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from anju.adapters.document.self_evaluation_table import (
    self_evaluation_tables,
    write_self_evaluation_docx,
    write_self_evaluation_xlsx,
)
from anju.adapters.report.build_template import (
    TEXT_WIDTH_MM,
    column_widths,
    fixed_table,
    keep_together,
    styled_document,
    unsplittable,
)
from anju.dataset.models import Dataset
from anju.decimals import plain
from anju.files import temp_sibling
from anju.framework.models import Framework
from anju.monitoring.selfreport import SelfReport, Table
from anju.scoring.result import Evaluation
from anju.targets.models import Targets

BODY = "公文正文"
SELF_EVALUATION_DOCX = "区域绩效自评表.docx"
SELF_EVALUATION_XLSX = "区域绩效自评表.xlsx"
CHART_WIDTH = Mm(150)
DRAFT_MARK = "（代拟稿）"
ISSUERS = "{region}财政厅　　{region}住房和城乡建设厅"
CHART_PART, RESULT_PART = 2, 3
"""Parts ③ (the chart after its lead) and ④ (the score tables at its end), counted from 0."""
SHORT_TEXT = 8
"""Cell text up to this many characters is centred (a number, 完成); longer text is left-aligned."""
COMPLETION_COLUMNS = 6
COMPLETION_WIDTHS_MM = (22, 24, 36, 27, 25, 22)
"""一级指标, 二级指标, 三级指标, 年度指标值, 实际完成值, 完成情况 (156 mm)."""
SCORE_WIDTHS_MM = (96, 30, 30)
INDICATOR_LEVEL = 2
FIRST_COLUMN_SHARE = {2: 0.55, 3: 0.4, 4: 0.31, 5: 0.26, 6: 0.2}
"""Share of the text width for a table's first column (the names), by number of columns."""


def _para(doc: DocumentObject, text: str, style: str = BODY) -> Paragraph:
    return doc.add_paragraph(text, style=style)


def _flush(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
    paragraph.paragraph_format.first_line_indent = Pt(0)
    if align is not None:
        paragraph.paragraph_format.alignment = align
    return paragraph


def _widths(count: int) -> tuple[float, ...]:
    """Column widths: the first (names) wider, the others sharing what is left."""
    first = TEXT_WIDTH_MM * FIRST_COLUMN_SHARE.get(count, 0.2)
    rest = (TEXT_WIDTH_MM - first) / (count - 1)
    return (first, *(rest for _ in range(1, count)))


def _table(doc: DocumentObject, table: Table, widths: tuple[float, ...] | None = None, *,
           with_next: bool = False) -> None:
    """A captioned grid; one alignment per column (left for text, centred for short values); its last
    two rows stay on one page (a 合计 row is never alone), with what follows when ``with_next``."""
    _para(doc, table.caption, "图表题注").paragraph_format.keep_with_next = True
    rows = [*table.rows, *([table.total] if table.total else [])]
    grid = fixed_table(doc, len(rows) + 1, table.headers)
    text_columns = {col for col in range(len(table.headers))
                    if col == 0 or any(len(values[col]) > SHORT_TEXT for values in table.rows)}
    for row_index, values in enumerate(rows, start=1):
        unsplittable(grid.rows[row_index])
        is_total = table.total is not None and row_index == len(rows)
        for col, (cell, text) in enumerate(zip(grid.rows[row_index].cells, values, strict=True)):
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = "表格标题行" if is_total else ("表格文字" if col in text_columns else "表格数字")
    column_widths(grid, widths or _widths(len(table.headers)))
    keep_together(grid, last=2, with_next=with_next)
    spacer = _para(doc, "")
    spacer.paragraph_format.keep_with_next = with_next


def score_tables(doc: DocumentObject, evaluation: Evaluation, *, last_with_next: bool = False) -> None:
    """Each program's 一级/二级指标 with 分值 and 得分, totals equal to the evaluation; ``last_with_next``
    keeps the last table on the page of what follows (the 落款 never stands alone on a page)."""
    for index, program in enumerate(evaluation.programs):
        rows = [("\u3000" * (item.level - 1) + item.label, plain(item.points), plain(item.score))
                for item in program.items() if item.level <= INDICATOR_LEVEL]
        _table(doc, Table(f"{program.label}绩效自评得分表", ("指标", "分值", "得分"), rows,
                          ("合计", plain(program.points), plain(program.score))), SCORE_WIDTHS_MM,
               with_next=last_with_next and index == len(evaluation.programs) - 1)


def write_self_report(report: SelfReport, target: Path, chart: Path | None = None) -> Path:
    """Write ``report`` to ``target`` atomically; ``chart`` (PNG) goes after part ③'s lead."""
    doc = styled_document()
    core = doc.core_properties
    core.title = report.title
    core.subject = "中央财政城镇保障性安居工程补助资金绩效自评"
    core.author = "anju"
    core.comments = "由 anju 根据绩效目标、绩效运行监控和绩效评价结果生成的代拟稿，须经审核后报送。"
    core.language = "zh-CN"
    _para(doc, report.title, "公文标题")
    _para(doc, DRAFT_MARK, "公文标题")
    _para(doc, "")
    _para(doc, report.opening)
    for index, part in enumerate(report.parts):
        _para(doc, part.heading, "公文一级标题")
        for text in part.lead:
            _para(doc, text)
        if index == CHART_PART and chart is not None:
            picture = _para(doc, "", "图片")
            picture.add_run().add_picture(str(chart), width=CHART_WIDTH)
            _para(doc, "图1　全年预算执行进度与时序进度", "图表题注")
        for section in part.sections:
            _para(doc, section.heading, "公文二级标题")
            for block in section.blocks:
                if isinstance(block, Table):
                    completion = len(block.headers) == COMPLETION_COLUMNS
                    _table(doc, block, COMPLETION_WIDTHS_MM if completion else None)
                else:
                    _para(doc, block)
        if index == RESULT_PART:
            score_tables(doc, report.evaluation, last_with_next=index == len(report.parts) - 1)
    _para(doc, "").paragraph_format.keep_with_next = True
    _flush(_para(doc, ISSUERS.format(region=report.region)), WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.keep_with_next = True
    _flush(_para(doc, "\u3000\u3000年\u3000\u3000月\u3000\u3000日"), WD_ALIGN_PARAGRAPH.RIGHT)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = temp_sibling(target, "part")
    doc.save(str(partial))
    partial.replace(target)
    return target


def self_evaluation_files(report: SelfReport, framework: Framework, dataset: Dataset, targets: Targets,
                          directory: Path, *, author: str) -> tuple[Path, Path]:
    """The 区域绩效自评表 (Word and Excel) of the documents work, its 偏差原因分析及改进措施 filled from
    the monitoring rounds where the units gave reasons and measures."""
    tables = self_evaluation_tables(report.evaluation, framework, dataset, targets)
    labels = [p.id for p in report.evaluation.programs]
    filled = []
    for program_id, table in zip(labels, tables, strict=True):
        rows = [replace(row, deviation=report.deviations.get((program_id, row.label), row.deviation)) if row.deviation
                else row for row in table.rows]
        filled.append(replace(table, rows=rows))
    return (write_self_evaluation_docx(filled, directory / SELF_EVALUATION_DOCX, author=author),
            write_self_evaluation_xlsx(filled, directory / SELF_EVALUATION_XLSX))

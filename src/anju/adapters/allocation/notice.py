"""The draft notice (关于下达……补助资金预算的通知) in the official document format, as .docx.

Built on :func:`anju.adapters.report.build_template.styled_document` — the same GB/T 9704 page,
fonts and named styles (公文标题, 公文正文, 附件说明, 附件标识, 表格文字 …) as the evaluation's
explanation. The body says what is allocated and how (the factor method's shares, and that assumed
weights must be confirmed before the notice is issued), asks the recipients to pass the funds on
within 30 days, lists the allocation table as 附件, and carries the table itself on the attachment
page (regions × programs, totals equal to the sums of the rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from anju.adapters.report.build_template import column_widths, fixed_table, styled_document
from anju.allocation.engine import Allocation
from anju.allocation.inputs import Resolved
from anju.decimals import fixed, plain

ONWARD_DAYS = 30
TEXT_WIDTH_MM = 156
NUMBER_WIDTH_MM, NAME_WIDTH_MM = 12, 36
DRAFT_MARK = "（代拟稿）"
BODY_STYLE = "公文正文"
ONWARD: dict[str, str] = {
    "province": (f"请你们在收到本通知后{ONWARD_DAYS}日内，按照因素法将资金分解下达到市县，并将分配结果报财政部备案，"
                 "同时抄送财政部当地监管局。"),
    "prefecture": f"请各市（州）财政局在收到本通知后{ONWARD_DAYS}日内，将资金分解下达到所辖县（市、区），并将分配结果报省财政厅备案。",
    "county": f"请各地在收到本通知后{ONWARD_DAYS}日内将资金落实到具体项目，并将资金安排情况报省财政厅备案。",
}
ONWARD_SENTENCE_KEY = f"收到本通知后{ONWARD_DAYS}日内"
"""The words every notice carries (the 资金分配 indicator checks the 30 days)."""


def notice_title(year: int) -> str:
    return f"关于下达{year}年中央财政城镇保障性安居工程补助资金预算的通知"


def attachment_title(year: int) -> str:
    return f"{year}年中央财政城镇保障性安居工程补助资金分配表"


def method_sentence(allocation: Allocation) -> str:
    """How the money was divided, one clause per distinct split (programs with the same split together)."""
    method = allocation.method
    groups: dict[tuple[str, str], list[str]] = {}
    for program in allocation.programs:
        split = (plain(program.method.task_share), plain(program.method.reward_share) if program.method.reward else "")
        groups.setdefault(split, []).append(program.label)
    parts = []
    for (task, reward), labels in groups.items():
        who = "、".join(labels) if len(labels) < len(allocation.programs) else "各项目"
        tail = f"、{reward}%根据上年度绩效评价结果分配" if reward else ""
        parts.append(f"{who}资金{task}%按任务量因素分配{tail}")
    difficulty = any(p.method.fiscal_difficulty.applies != "none" for p in allocation.programs)
    text = "本次资金按因素法分配：" + "；".join(parts) + ("，任务量因素以财政困难程度系数调节。" if difficulty else "。")
    if method.assumed():
        text += "测算所用的部分因素权重和系数为假设，正式下达前须按分配办法核定。"
    return text


def _para(doc: DocumentObject, text: str, style: str = BODY_STYLE) -> Paragraph:
    return doc.add_paragraph(text, style=style)


def _flush(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
    """No first-line indent (主送机关, 落款 and 版记 lines start at the margin or align right)."""
    paragraph.paragraph_format.first_line_indent = Pt(0)
    if align is not None:
        paragraph.paragraph_format.alignment = align
    return paragraph


def money(allocation: Allocation, value: Decimal) -> str:
    """万元 with the method's places (an official table shows every amount to the same places)."""
    return fixed(value, allocation.method.rounding.places)


def _amounts_sentence(allocation: Allocation, year: int) -> str:
    parts = "，".join(f"{p.label}{money(allocation, p.amount)}万元" for p in allocation.programs)
    return (f"现下达{year}年中央财政城镇保障性安居工程补助资金{money(allocation, allocation.total)}万元"
            f"（分地区金额见附件），其中{parts}。")


def _table(doc: DocumentObject, allocation: Allocation) -> None:
    programs = allocation.programs
    headers = ("序号", "地区", *(p.label for p in programs), "合计")
    table = fixed_table(doc, len(allocation.regions) + 2, headers)
    for row_index, (code, name) in enumerate(allocation.regions, start=1):
        cells = table.rows[row_index].cells
        values = [str(row_index), name, *(money(allocation, p.share(code).amount) for p in programs),
                  money(allocation, allocation.region_total(code))]
        for col, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = "表格文字" if col == 1 else "表格数字"
    totals = table.rows[-1].cells
    values = ["合计", "", *(money(allocation, p.amount) for p in programs), money(allocation, allocation.total)]
    for cell, text in zip(totals, values, strict=True):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = "表格标题行"
    merged = totals[0].merge(totals[1])
    for extra in merged.paragraphs[1:]:  # merging keeps the second cell's (empty) paragraph
        extra._p.getparent().remove(extra._p)
    width = (TEXT_WIDTH_MM - NUMBER_WIDTH_MM - NAME_WIDTH_MM) / (len(programs) + 1)
    column_widths(table, (NUMBER_WIDTH_MM, NAME_WIDTH_MM, *(width for _ in programs), width))


def write_notice(allocation: Allocation, target: Path, resolved: Resolved | None = None,
                 extra: Sequence[str] = ()) -> Path:
    """Write the draft notice atomically; ``extra`` paragraphs go after the onward-allocation sentence."""
    method = allocation.method
    year = resolved.inputs.year if resolved is not None else method.year
    level = resolved.inputs.level if resolved is not None else "province"
    recipients = resolved.recipients if resolved is not None else "各省、自治区、直辖市财政厅（局）"
    issuer = resolved.issuer if resolved is not None else "财政部"
    doc = styled_document()
    core = doc.core_properties
    core.title = notice_title(year)
    core.subject = "中央财政城镇保障性安居工程补助资金分配"
    core.author = "anju"
    core.comments = "由 anju 按因素法测算生成的代拟稿，须经审核后印发。"
    core.language = "zh-CN"
    _para(doc, notice_title(year), "公文标题")
    _para(doc, DRAFT_MARK, "公文标题")
    _para(doc, "")
    _flush(_para(doc, f"{recipients}："))
    _para(doc, f"根据《中央财政城镇保障性安居工程补助资金管理办法》有关规定，{_amounts_sentence(allocation, year)}")
    _para(doc, method_sentence(allocation))
    _para(doc, ONWARD[level])
    for text in extra:
        _para(doc, text)
    _para(doc, "请按照预算管理和预算绩效管理有关规定，加强资金管理，提高资金使用效益，并按规定做好绩效目标监控和绩效评价工作。")
    _para(doc, "")
    _para(doc, f"附件：{attachment_title(year)}", "附件说明")
    _para(doc, "")
    _flush(_para(doc, issuer), WD_ALIGN_PARAGRAPH.RIGHT)
    _flush(_para(doc, "\u3000\u3000年\u3000\u3000月\u3000\u3000日"), WD_ALIGN_PARAGRAPH.RIGHT)
    if resolved is not None and resolved.inputs.copy_to:
        _para(doc, "")
        _flush(_para(doc, f"抄送：{resolved.inputs.copy_to}。"))
    _para(doc, "附件", "附件标识")
    _para(doc, "")
    _para(doc, attachment_title(year), "公文标题")
    _flush(_para(doc, "单位：万元"), WD_ALIGN_PARAGRAPH.RIGHT)
    _table(doc, allocation)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    doc.save(str(partial))
    partial.replace(target)
    return target

"""The 报送函: the cover letter that sends the evaluation package to the 财政部 supervision bureau
(关于报送……绩效自评材料的函), as its own .docx on the GB/T 9704 page of the explanation.

发文字号 (a placeholder to fill in unless the dataset gives it), title, 主送 (财政部<short name>监管局),
one paragraph saying what is sent, the 附件 list (the explanation and each attachment the package
holds), the 落款 (署名 centred over the 成文日期, room for the seal) and the 附注 (联系人、电话).
"""

from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from anju.adapters.report.build_template import styled_document
from anju.adapters.report.content import ReportContent, split_title
from anju.adapters.report.properties import indent_attachment_list, place_signature, set_properties
from anju.wording import region_words

NUMBER_PLACEHOLDER = "〔{year}〕　号"


def short_name(region: str) -> str:
    """吉林省 → 吉林, 广西壮族自治区 → 广西, 新疆维吾尔自治区 → 新疆, 重庆市 → 重庆."""
    name = region
    for suffix in ("特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name.removesuffix(suffix)
            break
    for people in ("壮族", "回族", "维吾尔"):
        name = name.removesuffix(people)
    return name


def letter_title(content: ReportContent) -> str:
    return f"关于报送{content.year}年度城镇保障性安居工程资金绩效自评材料的函"


def letter_attachments(content: ReportContent, extra: list[str] | None = None) -> list[str]:
    """The 说明 with its own attachments, then what is sent beside it (the 绩效自评表)."""
    numbers = [a.number for a in content.attachments]
    span = f"（含附件{numbers[0]}—{numbers[-1]}）" if len(numbers) > 1 else ""
    return [content.title.removeprefix("关于") + span, *(extra or [])]


def write_letter(content: ReportContent, target: Path, extra_attachments: list[str] | None = None) -> Path:
    """The cover letter for ``content``'s package; ``extra_attachments`` (e.g. the 绩效自评表) are listed too."""
    doc = styled_document()
    block = content.signature
    issuer = block.issuers[0] if block else f"{content.region}财政厅"
    number = (block.document_number if block and block.document_number
              else "　　" + NUMBER_PLACEHOLDER.format(year=content.year + 1))
    para = doc.add_paragraph
    para("", "公文正文")
    para(number, "公文正文").alignment = WD_ALIGN_PARAGRAPH.CENTER
    para("", "公文正文")
    para("\n".join(split_title(letter_title(content))), "公文标题")
    para("", "公文正文")
    recipient = para(f"财政部{short_name(content.region)}监管局：", "公文正文")
    recipient.paragraph_format.first_line_indent = 0
    words = region_words(content.region)
    para(
        f"按照《中央财政城镇保障性安居工程补助资金管理办法》和绩效评价工作要求，{words.our}对{content.year}年度"
        "城镇保障性安居工程财政资金使用情况开展了绩效自评，现将自评材料报送你局，请审核。",
        "公文正文",
    )
    para("", "公文正文")
    attachments = letter_attachments(content, extra_attachments)
    for index, title in enumerate(attachments, start=1):
        para(("附件：" if index == 1 else "") + f"{index}.{title}", "附件说明")
    para("", "发文机关署名")
    para("", "发文机关署名")
    for name in block.issuers if block else [issuer]:
        para(name, "发文机关署名")
    para(block.date if block else "", "成文日期")
    if block and block.note:
        para(block.note, "公文正文")
    place_signature(doc)
    indent_attachment_list(doc)
    set_properties(doc, title=letter_title(content), author=issuer)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    doc.save(str(partial))
    partial.replace(target)
    return target

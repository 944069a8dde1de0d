"""What every Word document anju writes needs after rendering: the 落款 placed by GB/T 9704, and
document properties that name the issuing department (File › Properties, and the PDF's Author).

* ``place_signature``: each 发文机关署名 line centred over the 成文日期 (the date right-indented four
  characters; a name longer than the date moves right, never past the margin);
* ``set_properties``: title, author and last editor = the issuing department, created and modified
  now, no comments or keywords, no blank thumbnail, no application name, East Asian theme
  language zh-CN (python-docx's default template says ja-JP and "Microsoft Macintosh Word",
  created 2013).
"""

from __future__ import annotations

import datetime as dt
import re

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

SIGNER_STYLE = "发文机关署名"
DATE_STYLE = "成文日期"
DATE_RIGHT_CHARS = 4
_APPLICATION = re.compile(rb"<Application>[^<]*</Application>")


def _char_width(paragraph_style_size: Pt | None) -> int:
    return int((paragraph_style_size or Pt(16)).twips)


def place_signature(document: DocumentObject) -> None:
    """Right indents of the 署名 lines so each is centred over the date; the last 附件说明 line
    kept with the 落款 (the seal never falls on a page without text: no "此页无正文" needed)."""
    paragraphs = document.paragraphs
    listed = [p for p in paragraphs if p.style is not None and p.style.name == ATTACHMENT_STYLE]
    if listed:
        listed[-1].paragraph_format.keep_with_next = True
    dates = [p for p in paragraphs if p.style is not None and p.style.name == DATE_STYLE and p.text.strip()]
    if not dates:
        return
    date = dates[-1]
    char = _char_width(date.style.font.size if date.style is not None else None)
    date_chars = len(date.text.strip())
    for paragraph in paragraphs:
        if paragraph.style is None or paragraph.style.name != SIGNER_STYLE or not paragraph.text.strip():
            continue
        offset = DATE_RIGHT_CHARS + (date_chars - len(paragraph.text.strip())) / 2
        paragraph.paragraph_format.right_indent = Twips(max(0, round(offset * char)))


def set_properties(document: DocumentObject, *, title: str, author: str, subject: str = "") -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    core = document.core_properties
    core.title = title
    core.author = author
    core.last_modified_by = author
    core.subject = subject
    core.comments = ""
    core.keywords = ""
    core.category = ""
    core.created = now
    core.modified = now
    core.revision = 1
    core.language = "zh-CN"
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rel_id]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            part = rel.target_part
            blob = _APPLICATION.sub(b"<Application></Application>", part.blob)
            part._blob = blob
    settings = document.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


ATTACHMENT_STYLE = "附件说明"
ATTACHMENT_PREFIX = "附件："
_NUMBER = re.compile(r"^(附件：)?(\d+)\.")
LIST_INDENT_CHARS = 2
"""The 附件说明 starts two characters in (GB/T 9704 7.3.4: 正文下空一行左空二字编排)."""


def indent_attachment_list(document: DocumentObject) -> None:
    """Align every 附件说明 line by paragraph indentation (no U+3000 padding): the numbers of items
    2… under the "1." of the first, and a wrapped name's continuation under the name's first
    character (after "N.")."""
    for paragraph in document.paragraphs:
        if paragraph.style is None or paragraph.style.name != ATTACHMENT_STYLE:
            continue
        text = paragraph.text.lstrip("\u3000 ")
        match = _NUMBER.match(text)
        if match is None:
            continue
        if text != paragraph.text:  # an old template's U+3000 padding: drop it from the first run
            for run in paragraph.runs:
                stripped = run.text.lstrip("\u3000 ")
                if stripped != run.text or run.text:
                    run.text = stripped
                    if stripped:
                        break
        char = _char_width(paragraph.style.font.size)
        number = round((0.5 * len(match.group(2)) + 0.25) * char)  # Times New Roman digits are half an em
        prefix = 3 * char if match.group(1) else 0
        left = (LIST_INDENT_CHARS + 3) * char + number
        fmt = paragraph.paragraph_format
        fmt.left_indent = Twips(left)
        fmt.first_line_indent = Twips(-(prefix + number))
        ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
        if ind is not None:  # character-based values of the style would win over the twips
            for attr in ("w:leftChars", "w:hangingChars", "w:firstLineChars"):
                ind.set(qn(attr), "0")

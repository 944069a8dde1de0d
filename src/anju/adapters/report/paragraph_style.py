"""Paragraph styles set by name without python-docx's per-assignment search.

``paragraph.style = "表格文字"`` makes python-docx find the style by name (an XPath over every
style) and then the document's default paragraph style (a scan of every style) — for every
paragraph; a package's tables set about a thousand. :func:`set_style` looks each name up once per
document with the same python-docx call and writes the same ``w:pStyle``.
"""

from __future__ import annotations

from typing import Any

from docx.enum.style import WD_STYLE_TYPE

_CACHE = "_anju_paragraph_style_ids"


def style_id(part: Any, name: str) -> str | None:
    """The id python-docx writes for the paragraph style ``name`` of ``part``'s document (None for
    the default style), looked up once per document part."""
    ids: dict[str, str | None] = part.__dict__.setdefault(_CACHE, {})
    if name not in ids:
        ids[name] = part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
    return ids[name]


def set_style(paragraph: Any, name: str) -> None:
    """``paragraph.style = name``, the same XML, without searching the styles again."""
    paragraph._p.style = style_id(paragraph.part, name)


def add_paragraph(container: Any, text: str = "", style: str | None = None) -> Any:
    """``container.add_paragraph(text, style)`` (a document, a cell) with :func:`set_style`."""
    paragraph = container.add_paragraph(text)
    if style is not None:
        set_style(paragraph, style)
    return paragraph


def style_names(document: Any) -> set[str]:
    """The names of the document's styles (read once per document part)."""
    part = document.part
    names: set[str] | None = part.__dict__.get(_CACHE + "_names")
    if names is None:
        names = part.__dict__[_CACHE + "_names"] = {s.name for s in document.styles}
    return names

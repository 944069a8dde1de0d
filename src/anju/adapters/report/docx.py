"""Write the explanation as a Word document from a docxtpl template.

The shipped template (``templates/explanation.docx``, built by :mod:`build_template`) follows
GB/T 9704. A user may copy it (``anju report-template``), edit it in Word or WPS and pass it back
(``anju report --template``). Templates are rendered with Jinja's ``StrictUndefined``: an unknown
placeholder or broken Jinja is a :class:`TemplateProblem` naming the placeholder and the paragraph,
never a half-written document or a traceback.

Placeholders (see README): ``title`` ``title_display`` ``region`` ``year`` ``as_of`` ``opening``
``programs`` (each: ``heading`` ``summary`` ``label`` ``points`` ``score`` ``deduction`` ``grade``
``grade_text`` ``table_caption`` ``dimensions`` → ``heading`` ``label`` ``points`` ``score``
``indicators`` → ``label`` ``points`` ``score`` ``lead`` ``body`` ``text``; ``score_rows`` → ``label``
``name`` ``level`` ``level_label`` ``points`` ``score`` ``deduction`` ``basis`` ``reason``
``basis_and_reason`` ``fill``), ``attachments`` (``number`` ``title`` ``numbered`` ``prefix``),
``score_table`` and ``charts_section`` (``number`` ``title``; empty without ``--charts``), ``charts``
(``image`` ``caption`` ``program`` ``kind``), ``evidence_section`` (``number`` ``title``; empty when
there is no evidence) and ``evidence`` (the 佐证材料目录: ``number`` ``title`` ``document_number``
``issued`` ``indicators`` ``note`` ``unit`` ``file_name`` ``size`` ``sha256`` ``sha256_short``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Mm, Twips
from docxtpl import DocxTemplate, InlineImage
from jinja2 import (
    Environment,
    StrictUndefined,
    TemplateAssertionError,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
    meta,
)
from lxml import etree

from anju.adapters.report.appendix import UnitRow
from anju.adapters.report.appendix_docx import add_appendix_sections
from anju.adapters.report.charts import Chart
from anju.adapters.report.content import Attachment, ProgramSection, ReportContent, ScoreRow, split_title
from anju.adapters.report.evidence import EvidenceRow
from anju.adapters.report.properties import indent_attachment_list, place_signature, set_properties
from anju.decimals import plain
from anju.framework.models import Framework

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "explanation.docx"
"""Built by :mod:`anju.adapters.report.build_template`."""
CHART_WIDTH = Mm(150)
LEVEL_FILL = {1: "D9D9D9", 2: "F2F2F2"}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class TemplateProblem(Exception):
    """A template that cannot be used; ``problems`` are Chinese sentences naming where and what."""

    def __init__(self, template: Path, problems: list[str]) -> None:
        self.template = template
        self.problems = problems
        super().__init__(f"{template}：" + "；".join(problems))


def _score_row(row: ScoreRow) -> dict[str, Any]:
    basis = row.basis_and_reason
    return {
        "path": row.path,
        "level": row.level,
        "level_label": row.level_label,
        "name": row.label,
        "label": row.label,  # the hierarchy is the paragraph's left indent (indent_score_rows), not spaces
        "points": plain(row.points),
        "score": plain(row.score),
        "deduction": plain(row.deduction),
        "basis": row.basis,
        "reason": row.reason,
        "basis_and_reason": basis,
        "fill": LEVEL_FILL.get(row.level, "FFFFFF"),
    }


def _program(number: int, program: ProgramSection) -> dict[str, Any]:
    grade = program.grade_text
    return {
        "id": program.id,
        "number": number,
        "label": program.label,
        "heading": program.heading,
        "summary": program.summary,
        "points": plain(program.points),
        "score": plain(program.score),
        "deduction": plain(program.deduction),
        "grade": program.grade or "",
        "grade_text": grade,
        "table_caption": (
            f"{program.heading.split('、', 1)[0]}、{program.label}（满分{plain(program.points)}分，"
            f"得分{plain(program.score)}分）"
        ),
        "dimensions": [
            {
                "label": d.label,
                "heading": d.heading,
                "points": plain(d.points),
                "score": plain(d.score),
                "indicators": [
                    {
                        "label": i.label,
                        "points": plain(i.points),
                        "score": plain(i.score),
                        "lead": i.lead,
                        # "\a" is docxtpl's paragraph break: a narrative's paragraphs stay paragraphs.
                        "body": i.body.replace("\n", "\a"),
                        "text": i.text.replace("\n", "\a"),
                    }
                    for i in d.indicators
                ],
            }
            for d in program.dimensions
        ],
        "score_rows": [_score_row(row) for row in program.score_rows],
    }


def _attachment_heading(attachment: Attachment) -> dict[str, Any]:
    return {
        "number": attachment.number,
        "title": attachment.title,
        "title_display": "\n".join(split_title(attachment.title)),
    }


def _evidence_row(row: EvidenceRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "title": row.title,
        "document_number": row.document_number,
        "issued": row.issued,
        "indicators": row.indicators,
        "unit": row.unit,
        "file_name": row.file_name,
        "size": row.size,
        "sha256": row.sha256,
        "sha256_short": row.sha256_short,
        "note": row.note(full_hash=False),
    }


def _signature(content: ReportContent) -> dict[str, Any]:
    block = content.signature
    if block is None:
        return {"issuers": [f"{content.region}财政厅"], "date": "", "note": ""}
    return {"issuers": block.issuers, "date": block.date, "note": block.note}


def template_context(content: ReportContent, charts: Sequence[Chart], tpl: DocxTemplate | None) -> dict[str, Any]:
    """Everything a template may use. ``tpl`` is needed for images; ``None`` leaves them out."""
    attachments = [
        {
            "number": a.number,
            "title": a.title,
            "numbered": a.numbered,
            "prefix": "附件：" if index == 0 else "",  # alignment by paragraph indentation
        }
        for index, a in enumerate(content.attachments)
    ]
    return {
        "title": content.title,
        "title_display": "\n".join(content.title_lines()),
        "region": content.region,
        "year": content.year,
        "as_of": content.as_of,
        "opening": content.opening,
        "programs": [_program(n, p) for n, p in enumerate(content.programs, start=1)],
        "attachments": attachments,
        "score_table": _attachment_heading(content.score_table),
        "charts_section": _attachment_heading(content.charts) if content.charts else {},
        "evidence_section": _attachment_heading(content.evidence_list) if content.evidence_list else {},
        "evidence": [_evidence_row(row) for row in content.evidence],
        "signature": _signature(content),
        "charts": [
            {
                "program": chart.program_label,
                "kind": chart.kind,
                "caption": chart.caption,
                "image": InlineImage(tpl, str(chart.path), width=CHART_WIDTH) if tpl is not None else "",
            }
            for chart in charts
        ],
    }


# --- template checks -------------------------------------------------------------------------

_DOCXTPL_PREFIX = re.compile(r"(\{%-?|\{\{|\{#)\s*(?:p|tr|tc|r)\s")
_DOCXTPL_ONLY = re.compile(r"\{%\s*(?:colspan|cellbg)\s[^%]*%\}|\{%\s*(?:vm|hm)\s*%\}")


def _paragraph_texts(tpl: DocxTemplate) -> list[tuple[str, str]]:
    """(where, text) of every paragraph a user sees: body (tables included), headers, footers."""
    document = tpl.docx
    found: list[tuple[str, str]] = []
    counter = cells = 0
    for paragraph in document.element.body.iter(f"{_W}p"):
        text = "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))
        in_table = any(ancestor.tag == f"{_W}tc" for ancestor in paragraph.iterancestors())
        if in_table:  # counted as a user counts: body paragraphs only, table cells apart
            cells += 1
            found.append((f"正文第{counter}段之后的表格（第{cells}个单元格段落）", text))
        else:
            counter += 1
            found.append((f"正文第{counter}段", text))
    for section in document.sections:
        parts = (
            ("页眉", section.header), ("偶数页页眉", section.even_page_header), ("首页页眉", section.first_page_header),
            ("页脚", section.footer), ("偶数页页脚", section.even_page_footer), ("首页页脚", section.first_page_footer),
        )
        for kind, part in parts:
            if part.is_linked_to_previous:  # no definition of its own; reading it would add one
                continue
            for index, paragraph in enumerate(part.paragraphs, start=1):
                found.append((f"{kind}第{index}段", paragraph.text))
    return found


def _jinja_source(text: str) -> str:
    return _DOCXTPL_ONLY.sub("", _DOCXTPL_PREFIX.sub(lambda m: m.group(1) + " ", text))


def _short(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _syntax_hint(message: str) -> str:
    lowered = message.lower()
    if "unexpected end of template" in lowered and "endfor" in lowered:
        return "（缺少与 {%p for … %} 对应的 {%p endfor %}）"
    if "unexpected end of template" in lowered and "endif" in lowered:
        return "（缺少与 {%p if … %} 对应的 {%p endif %}）"
    if "unexpected end of template" in lowered:
        return "（有未闭合的 {% %} 块）"
    if "unexpected '}'" in lowered or "expected token 'end of print statement'" in lowered:
        return "（占位符应写作 {{ 名称 }}，两侧各两个花括号）"
    if "unknown tag" in lowered or "encountered unknown tag" in lowered:
        return "（未知的 {% %} 标签，或 endfor/endif 多余）"
    return ""


def check_template(tpl: DocxTemplate, path: Path, context: Mapping[str, Any], env: Environment) -> None:
    """Parse the template's text as Jinja paragraph by paragraph and name what is wrong."""
    paragraphs = _paragraph_texts(tpl)
    unbalanced = [
        f"{where}（“{_short(text)}”）的 {opening} 与 {closing} 不成对（占位符应写作 {{{{ 名称 }}}}，标签应写作 {{%p … %}}）"
        for where, text in paragraphs
        for opening, closing in (("{{", "}}"), ("{%", "%}"))
        if text.count(opening) != text.count(closing)
    ]
    if unbalanced:
        raise TemplateProblem(path, [f"Jinja 语法错误：{problem}" for problem in unbalanced])
    source = "\n".join(_jinja_source(text) for _, text in paragraphs)
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        line = exc.lineno or 1
        where, text = paragraphs[min(line, len(paragraphs)) - 1] if paragraphs else ("", "")
        raise TemplateProblem(
            path,
            [f"{where}（“{_short(text)}”）有 Jinja 语法错误：{exc.message}{_syntax_hint(exc.message or '')}"],
        ) from None
    try:
        undeclared = meta.find_undeclared_variables(ast)
    except TemplateAssertionError as exc:  # an unknown filter or test, found when compiling
        found = _NO_FILTER.search(str(exc)) or _NO_TEST.search(str(exc))
        name = found.group(1) if found else ""
        places = [f"{where}（“{_short(text)}”）" for where, text in paragraphs if name and name in text]
        raise TemplateProblem(path, [f"{'、'.join(places[:3]) or '模板中'}：{_template_error(exc)}"]) from None
    unknown = sorted(undeclared - set(context) - set(env.globals) - {"loop"})
    if unknown:
        problems = []
        for name in unknown:
            pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
            places = [f"{where}（“{_short(text)}”）" for where, text in paragraphs if pattern.search(_jinja_source(text))]
            location = "、".join(places[:3]) or "模板中"
            problems.append(f"{location}使用了未知的占位符“{name}”")
        available = "、".join(sorted(context))
        problems.append(f"可用的占位符：{available}")
        raise TemplateProblem(path, problems)


_UNDEFINED_ATTR = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined|has no element '?([^']+?)'?$")


def _undefined_problem(path: Path, exc: UndefinedError, tpl: DocxTemplate) -> TemplateProblem:
    message = exc.message or str(exc)
    match = _UNDEFINED_ATTR.search(message)
    name = next((g for g in match.groups() if g), "") if match else ""
    if not name:
        return TemplateProblem(path, [f"模板引用了不存在的占位符：{message}"])
    pattern = re.compile(rf"[\w.]*\.{re.escape(name)}\b|(?<![\w.]){re.escape(name)}\b")
    places = []
    for where, text in _paragraph_texts(tpl):
        found = pattern.search(_jinja_source(text))
        if found:
            places.append(f"{where}（“{_short(text)}”）的“{found.group(0)}”")
    location = "、".join(places[:3]) or "模板中"
    return TemplateProblem(path, [f"{location}引用了不存在的字段“{name}”（可用字段见 README“报告模板”一节）"])


_RUNTIME = {"ZeroDivisionError": "除数为0", "TypeError": "类型不符，如文字与数字相加", "KeyError": "没有这一项",
            "IndexError": "序号超出范围", "ValueError": "数值无效"}
_NO_FILTER = re.compile(r"No filter named '([^']+)'")
_NO_TEST = re.compile(r"No test named '([^']+)'")


def _template_error(exc: TemplateError) -> str:
    message = str(exc)
    if found := _NO_FILTER.search(message):
        return f"模板使用了不存在的过滤器“{found.group(1)}”（{{{{ 名称 | {found.group(1)} }}}}）：请删去“| {found.group(1)}”"
    if found := _NO_TEST.search(message):
        return f"模板使用了不存在的判断“is {found.group(1)}”：请改为 is defined、is none 等 Jinja 自带的判断，或删去"
    return f"模板无法渲染：{message}"


def open_template(path: Path) -> DocxTemplate:
    if not path.is_file():
        raise TemplateProblem(path, ["模板文件不存在"])
    try:
        tpl = DocxTemplate(str(path))
        tpl.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise TemplateProblem(
            path, [f"不是有效的 Word 文档（.docx），请在 Word 或 WPS 中“另存为 .docx”后再试（{exc}）"]
        ) from None
    return tpl


SCORE_INDENT_TWIPS = 240
"""One character of the table text (12 pt) per level below 一级指标."""


def indent_score_rows(document: Any, content: ReportContent) -> int:
    """Indent each 指标 cell of the score tables (附件5) by its level with the paragraph's left
    indent, so a wrapped name keeps its indent (GB/T 9704 tables; issue 10, item 11). The tables are
    found by their header ("指标") and row count, one per program in order; returns how many."""
    programs = iter(content.programs)
    program = next(programs, None)
    done = 0
    for table in document.tables:
        if program is None:
            break
        rows = table.rows
        if not rows or rows[0].cells[0].text.strip() != "指标" or len(rows) != len(program.score_rows) + 2:
            continue
        for row, score_row in zip(rows[1:], program.score_rows, strict=False):
            for paragraph in row.cells[0].paragraphs:
                paragraph.paragraph_format.left_indent = Twips(SCORE_INDENT_TWIPS * (score_row.level - 1))
        done += 1
        program = next(programs, None)
    return done


def write_docx(content: ReportContent, charts: Sequence[Chart], target: Path, template: Path | None = None,
               appendix: tuple[Framework, Sequence[UnitRow]] | None = None) -> Path:
    """Render ``content`` into ``target`` through ``template`` (the shipped one by default); with
    ``appendix`` (the framework and the rows of its appendix tables) 附件1–4 go in as a landscape section."""
    path = template or DEFAULT_TEMPLATE
    tpl = open_template(path)
    env = Environment(undefined=StrictUndefined, autoescape=True)
    context = template_context(content, charts, tpl)
    check_template(tpl, path, context, env)
    try:
        tpl.render(context, jinja_env=env)
    except UndefinedError as exc:
        raise _undefined_problem(path, exc, tpl) from None
    except TemplateSyntaxError as exc:
        nearby = " / ".join(_short(line) for line in getattr(exc, "docx_context", []) if line.strip())
        raise TemplateProblem(path, [f"Jinja 语法错误：{exc.message}{_syntax_hint(exc.message or '')}；附近文字：{nearby}"]) from None
    except TemplateError as exc:
        raise TemplateProblem(path, [_template_error(exc)]) from None
    except (ArithmeticError, TypeError, ValueError, LookupError) as exc:  # {{ year / 0 }}, {{ title + 1 }} …
        raise TemplateProblem(path, [f"模板中的表达式无法计算（{_RUNTIME.get(type(exc).__name__, '运算错误')}）："
                                     f"请检查 {{{{ }}}} 中的运算"]) from None
    place_signature(tpl.docx)
    indent_attachment_list(tpl.docx)
    indent_score_rows(tpl.docx, content)
    if appendix is not None:
        add_appendix_sections(tpl.docx, content, *appendix)
    issuer = content.signature.issuers[0] if content.signature else f"{content.region}财政厅"
    set_properties(tpl.docx, title=content.title, author=issuer)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    tpl.save(str(partial))
    partial.replace(target)
    return target

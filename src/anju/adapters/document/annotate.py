"""Write the audited document back as a .docx with a Word comment (批注) at each finding.

A .docx keeps everything it had; the run holding a wrong number is split so the comment covers the
number exactly (python-docx ≥ 1.2 comments, readable in Word and WPS). A .pdf, .txt or .md is
written as a new .docx with one paragraph per block, annotated the same way. Written atomically.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from anju.adapters.document.reader import docx_paragraphs, open_docx
from anju.audit import AuditResult, Finding
from anju.problems import Severity

AUTHOR = "anju 核查"
INITIALS = "anju"
ANNOTATED = (Severity.error, Severity.warning)
SIMPLE_RUN_CHILDREN = frozenset({qn("w:rPr"), qn("w:t")})


def comment_text(finding: Finding) -> str:
    lines = [f"【{finding.severity.label}】{finding.problem.message}"]
    if finding.place:
        lines.append(f"指标：{finding.place}")
    if finding.problem.stated is not None or finding.problem.computed is not None:
        stated = finding.problem.stated if finding.problem.stated is not None else "—"
        computed = finding.problem.computed if finding.problem.computed is not None else "—"
        lines.append(f"文中：{stated}；重新计算：{computed}（{finding.code}）")
    return "\n".join(lines)


def annotated_findings(result: AuditResult) -> list[Finding]:
    return [f for f in result.findings if f.severity in ANNOTATED and f.anchor is not None]


def annotate(result: AuditResult, source: Path, target: Path) -> int:
    """Write ``target``: the document with a comment at each error and warning; returns how many."""
    if result.document.format == "docx":
        document = open_docx(source)
        paragraphs = [entry.paragraph for entry in docx_paragraphs(document)]
    else:
        document = docx.Document()
        paragraphs = [document.add_paragraph(block.text) for block in result.document.blocks]
    count = 0
    for finding in annotated_findings(result):
        assert finding.anchor is not None
        index = finding.anchor.block - 1
        if not 0 <= index < len(paragraphs):
            continue
        runs = anchor_runs(paragraphs[index], finding.anchor.start, finding.anchor.end)
        if not runs:
            continue
        document.add_comment(runs, text=comment_text(finding), author=AUTHOR, initials=INITIALS)
        count += 1
    _save(document, target)
    return count


def _save(document: DocxDocument, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        document.save(tmp)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _runs(paragraph: Paragraph) -> list[Run]:
    out: list[Run] = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Run):
            out.append(item)
        else:
            out.extend(item.runs)
    return out


def anchor_runs(paragraph: Paragraph, start: int, end: int) -> Sequence[Run]:
    """The runs covering characters ``[start, end)`` of the paragraph's text, split at both ends
    when they are plain text runs; the whole paragraph's runs when the text does not line up."""
    runs = _runs(paragraph)
    if not runs:
        return []
    if "".join(r.text for r in runs) != paragraph.text or end <= start:
        return runs
    first = _split_at(paragraph, start)
    if first is None:
        return _covering(paragraph, start, end)
    last = _split_at(paragraph, end)
    if last is None:
        return _covering(paragraph, start, end)
    covered = _covering(paragraph, start, end)
    return covered or runs


def _offsets(paragraph: Paragraph) -> list[tuple[int, int, Run]]:
    out: list[tuple[int, int, Run]] = []
    pos = 0
    for run in _runs(paragraph):
        length = len(run.text)
        out.append((pos, pos + length, run))
        pos += length
    return out


def _covering(paragraph: Paragraph, start: int, end: int) -> list[Run]:
    return [run for a, b, run in _offsets(paragraph) if b > start and a < end and b > a]


def _split_at(paragraph: Paragraph, at: int) -> bool | None:
    """Make ``at`` a run boundary; True when it is one, None when the run there cannot be split."""
    for a, b, run in _offsets(paragraph):
        if at in (a, b):
            return True
        if a < at < b:
            element = run._r
            if any(child.tag not in SIMPLE_RUN_CHILDREN for child in element):
                return None
            text = run.text
            twin = copy.deepcopy(element)
            element.addnext(twin)
            Run(element, run._parent).text = text[:at - a]
            Run(twin, run._parent).text = text[at - a:]
            return True
    return True

"""The explanation as Markdown and as plain text, for review and diffs.

Same content as the Word document (:class:`ReportContent`), same order: title, opening, programs,
附件 list, then the score table, the charts (with ``--charts``) and (when there is evidence) the
佐证材料目录.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from anju.adapters.report.charts import Chart
from anju.adapters.report.content import ReportContent, ScoreRow
from anju.adapters.report.evidence import EvidenceRow
from anju.decimals import plain

SCORE_HEADERS = ("指标", "分值", "得分", "扣分", "计分依据", "扣分理由")
EVIDENCE_HEADERS = ("序号", "材料名称", "文号", "印发日期", "对应指标", "备注")


def _evidence_cells(row: EvidenceRow) -> tuple[str, ...]:
    """The 佐证材料目录's cells; 备注 last (the attached file with its full SHA-256), possibly empty."""
    return (str(row.number), row.title, row.document_number, row.issued, row.indicators, row.note())


def _cells(row: ScoreRow) -> tuple[str, ...]:
    return (row.label, plain(row.points), plain(row.score), plain(row.deduction), row.basis, row.reason)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def render_markdown(content: ReportContent, charts: Sequence[Chart] = (), base: Path | None = None) -> str:
    """Markdown; chart images are linked relative to ``base`` (the Markdown file's directory)."""
    lines: list[str] = [f"# {content.title}", "", content.opening, ""]
    for program in content.programs:
        lines += [f"## {program.heading}", "", program.summary, ""]
        for dimension in program.dimensions:
            lines += [f"### {dimension.heading}", ""]
            for indicator in dimension.indicators:
                first, *rest = _paragraphs(indicator.text)
                lines += [first, ""]
                for paragraph in rest:
                    lines += [paragraph, ""]
    lines += ["附件：", ""]
    lines += [f"{a.number}. {a.title}" for a in content.attachments]
    lines += ["", *_signature_lines(content, markdown=True)]
    lines += ["", f"## 附件{content.score_table.number}　{content.score_table.title}", ""]
    for program in content.programs:
        lines += [
            f"### {program.label}（满分{plain(program.points)}分，得分{plain(program.score)}分"
            + (f"，等级：{program.grade}" if program.grade else "")
            + "）",
            "",
            *([f"等级划分：{program.grade_scheme}", ""] if program.grade_scheme else []),
        ]
        lines.append("| " + " | ".join(SCORE_HEADERS) + " |")
        lines.append("| --- | ---: | ---: | ---: | --- | --- |")
        for row in program.score_rows:
            label = "　" * (row.level - 1) + (f"**{row.label}**" if row.level == 1 else row.label)
            cells = (label, *_cells(row)[1:])
            lines.append("| " + " | ".join(_md_escape(c) for c in cells) + " |")
        lines.append(
            f"| **合计** | {plain(program.points)} | {plain(program.score)} | {plain(program.deduction)} | | |"
        )
        lines.append("")
    if content.charts is not None:
        lines += [f"## 附件{content.charts.number}　{content.charts.title}", ""]
        for chart in charts:
            target = Path(os.path.relpath(chart.path, base)) if base else chart.path
            lines += [f"![{chart.caption}]({target.as_posix()})", "", chart.caption, ""]
    section = content.evidence_list
    if section is not None:
        lines += [f"## 附件{section.number}　{section.title}", ""]
        lines.append("| " + " | ".join(EVIDENCE_HEADERS) + " |")
        lines.append("| ---: | --- | --- | --- | --- | --- |")
        for entry in content.evidence:
            lines.append("| " + " | ".join(_md_escape(c) for c in _evidence_cells(entry)) + " |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def display_width(text: str) -> int:
    """Columns on a terminal: full-width (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def _signature_lines(content: ReportContent, *, markdown: bool) -> list[str]:
    """署名, 成文日期 and 附注 below the attachment list (right-aligned in Word)."""
    block = content.signature
    if block is None:
        return []
    lines = [*block.issuers, block.date]
    if markdown:
        lines = [f"<p align=\"right\">{line}</p>" for line in lines]
    return [*lines, *([block.note] if block.note else [])]


def render_text(content: ReportContent, charts: Sequence[Chart] = ()) -> str:
    """Plain text laid out like the seed: no markup, one paragraph a line."""
    lines: list[str] = [content.title, "", content.opening]
    for program in content.programs:
        lines += [program.heading, program.summary]
        for dimension in program.dimensions:
            lines.append(dimension.heading)
            for indicator in dimension.indicators:
                lines += _paragraphs(indicator.text)
    lines.append("")
    for index, attachment in enumerate(content.attachments):
        lines.append(("附件：" if index == 0 else "      ") + attachment.numbered)
    lines += ["", "", *_signature_lines(content, markdown=False)]
    lines += ["", "", f"附件{content.score_table.number}", "", content.score_table.title]
    for program in content.programs:
        lines += ["", f"{program.label}（满分{plain(program.points)}分，得分{plain(program.score)}分）"]
        rows = [(*SCORE_HEADERS[:4], "计分依据及扣分理由")]
        for row in program.score_rows:
            cells = _cells(row)
            basis = cells[4] + (f"；理由：{cells[5]}" if cells[5] else "")
            rows.append(("  " * (row.level - 1) + cells[0], cells[1], cells[2], cells[3], basis))
        rows.append(("合计", plain(program.points), plain(program.score), plain(program.deduction), ""))
        widths = [max(display_width(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            numbers = [_pad(r[i], max(widths[i], 4), right=True) for i in (1, 2, 3)]
            lines.append("  ".join([_pad(r[0], widths[0]), *numbers, r[4]]).rstrip())
    if content.charts is not None:
        lines += ["", "", f"附件{content.charts.number}", "", content.charts.title, ""]
        lines += [f"{chart.caption}：{chart.path.name}" for chart in charts]
    section = content.evidence_list
    if section is not None:
        lines += ["", "", f"附件{section.number}", "", section.title, ""]
        table = [EVIDENCE_HEADERS, *(_evidence_cells(entry) for entry in content.evidence)]
        widths = [max(display_width(t[i]) for t in table) for i in range(len(EVIDENCE_HEADERS) - 1)]
        for t in table:
            padded = [_pad(t[i], widths[i], right=i == 0) for i in range(len(widths))]
            lines.append("  ".join([*padded, t[-1]]).rstrip())
    return "\n".join(lines).rstrip() + "\n"

"""The evaluation package a province sends: the explanation (Word, Markdown, text, with the score
table, the charts and the list of evidence as attachments), the score table and the appendix tables
the framework declares (Excel), charts (PNG) and, where LibreOffice exists, a PDF.

``write_report`` writes all of it into one directory and returns the paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from anju.adapters.report.appendix import UnitRow, province_rows
from anju.adapters.report.charts import Chart, render_charts
from anju.adapters.report.content import ReportContent, build_content
from anju.adapters.report.docx import DEFAULT_TEMPLATE, TemplateProblem, write_docx
from anju.adapters.report.evidence import EvidenceEntry, cited_evidence
from anju.adapters.report.fonts import FontMissingError
from anju.adapters.report.markdown import render_markdown, render_text
from anju.adapters.report.pdf import PdfError, PdfUnavailable, convert_to_pdf
from anju.adapters.report.xlsx import write_appendix_workbook, write_score_workbook
from anju.dataset.models import Dataset
from anju.framework.models import Framework
from anju.scoring.result import Evaluation

__all__ = [
    "DEFAULT_TEMPLATE",
    "EvidenceEntry",
    "FontMissingError",
    "PdfError",
    "PdfUnavailable",
    "ReportFiles",
    "TemplateProblem",
    "UnitRow",
    "build_content",
    "cited_evidence",
    "province_rows",
    "write_report",
]

CHART_DIR = "图表"


@dataclass
class ReportFiles:
    """What :func:`write_report` wrote, labelled in Chinese for listing to a user."""

    docx: Path
    markdown: Path
    text: Path
    scores: Path
    appendix: Path
    charts: list[Chart] = field(default_factory=list)
    pdf: Path | None = None
    pdf_fonts: dict[str, str] = field(default_factory=dict)
    """Official font → the font the PDF used instead (when not installed)."""
    appendix_label: str = "附件统计表（Excel）"
    """How :meth:`listing` names the appendix workbook (``附件1–4 统计表（Excel，4个工作表）``)."""

    def listing(self) -> list[tuple[str, Path]]:
        items = [
            ("说明（Word）", self.docx),
            ("说明（Markdown）", self.markdown),
            ("说明（纯文本）", self.text),
            ("绩效评价指标得分表（Excel）", self.scores),
            (self.appendix_label, self.appendix),
        ]
        items += [(f"图表：{chart.caption.replace(chr(0x3000), ' ')}", chart.path) for chart in self.charts]
        if self.pdf is not None:
            items.append(("说明（PDF）", self.pdf))
        return items


def file_stem(content: ReportContent) -> str:
    return f"{content.region}{content.year}年度"


def appendix_span(content: ReportContent, dash: str = "–") -> str:
    """附件1–4: the numbers of the appendix tables the framework declares."""
    numbers = sorted(content.appendix_titles)
    if not numbers:
        return "附件"
    return f"附件{numbers[0]}{dash}{numbers[-1]}" if len(numbers) > 1 else f"附件{numbers[0]}"


def write_report(
    evaluation: Evaluation,
    framework: Framework,
    dataset: Dataset,
    directory: Path,
    *,
    template: Path | None = None,
    rows: Sequence[UnitRow] | None = None,
    pdf: bool = False,
    evidence: Sequence[EvidenceEntry] | None = None,
) -> ReportFiles:
    """Write every document into ``directory``.

    ``rows`` are the units of the appendix tables (default: the province's own figures); pass
    per-city rows to get one row per city. ``template`` replaces the shipped Word template.
    ``evidence`` is listed in the explanation's 佐证材料清单 (附件7); by default the documents cited
    in the judgements (:func:`cited_evidence`). Pass uploaded files together with
    ``cited_evidence(evaluation)`` to keep both; with no evidence the attachment is left out.
    A program or indicator unknown to the evaluation, or a framework without appendix tables (only a
    framework built in code can lack them), is a ``ValueError``.
    Raises :class:`TemplateProblem`, :class:`FontMissingError`, and with ``pdf``
    :class:`PdfUnavailable` / :class:`PdfError` — after the other files are written.
    """
    content = build_content(evaluation, framework, dataset, evidence)
    stem = file_stem(content)
    directory.mkdir(parents=True, exist_ok=True)
    charts = render_charts(evaluation, directory / CHART_DIR)
    docx = write_docx(content, charts, directory / f"{stem}绩效评价指标说明.docx", template)
    markdown = directory / f"{stem}绩效评价指标说明.md"
    markdown.write_text(render_markdown(content, charts, directory), encoding="utf-8")
    text = directory / f"{stem}绩效评价指标说明.txt"
    text.write_text(render_text(content, charts), encoding="utf-8")
    scores = write_score_workbook(directory / f"{stem}绩效评价指标得分表.xlsx", content)
    appendix = directory / f"{stem}绩效评价{appendix_span(content, '-')}统计表.xlsx"
    write_appendix_workbook(appendix, content, framework, rows if rows is not None else province_rows(dataset))
    label = f"{appendix_span(content)} 统计表（Excel，{len(content.appendix_titles)}个工作表）"
    files = ReportFiles(docx, markdown, text, scores, appendix, charts, appendix_label=label)
    if pdf:
        target, substitutions = convert_to_pdf(docx, docx.with_suffix(".pdf"))
        files.pdf = target
        files.pdf_fonts = {official: sub.family for official, sub in substitutions.items()}
    return files

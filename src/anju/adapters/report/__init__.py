"""The evaluation package a province sends: the explanation (Word, Markdown, text, with the score
table, optionally the charts, and the list of evidence as attachments), the score table and the appendix tables
the framework declares (Excel), charts (PNG) and, where LibreOffice exists, a PDF.

``write_report`` writes all of it into one directory, as a set, and returns the paths: every file
is rendered into a hidden staging directory beside the destination (``.报告目录.anju-<pid>.tmp``),
and only when the whole set is complete is it moved in — by one rename when the destination does
not exist yet, otherwise file by file (each by rename) after checking that every target can be
written, with the files of the earlier report of the same region and year that the new set does
not have removed (a PDF of the old explanation, charts of a program no longer evaluated:
:data:`REPORT_MARK`, :data:`REPORT_EXTENSIONS` and ``图表/图N-…png``); other regions' and years' documents stay. A failure or a kill during rendering leaves the destination
as it was; the staging directory is always removed (one left by a killed run is removed by the
next). Every write error is a :class:`anju.files.FileWriteError` naming the path and the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError

from anju.adapters.document.self_evaluation_table import (
    ProgramTable,
    self_evaluation_tables,
    write_self_evaluation_docx,
    write_self_evaluation_xlsx,
)
from anju.adapters.report.appendix import UnitRow, province_rows
from anju.adapters.report.charts import Chart, render_charts
from anju.adapters.report.checklist import (
    Checklist,
    build_checklist,
    render_checklist_markdown,
    write_checklist_workbook,
)
from anju.adapters.report.content import ReportContent, build_content
from anju.adapters.report.docx import DEFAULT_TEMPLATE, TemplateProblem, write_docx
from anju.adapters.report.evidence import EvidenceEntry, cited_evidence
from anju.adapters.report.fonts import FontMissingError
from anju.adapters.report.letter import write_letter
from anju.adapters.report.markdown import render_markdown, render_text
from anju.adapters.report.pdf import PdfError, PdfUnavailable, convert_to_pdf
from anju.adapters.report.xlsx import (
    write_appendix_workbook,
    write_attachment_score_workbook,
    write_score_workbook,
)
from anju.checks import run_checks
from anju.dataset.models import Dataset, Signature
from anju.files import FileWriteError, name_part, os_reason
from anju.framework.models import Framework
from anju.problems import Problem
from anju.scoring.result import Evaluation
from anju.targets.models import Targets
from anju.text import clean_deep

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
STAGING_TAG = ".anju-"
DOCX_SUFFIX = "绩效评价指标说明.docx"
WORKING_SCORES_SUFFIX = "绩效评价得分计算底稿（内部工作文件）.xlsx"
CHECKLIST_STEM = "绩效评价核对清单（内部）"
LETTER_SUFFIX = "绩效评价材料报送函.docx"
SELF_EVALUATION_STEM = "绩效评价区域绩效自评表"
REPORT_MARK = "绩效评价"
REPORT_EXTENSIONS = (".docx", ".md", ".txt", ".pdf", ".xlsx")
"""A report's documents are named ``<region><year>年度绩效评价….<extension>``: what an earlier set consisted of."""


@dataclass
class ReportFiles:
    """What :func:`write_report` wrote, labelled in Chinese for listing to a user."""

    docx: Path
    markdown: Path
    text: Path
    scores: Path
    """The internal working file: every score with its rule's provenance and the indicator ids."""
    appendix: Path
    attachment_scores: Path
    """附件5 as sent: the document's score table, nothing more."""
    checklist_markdown: Path
    checklist_workbook: Path
    checklist: Checklist
    letter: Path
    """The 报送函 to the supervision bureau."""
    self_evaluation_docx: Path
    self_evaluation_xlsx: Path
    """The MoF-format 区域绩效自评表, one table per program."""
    charts: list[Chart] = field(default_factory=list)
    pdf: Path | None = None
    pdf_fonts: dict[str, str] = field(default_factory=dict)
    """Official font → the font the PDF used instead (when not installed)."""
    appendix_label: str = "附件统计表（Excel）"
    attachment_scores_label: str = "绩效评价指标得分表（Excel）"
    """How :meth:`listing` names the appendix workbook (``附件1–4 统计表（Excel，4个工作表）``)."""

    def listing(self) -> list[tuple[str, Path]]:
        items = [
            ("报送函（Word）", self.letter),
            ("说明（Word）", self.docx),
            ("说明（Markdown）", self.markdown),
            ("说明（纯文本）", self.text),
            (self.attachment_scores_label, self.attachment_scores),
            ("区域绩效自评表（Word）", self.self_evaluation_docx),
            ("区域绩效自评表（Excel）", self.self_evaluation_xlsx),
            (self.appendix_label, self.appendix),
            ("核对清单（Markdown，内部，不报送）", self.checklist_markdown),
            ("核对清单（Excel，内部，不报送）", self.checklist_workbook),
            ("得分计算底稿（Excel，内部工作文件，不报送）", self.scores),
        ]
        items += [(f"图表：{chart.caption.replace(chr(0x3000), ' ')}", chart.path) for chart in self.charts]
        if self.pdf is not None:
            items.append(("说明（PDF）", self.pdf))
        return items


def file_stem(content: ReportContent) -> str:
    """The start of every file name: the region's name (shortened safely if need be) and the year."""
    return f"{name_part(content.region)}{content.year}年度"


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
    rows_note: str | None = None,
    source_notes: Sequence[str] = (),
    findings: Sequence[Problem] | None = None,
    signature: Signature | None = None,
    targets: Targets | None = None,
    charts: bool = False,
) -> ReportFiles:
    """Write every document into ``directory``.

    ``rows`` are the units of the appendix tables (default: the province's own figures); pass
    per-city rows to get one row per city. ``template`` replaces the shipped Word template.
    ``charts`` adds the charts (图表/*.png) as the attachment after the score table (附件6 in 2022);
    without them the 佐证材料目录 takes that number.
    ``evidence`` is listed in the explanation's 佐证材料目录 (附件7, or 附件6 without charts); by
    default the documents cited in the judgements (:func:`cited_evidence`, with the 文号 and 印发日期
    of the dataset's ``documents``). Pass uploaded files together with
    ``cited_evidence(evaluation)`` to keep both; with no evidence the attachment is left out.
    ``rows_note`` labels illustrative rows (示例数据): it is printed on every appendix table.
    ``targets`` (绩效目标) give the 区域绩效自评表 its 指标值; without them they come from the dataset.
    ``signature`` (署名, 成文日期, 联系人) replaces the dataset's for the 落款 and the 报送函.
    ``source_notes`` (which figures were used) and ``findings`` (default: :func:`run_checks`) go
    into the 核对清单 with the framework's assumptions and the internal notes.
    A program or indicator unknown to the evaluation, or a framework without appendix tables (only a
    framework built in code can lack them), is a ``ValueError``.
    Raises :class:`TemplateProblem`, :class:`FontMissingError`, and with ``pdf``
    :class:`PdfUnavailable` / :class:`PdfError` — after the other files are written.
    """
    # Text that reached the models without an entry point's sanitiser (built in code) must not break a writer.
    evaluation, dataset, rows, evidence, signature = clean_deep((evaluation, dataset, rows, evidence, signature))
    content = replace(build_content(evaluation, framework, dataset, evidence, signature, charts=charts),
                      rows_note=rows_note)
    found = run_checks(framework, dataset, evaluation) if findings is None else list(findings)
    checklist = build_checklist(evaluation, framework, dataset, found, source_notes=source_notes, rows_note=rows_note)
    tables = self_evaluation_tables(evaluation, framework, dataset, targets)
    _remove_stale_staging(directory)
    staging = directory.parent / f".{directory.name}{STAGING_TAG}{os.getpid()}.tmp"
    try:
        with _write_errors(staging, directory):
            staging.mkdir(parents=True, exist_ok=False)
            files = _render(content, checklist, evaluation, framework, dataset, staging, template=template, rows=rows,
                            pdf=pdf, tables=tables)
            return _move_in(files, staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def _write_errors(staging: Path, directory: Path) -> Iterator[None]:
    """OSError (and XlsxWriter's wrapper of one) as :class:`FileWriteError` naming the path the user
    asked for (the file's place in ``directory``, not in the staging directory)."""

    def shown(name: object) -> Path:
        path = Path(name) if isinstance(name, str) and name else directory
        with contextlib.suppress(ValueError):
            return directory / path.relative_to(staging)
        return directory if path == staging else path

    try:
        yield
    except FileWriteError:
        raise
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        if cause is None:
            raise FileWriteError(directory, "无法创建文件") from exc
        raise FileWriteError(shown(cause.filename), os_reason(cause)) from exc
    except OSError as exc:
        raise FileWriteError(shown(exc.filename), os_reason(exc)) from exc


def _render(  # noqa: PLR0917 - one internal call
    content: ReportContent,
    checklist: Checklist,
    evaluation: Evaluation,
    framework: Framework,
    dataset: Dataset,
    directory: Path,
    *,
    template: Path | None,
    rows: Sequence[UnitRow] | None,
    pdf: bool,
    tables: Sequence[ProgramTable],
) -> ReportFiles:
    stem = file_stem(content)
    drawn = render_charts(evaluation, directory / CHART_DIR) if content.with_charts else []
    unit_rows = rows if rows is not None else province_rows(dataset)
    docx = write_docx(content, drawn, directory / f"{stem}绩效评价指标说明.docx", template, (framework, unit_rows))
    markdown = directory / f"{stem}绩效评价指标说明.md"
    markdown.write_text(render_markdown(content, drawn, directory), encoding="utf-8")
    text = directory / f"{stem}绩效评价指标说明.txt"
    text.write_text(render_text(content, drawn), encoding="utf-8")
    scores = write_score_workbook(directory / f"{stem}{WORKING_SCORES_SUFFIX}", content)
    number = content.score_table.number
    attachment_scores = write_attachment_score_workbook(directory / f"{stem}绩效评价附件{number}指标得分表.xlsx", content)
    checklist_markdown = directory / f"{stem}{CHECKLIST_STEM}.md"
    checklist_markdown.write_text(render_checklist_markdown(checklist), encoding="utf-8")
    checklist_workbook = write_checklist_workbook(directory / f"{stem}{CHECKLIST_STEM}.xlsx", checklist)
    issuer = content.signature.issuers[0] if content.signature else f"{content.region}财政厅"
    self_docx = write_self_evaluation_docx(tables, directory / f"{stem}{SELF_EVALUATION_STEM}.docx", author=issuer)
    self_xlsx = write_self_evaluation_xlsx(tables, directory / f"{stem}{SELF_EVALUATION_STEM}.xlsx")
    letter = write_letter(content, directory / f"{stem}{LETTER_SUFFIX}",
                          [f"{content.year}年度{content.region}中央对地方转移支付区域绩效自评表"])
    appendix = directory / f"{stem}绩效评价{appendix_span(content, '-')}统计表.xlsx"
    write_appendix_workbook(appendix, content, framework, unit_rows)
    label = f"{appendix_span(content)} 统计表（Excel，{len(content.appendix_titles)}个工作表）"
    files = ReportFiles(docx, markdown, text, scores, appendix, attachment_scores, checklist_markdown, checklist_workbook,
                        checklist, letter, self_docx, self_xlsx, drawn, appendix_label=label,
                        attachment_scores_label=f"附件{number} 绩效评价指标得分表（Excel）")
    if pdf:
        target, substitutions = convert_to_pdf(docx, docx.with_suffix(".pdf"))
        files.pdf = target
        files.pdf_fonts = {official: sub.family for official, sub in substitutions.items()}
    return files


def _set_members(files: ReportFiles) -> list[Path]:
    members = [files.docx, files.markdown, files.text, files.scores, files.appendix, files.attachment_scores,
               files.checklist_markdown, files.checklist_workbook, files.letter,
               files.self_evaluation_docx, files.self_evaluation_xlsx, *(c.path for c in files.charts)]
    return [*members, files.pdf] if files.pdf is not None else members


def _move_in(files: ReportFiles, staging: Path, directory: Path) -> ReportFiles:
    """Put the complete set from ``staging`` into ``directory``; returns the files at their final paths."""
    relative = [path.relative_to(staging) for path in _set_members(files)]
    if not directory.exists():
        staging.rename(directory)  # one rename: the whole set appears at once
    else:
        previous = _previous_set(directory, files.docx.name.removesuffix(DOCX_SUFFIX))
        _check_writable(directory, relative)
        for rel in relative:
            (directory / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, directory / rel)
        for rel in previous - set(relative):
            with contextlib.suppress(OSError):
                (directory / rel).unlink()

    def moved(path: Path) -> Path:
        return directory / path.relative_to(staging)

    charts = [replace(chart, path=moved(chart.path)) for chart in files.charts]
    return replace(files, docx=moved(files.docx), markdown=moved(files.markdown), text=moved(files.text),
                   scores=moved(files.scores), appendix=moved(files.appendix),
                   attachment_scores=moved(files.attachment_scores),
                   checklist_markdown=moved(files.checklist_markdown),
                   checklist_workbook=moved(files.checklist_workbook), letter=moved(files.letter),
                   self_evaluation_docx=moved(files.self_evaluation_docx),
                   self_evaluation_xlsx=moved(files.self_evaluation_xlsx), charts=charts,
                   pdf=moved(files.pdf) if files.pdf is not None else None)


def _previous_set(directory: Path, stem: str) -> set[Path]:
    """The files of an earlier report of the same region and year in ``directory``, and its charts."""
    found: set[Path] = set()
    with contextlib.suppress(OSError):
        found |= {Path(p.name) for p in directory.glob(f"{stem}{REPORT_MARK}*")
                  if p.is_file() and p.suffix in REPORT_EXTENSIONS}
        charts = directory / CHART_DIR
        if charts.is_dir():
            found |= {Path(CHART_DIR) / p.name for p in charts.glob("图*-*.png") if p.is_file()}
    return found


def _check_writable(directory: Path, relative: list[Path]) -> None:
    """Before anything is moved: every target directory can be written and no target is a directory."""
    for folder in {directory / rel.parent for rel in relative}:
        if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise FileWriteError(folder, os_reason(PermissionError(13, "")))
        if folder.exists() and not folder.is_dir():
            raise FileWriteError(folder, "同名文件已存在，不是目录")
    for rel in relative:
        if (directory / rel).is_dir():
            raise FileWriteError(directory / rel, "同名目录已存在")


def _remove_stale_staging(directory: Path) -> None:
    """Staging directories left by killed runs (whose process is gone)."""
    with contextlib.suppress(OSError):
        for stale in directory.parent.glob(f".{directory.name}{STAGING_TAG}*.tmp"):
            pid = stale.name[len(f".{directory.name}{STAGING_TAG}"):-len(".tmp")]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""Documents of a stored evaluation run, made by the report adapters (:mod:`anju.adapters.report`):
the explanation (Word, and PDF where LibreOffice is installed), the score table and the four
appendix tables (one row per prefecture-level unit), plus the evidence list, the findings and the
raw result. The explanation's 佐证材料目录 lists the cycle's uploaded evidence files (all of them: the
document is the province's) and the documents cited in the judgements. Each run's package is
written once per set of evidence into the data directory and reused."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import astuple, dataclass
from pathlib import Path

from django.conf import settings

from anju.adapters.report import EvidenceEntry, cited_evidence, write_report
from anju.adapters.report.pdf import convert_to_pdf, soffice_path
from anju.framework.describe import place_label
from anju_web.evidence.models import EvidenceFile
from anju_web.exports import add_sheet, csv_bytes, workbook, workbook_bytes
from anju_web.reviews.assembly import appendix_rows
from anju_web.reviews.models import EvaluationRun
from anju_web.submissions.models import Cycle

KEY_CHARS = 12
"""Characters of a hash in a package directory's name."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocumentUnavailable(Exception):
    """The document cannot be made on this server (message in Chinese)."""


@dataclass(frozen=True)
class DocumentSpec:
    kind: str
    label: str
    filename: str
    content_type: str
    build: Callable[[Cycle, EvaluationRun], bytes]
    description: str = ""
    available: Callable[[], bool] = lambda: True


def evidence_entries(cycle: Cycle, run: EvaluationRun) -> list[EvidenceEntry]:
    """The run's judgement citations (with the dataset's 文号 and 印发日期) and every evidence file
    uploaded in the cycle, for the 佐证材料目录."""
    files = EvidenceFile.objects.filter(cycle=cycle).current().select_related("region")
    return [
        *cited_evidence(run.evaluation(), run.engine_dataset().documents),
        *(
            EvidenceEntry(
                program=f.program, item_path=f.item_path if f.program else "", unit=f.region.display_name,
                title=f.title, file_name=f.original_name, size=f.size, sha256=f.sha256,
            )
            for f in files
        ),
    ]


def _evidence_key(entries: list[EvidenceEntry]) -> str:
    text = json.dumps([astuple(e) for e in entries], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_CHARS]


def package_dir(run: EvaluationRun, evidence: list[EvidenceEntry]) -> Path:
    """One directory per run and set of evidence: a new upload gives a new explanation."""
    return Path(settings.DATA_DIR) / "reports" / f"run-{run.pk}-{run.input_hash[:KEY_CHARS]}-ev-{_evidence_key(evidence)}"


PACKAGE_FILES = ("docx", "markdown", "text", "attachment_scores", "appendix", "scores", "checklist_markdown",
                 "checklist_workbook")


@dataclass(frozen=True)
class Package:
    """The files of a written package the web serves (``scores`` is the sendable 附件5 workbook)."""

    docx: Path
    appendix: Path
    scores: Path
    checklist: Path


def _package(directory: Path) -> Package:
    names = json.loads((directory / "files.json").read_text(encoding="utf-8"))
    return Package(directory / names["docx"], directory / names["appendix"], directory / names["attachment_scores"],
                   directory / names["checklist_workbook"])


def _complete(directory: Path) -> bool:
    marker = directory / "files.json"
    return marker.exists() and all(k in json.loads(marker.read_text(encoding="utf-8")) for k in PACKAGE_FILES)


def package(cycle: Cycle, run: EvaluationRun) -> Package:
    """Write (once) and return the run's report package.

    Content-addressed and safe under concurrent requests: each request writes into its own fresh
    directory beside the target and renames it into place; the first to finish wins and the others
    discard theirs and read the winner's. A finished package is never removed or rewritten while a
    request may be reading it (review M3: two downloads right after a run gave 500)."""
    evidence = evidence_entries(cycle, run)
    directory = package_dir(run, evidence)
    if _complete(directory):
        return _package(directory)
    units = run.units_file()
    if units is None:
        raise DocumentUnavailable("这次评价运行保存于旧版本，没有保存各单位的填报数据，无法生成分地区附表：请重新运行评价")
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=directory.name + ".", suffix=".tmp", dir=directory.parent))
    try:
        files = write_report(run.evaluation(), cycle.framework, run.engine_dataset(), tmp,
                             rows=appendix_rows(cycle, units) or None, evidence=evidence)
        names = {k: getattr(files, k).name for k in PACKAGE_FILES}
        (tmp / "files.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
        if directory.exists() and not _complete(directory):  # a package from before the file set grew
            shutil.rmtree(directory, ignore_errors=True)
        try:
            tmp.rename(directory)
        except OSError:  # another request finished first: its package is the same content
            if not (directory / "files.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for stale in directory.parent.glob(f"run-{run.pk}-*"):  # packages made before the evidence changed
        if stale != directory and not stale.name.endswith(".tmp") and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    return _package(directory)


def build_docx(cycle: Cycle, run: EvaluationRun) -> bytes:
    return package(cycle, run).docx.read_bytes()


def build_pdf(cycle: Cycle, run: EvaluationRun) -> bytes:
    if soffice_path() is None:
        raise DocumentUnavailable("服务器未安装 LibreOffice，无法生成 PDF；请下载 Word 版本")
    docx = package(cycle, run).docx
    target = docx.with_suffix(".pdf")
    if not target.exists():
        # Converted to a name of this request's own, then renamed: a reader never sees half a PDF.
        handle, part = tempfile.mkstemp(prefix=target.stem + ".", suffix=".pdf.part", dir=target.parent)
        os.close(handle)
        try:
            convert_to_pdf(docx, Path(part))
            os.replace(part, target)
        finally:
            Path(part).unlink(missing_ok=True)
    return target.read_bytes()


def build_score_table(cycle: Cycle, run: EvaluationRun) -> bytes:
    return package(cycle, run).scores.read_bytes()


def build_appendix(cycle: Cycle, run: EvaluationRun) -> bytes:
    return package(cycle, run).appendix.read_bytes()


def build_findings(cycle: Cycle, run: EvaluationRun) -> bytes:
    framework = cycle.framework
    return csv_bytes(
        ["位置", "严重程度", "代码", "说明"],
        [[place_label(framework, p.where), p.severity.label, p.code, p.message] for p in run.problems()],
    )


def build_evidence_list(cycle: Cycle, run: EvaluationRun) -> bytes:
    labels = {p.id: p.label for p in run.evaluation().programs}
    files = EvidenceFile.objects.filter(cycle=cycle).current().select_related("region", "uploaded_by")
    wb = workbook()
    add_sheet(wb, "佐证材料清单", ["序号", "单位", "项目", "指标", "材料名称", "文件名", "大小（字节）", "SHA-256", "上传时间"], [
        [index, f.region.display_name, labels.get(f.program, f.program), f.item_path, f.title, f.original_name, f.size,
         f.sha256, f.uploaded_at.isoformat()]
        for index, f in enumerate(files, start=1)
    ], widths=[6, 16, 16, 30, 30, 30, 12, 66, 28])
    return workbook_bytes(wb)


def build_json(cycle: Cycle, run: EvaluationRun) -> bytes:
    payload = {"evaluation": run.result, "issues": run.issues}
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


DOCUMENTS: tuple[DocumentSpec, ...] = (
    DocumentSpec("explanation", "绩效评价指标说明（Word）", "绩效评价指标说明.docx", DOCX, build_docx,
                 "按官方格式逐项说明得分，含附件统计表、得分表和佐证材料目录"),
    DocumentSpec("explanation-pdf", "绩效评价指标说明（PDF）", "绩效评价指标说明.pdf", "application/pdf", build_pdf,
                 "由 LibreOffice 从 Word 版转换", available=lambda: soffice_path() is not None),
    DocumentSpec("score-table", "绩效评价指标得分表（Excel）", "绩效评价指标得分表.xlsx", XLSX, build_score_table,
                 "各项目逐项分值与得分"),
    DocumentSpec("appendix", "附件统计表（Excel）", "绩效评价附件统计表.xlsx", XLSX, build_appendix,
                 "指标体系声明的附件统计表，按地级市分行"),
    DocumentSpec("evidence", "佐证材料清单（Excel）", "佐证材料清单.xlsx", XLSX, build_evidence_list,
                 "全部佐证材料及其 SHA-256"),
    DocumentSpec("findings", "一致性检查结果（CSV）", "一致性检查结果.csv", "text/csv; charset=utf-8", build_findings,
                 "文中比例、小计与数据不一致之处"),
    DocumentSpec("json", "评价结果（JSON）", "评价结果.json", "application/json", build_json,
                 "引擎输出的完整评价结果，含每一分的计算依据"),
)


def available() -> tuple[DocumentSpec, ...]:
    return tuple(d for d in DOCUMENTS if d.available())


def find(kind: str) -> DocumentSpec | None:
    return next((d for d in DOCUMENTS if d.kind == kind), None)

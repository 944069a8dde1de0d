"""A unit's Excel workbook: the template pre-filled with what is stored, and an upload read by the
collection module's strict import (:func:`anju.adapters.excel.importer.import_workbook`) — every
cell through the one value reader, all or nothing. The validation rules are not run here: they run
once, when the report is saved (:func:`anju_web.submissions.services.save_unit_report`), and their
errors are stored and shown like the form's (they block 提交, not the upload)."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from anju.adapters.excel.importer import ImportContext, import_workbook
from anju.adapters.excel.template import write_template
from anju.collect.units import UnitReport
from anju.problems import ImportCode, Problem, ProblemsError, Severity, Where
from anju_web.regions.source import region_tree
from anju_web.submissions.models import Submission
from anju_web.submissions.units import layout_of, ruleset, unit_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookRefused(ProblemsError):
    """The workbook was not imported; every problem names its sheet and cell."""


VERSION_STAMP = "anju-submission-version:"
"""Written into the downloaded file's document keywords (docProps/core.xml): the submission's version
when it was downloaded, so an upload made from an older download is refused rather than silently
overwriting what was saved since (review M8)."""
_CORE = "docProps/core.xml"


def template_file(submission: Submission) -> tuple[str, bytes]:
    """The unit's template (file name and bytes), pre-filled with its stored report and stamped with
    the submission's version."""
    cycle = submission.cycle
    layout = layout_of(submission)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.xlsx"
        write_template(layout, path, deadline=cycle.deadline, rules=ruleset(cycle.framework_id),
                       values=unit_report(submission))
        return layout.file_name, _stamped(path.read_bytes(), submission.version)


def _stamped(payload: bytes, version: int) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(payload))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == _CORE:
                text = re.sub(r"<cp:keywords>.*?</cp:keywords>|<cp:keywords/>", "", data.decode("utf-8"), flags=re.S)
                text = text.replace("</cp:coreProperties>",
                                    f"<cp:keywords>{VERSION_STAMP}{version}</cp:keywords></cp:coreProperties>")
                data = text.encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


def downloaded_version(path: Path) -> int | None:
    """The submission version a workbook was downloaded at (None: not stamped, e.g. a blank template)."""
    try:
        with zipfile.ZipFile(path) as book:
            core = book.read(_CORE).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    found = re.search(re.escape(VERSION_STAMP) + r"(\d{1,9})", core)
    return int(found.group(1)) if found else None


def read_workbook(submission: Submission, chunks: Iterable[bytes], display: str) -> tuple[UnitReport, int | None]:
    """The report in an uploaded workbook of this submission's unit and the version it was downloaded
    at, or :class:`WorkbookRefused`."""
    cycle = submission.cycle
    tree = region_tree(cycle.region_id)
    context = ImportContext(framework=cycle.framework, trees={cycle.region_id: tree}, rules=None, year=cycle.year)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.xlsx"
        with path.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
        outcome = import_workbook(path, context, display=display)
        version = downloaded_version(path)
    problems: list[Problem] = []
    if outcome.unit is not None and outcome.unit != submission.region_id:
        problems.append(Problem(ImportCode.UNIT_UNKNOWN, Severity.error,
                                f"这是“{tree.unit(outcome.unit).display_name}”（{outcome.unit}）的填报表，不是本单位的",
                                Where(file=display, unit=outcome.unit)))
    problems += outcome.problems
    if problems or outcome.report is None:
        raise WorkbookRefused(problems or [Problem(ImportCode.FILE_UNREADABLE, Severity.error, "无法读取该文件",
                                                   Where(file=display))])
    return outcome.report, version

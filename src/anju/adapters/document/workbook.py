"""The batch summary workbook: one row per document (汇总), one row per finding (问题清单), and the
numbers left unchecked (未核对数字). Written with XlsxWriter, atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from anju.audit import AuditResult
from anju.decimals import plain

SUMMARY_HEADERS = ("文件", "地区", "年度", "指标体系", "项目", "文中总分", "计算总分", "错误", "警告", "提示",
                   "核对覆盖", "已核对数字", "数字总数")
FINDING_HEADERS = ("文件", "严重程度", "代码", "项目/指标", "位置", "文中", "重新计算", "说明", "原文")
UNCHECKED_HEADERS = ("文件", "位置", "数字", "原因", "原文")
WIDE, MEDIUM, NARROW = 60, 24, 10


def summary_row(result: AuditResult) -> list[str | int]:
    programs = "、".join(p.label for p in result.programs)
    stated = " / ".join(plain(p.stated_total) if p.stated_total is not None else "—" for p in result.programs)
    computed = " / ".join(
        (plain(p.computed_total) + ("" if p.complete else "*")) if p.computed_total is not None else "—"
        for p in result.programs)
    advisories = len(result.findings) - len(result.errors) - len(result.warnings)
    share = f"{result.coverage.checked}/{result.coverage.total}"
    return [result.document.name, result.region or "", result.year or "", result.framework_label or "未识别",
            programs, stated, computed, len(result.errors), len(result.warnings), advisories, share,
            result.coverage.checked, result.coverage.total]


def write_summary(results: Sequence[AuditResult], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        _write(results, Path(tmp))
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(results: Sequence[AuditResult], path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("汇总")
    sheet.write_row(0, 0, SUMMARY_HEADERS, head)
    for r, result in enumerate(results, start=1):
        sheet.write_row(r, 0, summary_row(result), wrap)
    sheet.set_column(0, 0, MEDIUM)
    sheet.set_column(1, len(SUMMARY_HEADERS) - 1, NARROW)
    sheet.set_column(4, 6, MEDIUM)
    sheet.freeze_panes(1, 1)
    sheet.write(len(results) + 2, 0, "计算总分带 * 的项目有指标未能从文中提取计分依据，按文中所述得分计入。")
    findings = book.add_worksheet("问题清单")
    findings.write_row(0, 0, FINDING_HEADERS, head)
    row = 1
    for result in results:
        for finding in result.findings:
            findings.write_row(row, 0, [
                result.document.name, finding.severity.label, finding.code, finding.place,
                finding.anchor.text() if finding.anchor else "", finding.problem.stated or "",
                finding.problem.computed or "", finding.problem.message, finding.quote,
            ], wrap)
            row += 1
    findings.set_column(0, 0, MEDIUM)
    findings.set_column(1, 2, NARROW)
    findings.set_column(3, 3, MEDIUM)
    findings.set_column(4, 6, NARROW)
    findings.set_column(7, 8, WIDE)
    findings.freeze_panes(1, 0)
    unchecked = book.add_worksheet("未核对数字")
    unchecked.write_row(0, 0, UNCHECKED_HEADERS, head)
    row = 1
    for result in results:
        for item in result.coverage.unchecked:
            unchecked.write_row(row, 0, [result.document.name, item.anchor.text(), item.text, item.reason, item.quote],
                                wrap)
            row += 1
    unchecked.set_column(0, 0, MEDIUM)
    unchecked.set_column(1, 2, NARROW)
    unchecked.set_column(3, 4, WIDE)
    book.close()

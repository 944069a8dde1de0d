"""``anju audit``: read explanation documents, recompute every claim, return findings (and, on
request, the annotated .docx and the extracted dataset). Exit 2 when a file cannot be read, 1 when
a finding is an error, else 0."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from anju.adapters.document import DocumentError, annotate, read_document, write_summary
from anju.audit import AuditResult, audit
from anju.audit.extract import dataset_yaml
from anju.cli.common import EXIT_BAD_INPUT, EXIT_FINDINGS, err_console, framework_arg, say
from anju.decimals import plain
from anju.framework import builtin_framework, builtin_years
from anju.framework.models import Framework
from anju.problems import Severity

AUTO = "auto"
DEFAULT_OUT = Path("out") / "audit"
SUMMARY_FILE = "核查汇总.xlsx"
ANNOTATED_SUFFIX = ".批注.docx"
SEVERITY_COLOR = {Severity.error: "red", Severity.warning: "yellow", Severity.advisory: "cyan"}


class Format(StrEnum):
    text = "text"
    json = "json"
    md = "md"


PROGRESS_FROM = 2
"""Documents from which a batch shows a progress bar."""


def _progress(total: int) -> Progress | None:
    """A progress bar on the terminal (standard error) while several documents are audited."""
    if total < PROGRESS_FROM or not err_console.is_terminal:
        return None
    return Progress(TextColumn("核查"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("{task.description}"), console=err_console, transient=True)


def audit_cmd(
    files: Annotated[list[Path], typer.Argument(help="说明材料或自评报告（.docx、.pdf、.txt、.md），可多个")],
    framework: Annotated[str, typer.Option("--framework", "-f", help="指标体系：auto（自动识别）、内置年度或目录")] = AUTO,
    output_format: Annotated[Format, typer.Option("--format", help="输出格式：text、json、md")] = Format.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="批注文件、提取的数据集和汇总表的保存目录（默认 out/audit）")] = None,
    annotated: Annotated[bool, typer.Option("--annotate", help="另存一份带批注的 .docx（每处错误、警告一条批注）")] = False,
    extract: Annotated[bool, typer.Option("--extract-dataset", help="把文中数字、得分和说明提取为 anju 数据集（<目录>/<文件名>/dataset.yaml）")] = False,
) -> None:
    """核查说明材料：提取文中每个数字关系并重新计算，按指标体系计分核对，列出每处不一致。

    示例：anju audit 吉林省说明.docx --annotate；anju audit 各省/*.docx -o out/各省核查
    """
    frameworks, forced = _frameworks(framework)
    target = output or DEFAULT_OUT
    results: list[AuditResult] = []
    unreadable: list[dict[str, Any]] = []
    progress = _progress(len(files))
    with progress if progress is not None else contextlib.nullcontext():
        task = progress.add_task("", total=len(files)) if progress is not None else None
        for done, path in enumerate(files):
            if progress is not None and task is not None:
                progress.update(task, completed=done, description=path.name)
            try:
                document = read_document(path)
            except DocumentError as exc:
                for problem in exc.problems:
                    err_console.print("无法读取：", style="bold red", end="")
                    err_console.print(problem.message)
                unreadable.append({"document": path.name, "error": "；".join(p.message for p in exc.problems)})
                continue
            result = audit(document, frameworks, forced=forced)
            results.append(result)
            written = _write_outputs(result, path, target, annotated, extract)
            if output_format is Format.text and len(files) == 1:
                print_result(result)
                for line in written:
                    say(line)
            elif output_format is Format.text:
                for line in written:
                    say(line)
    _report(results, unreadable, output_format, len(files))
    if len(results) > 1:
        summary = target / SUMMARY_FILE
        write_summary(results, summary)
        if output_format is Format.text:
            say(f"汇总表已保存：{summary}")
    if unreadable:
        raise typer.Exit(EXIT_BAD_INPUT)
    if any(r.errors for r in results):
        raise typer.Exit(EXIT_FINDINGS)


def _frameworks(ref: str) -> tuple[list[Framework], bool]:
    if ref == AUTO:
        return [builtin_framework(year) for year in builtin_years()], False
    return [framework_arg(ref)], True


def _write_outputs(result: AuditResult, path: Path, target: Path, annotated: bool, extract: bool) -> list[str]:
    lines: list[str] = []
    if annotated:
        out = target / f"{path.stem}{ANNOTATED_SUFFIX}"
        count = annotate(result, path, out)
        lines.append(f"带批注的文件已保存：{out}（{count} 条批注）")
    if extract:
        if result.dataset is None:
            lines.append(f"{path.name}：未识别出指标体系，无法提取数据集（可用 --framework 指定）")
        else:
            out = target / path.stem / "dataset.yaml"
            _atomic_text(out, dataset_yaml(result.dataset, result.extracts, path.name))
            lines.append(f"提取的数据集已保存：{out}（用 anju evaluate {out.parent} 计分）")
    return lines


def _atomic_text(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    Path(tmp).write_text(text, encoding="utf-8")
    Path(tmp).replace(target)


def _report(results: list[AuditResult], unreadable: list[dict[str, Any]], fmt: Format, files: int) -> None:
    if fmt is Format.json:
        payload = [r.as_dict() for r in results] + unreadable
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    elif fmt is Format.md:
        print("\n\n".join(markdown(r) for r in results))
    elif files > 1:
        print_summary(results)


def _totals(result: AuditResult) -> str:
    parts = []
    for p in result.programs:
        stated = plain(p.stated_total) if p.stated_total is not None else "—"
        computed = plain(p.computed_total) if p.computed_total is not None else "—"
        mark = "" if p.complete else "（部分指标未能提取计分依据）"
        parts.append(f"{p.label} {stated} / {computed}{mark}")
    return "；".join(parts)


def print_result(result: AuditResult) -> None:
    head = f"核查：{result.document.name}"
    if result.framework_label:
        head += f"（指标体系：{result.framework_label}；{result.region or '未识别地区'}{result.year or ''}年度）"
    else:
        head += "（未识别指标体系，只核对通用算术关系）"
    say(head)
    if result.programs:
        say(f"项目总分（文中 / 计算）：{_totals(result)}")
    counts = "，".join(f"{s.label} {n} 项" for s in Severity
                      if (n := sum(1 for f in result.findings if f.severity is s)))
    if not result.findings:
        say("未发现问题。")
    else:
        say(f"发现 {len(result.findings)} 项（{counts}）：", style="bold")
    for finding in result.findings:
        where = finding.anchor.text() if finding.anchor else ""
        say("  ", end="")
        say(finding.severity.label, style=SEVERITY_COLOR[finding.severity], end="")
        say(f" [{finding.code}] ", end="")
        say(f"{where} {finding.place}".strip())
        say(f"      {finding.problem.message}")
        if finding.quote:
            say(f"      原文：{finding.quote}")
    coverage = result.coverage
    say(f"核对覆盖：{coverage.text()}；未核对的 {len(coverage.unchecked)} 个数字：")
    for item in coverage.unchecked:
        say(f"  {item.anchor.text()} {item.text}：{item.reason}。原文：{item.quote}")


def print_summary(results: list[AuditResult]) -> None:
    """One line per document (a table would fold long file names on a narrow terminal)."""
    say("核查汇总（文件｜地区｜年度｜项目｜文中总分｜计算总分｜错误｜警告｜核对覆盖）：")
    for r in results:
        stated = " / ".join(plain(p.stated_total) if p.stated_total is not None else "—" for p in r.programs)
        computed = " / ".join((plain(p.computed_total) + ("" if p.complete else "*")) if p.computed_total is not None
                              else "—" for p in r.programs)
        cells = [r.document.name, r.region or "—", str(r.year or "—"), "、".join(p.label for p in r.programs) or "—",
                 stated or "—", computed or "—", f"错误 {len(r.errors)}", f"警告 {len(r.warnings)}",
                 f"{r.coverage.checked}/{r.coverage.total}"]
        say("  " + "｜".join(cells))
    if any(not p.complete for r in results for p in r.programs):
        say("  计算总分带 * 的项目有指标未能从文中提取计分依据，按文中所述得分计入。")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(result: AuditResult) -> str:
    lines = [f"# 核查：{result.document.name}", ""]
    if result.framework_label:
        lines.append(f"- 指标体系：{result.framework_label}")
        lines.append(f"- 地区、年度：{result.region or '未识别'} {result.year or ''}")
    if result.programs:
        lines.append(f"- 项目总分（文中 / 计算）：{_totals(result)}")
    lines.append(f"- 核对覆盖：{result.coverage.text()}")
    lines += ["", "## 发现的问题", ""]
    if not result.findings:
        lines.append("未发现问题。")
    else:
        lines += ["| 严重程度 | 代码 | 位置 | 指标 | 说明 | 原文 |", "| --- | --- | --- | --- | --- | --- |"]
        for f in result.findings:
            lines.append(f"| {f.severity.label} | {f.code} | {f.anchor.text() if f.anchor else ''} | "
                         f"{_md_cell(f.place)} | {_md_cell(f.problem.message)} | {_md_cell(f.quote)} |")
    lines += ["", "## 未核对的数字", ""]
    if result.coverage.unchecked:
        lines += ["| 位置 | 数字 | 原因 | 原文 |", "| --- | --- | --- | --- |"]
        for u in result.coverage.unchecked:
            lines.append(f"| {u.anchor.text()} | {u.text} | {_md_cell(u.reason)} | {_md_cell(u.quote)} |")
    else:
        lines.append("文中所有数字均已核对。")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit_cmd)

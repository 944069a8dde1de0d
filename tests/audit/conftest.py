"""Shared helpers for the audit tests: the seed text (a copy of shared/seed/000_ba98eaf8f8da724e.txt),
audits of a text with and without the 2022 framework, and documents made as .docx and .pdf."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from anju.audit import AuditResult, Finding, audit, from_text
from anju.framework import builtin_framework
from anju.problems import Severity

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "audit"
SEED = FIXTURES / "seed.txt"
SOFFICE_MISSING = (
    "LibreOffice（soffice）未安装，无法把测试文档转换为 PDF：请以 root 运行 apt-get install libreoffice-writer。"
    "PDF 读取测试需要它，不能跳过。"
)


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def run(text: str, *, framework: bool = True, name: str = "doc.txt") -> AuditResult:
    frameworks = [builtin_framework("2022")] if framework else []
    return audit(from_text(name, text), frameworks)


def errors(result: AuditResult) -> list[Finding]:
    return [f for f in result.findings if f.severity is Severity.error]


def codes(result: AuditResult, severity: Severity | None = None) -> list[str]:
    return [f.code for f in result.findings if severity is None or f.severity is severity]


def write_docx(text: str, path: Path) -> Path:
    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line)
    document.save(str(path))
    return path


def to_pdf(source: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail(SOFFICE_MISSING)
    profile = source.parent / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(source.parent), str(source)],
        check=True, capture_output=True, timeout=240,
    )
    target = source.with_suffix(".pdf")
    assert target.is_file(), f"LibreOffice 没有生成 {target.name}"
    return target


@pytest.fixture(scope="session")
def seed_result() -> AuditResult:
    return run(seed_text(), name="seed.txt")

"""The manuals as one printable PDF: one HTML document (cover, contents, each manual on new pages),
printed by Debian's chromium in headless mode. Written to a temporary file and renamed into place."""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils import timezone

from anju_web.help.manuals import IMAGE_DIR, MANUALS, headings, render

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PRINT_TIMEOUT_S = 180

STYLE = """
@page { size: A4; margin: 20mm 18mm 20mm 18mm; }
body { font-family: "Noto Sans CJK SC", "Noto Sans CJK", sans-serif; font-size: 11pt; line-height: 1.7; color: #111; }
h1 { font-size: 20pt; page-break-before: always; margin-top: 0; }
h1.cover { page-break-before: avoid; font-size: 28pt; margin-top: 60mm; text-align: center; }
p.cover { text-align: center; font-size: 13pt; }
h2 { font-size: 14pt; margin-top: 18pt; page-break-after: avoid; }
h3 { font-size: 12pt; page-break-after: avoid; }
img { max-width: 100%; border: 1px solid #ccc; page-break-inside: avoid; display: block; margin: 6pt 0; }
table { border-collapse: collapse; width: 100%; page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 3pt 6pt; vertical-align: top; }
pre { background: #f3f3f3; padding: 6pt; white-space: pre-wrap; word-break: break-all; font-size: 9pt; }
code { font-family: "Noto Sans Mono CJK SC", monospace; }
.toc { page-break-before: always; }
.toc ol { line-height: 2; }
"""


class ManualBuildError(Exception):
    """The PDF could not be written; the message is for the user (Chinese)."""


def manual_html(today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    parts = [
        "<!DOCTYPE html><html lang='zh-Hans'><head><meta charset='utf-8'>",
        f"<title>安居操作手册</title><style>{STYLE}</style></head><body>",
        "<h1 class='cover'>安居 · 城镇保障性安居工程绩效评价系统<br>操作手册</h1>",
        f"<p class='cover'>{today.year}年{today.month}月{today.day}日</p>",
        "<div class='toc'><h2>目录</h2><ol>",
    ]
    for manual in MANUALS:
        sections = "、".join(html.escape(s) for s in headings(manual))
        parts.append(f"<li><strong>{html.escape(manual.title)}</strong>：{sections}</li>")
    parts.append("</ol></div>")
    for manual in MANUALS:
        parts.append(render(manual, lambda name: (IMAGE_DIR / name).as_uri()))
    parts.append("</body></html>")
    return "".join(parts)


def chromium() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    raise ManualBuildError("未找到 chromium，无法生成 PDF：请以 root 运行 make sysdeps-browser（或 apt-get install chromium）")


def build_pdf(output: Path) -> Path:
    browser = chromium()
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="anju-manual-") as tmp:
        page = Path(tmp) / "manual.html"
        page.write_text(manual_html(), encoding="utf-8")
        printed = Path(tmp) / "manual.pdf"
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--no-pdf-header-footer",
                   f"--user-data-dir={tmp}/profile", f"--print-to-pdf={printed}", page.as_uri()]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=PRINT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise ManualBuildError(f"chromium 在 {PRINT_TIMEOUT_S} 秒内未完成打印，PDF 未生成") from None
        except subprocess.CalledProcessError as exc:
            tail = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["（无输出）"]
            raise ManualBuildError(f"chromium 打印失败（退出码 {exc.returncode}）：{tail[0]}") from None
        if not printed.exists() or printed.stat().st_size == 0:
            raise ManualBuildError("chromium 没有写出 PDF")
        partial = output.with_name(f".{output.name}.part")
        shutil.copyfile(printed, partial)
        os.replace(partial, output)
    return output

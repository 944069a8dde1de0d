"""Benchmark: a 监管局 reviewer's batch — audit 31 documents the size of the seed, one per province
(run: .venv/bin/python benchmarks/audit_bench.py [--format docx|txt|pdf] [--annotate]).

Each document is the seed with the province's name and its figures shifted a little (so no two are
alike), written as .docx (or .txt / .pdf). The clock covers reading, auditing (generic claims,
extraction, scoring, checks) and, with ``--annotate``, writing the annotated copy; making the files
is not timed. Aim: all 31 in under 10 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx

from anju.adapters.document import annotate, read_document
from anju.audit import audit
from anju.audit.extract import provinces
from anju.framework import builtin_framework

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "audit" / "seed.txt"
AIM_SECONDS = 10.0


def variant(text: str, name: str, rng: random.Random) -> str:
    """The seed for another province: its name, and the figures of one sentence shifted a little
    (a figure and its stated rate together, so the variant keeps the seed's own three errors)."""
    text = text.replace("吉林省", name).replace("吉林", name.rstrip("省市"))
    households = rng.randint(197700, 199500)
    return text.replace("实际开工198800 户", f"实际开工{households} 户")


def make(folder: Path, fmt: str) -> list[Path]:
    rng = random.Random(2022)
    seed = SEED.read_text(encoding="utf-8")
    paths: list[Path] = []
    for code, name in sorted(provinces().items()):
        text = variant(seed, name, rng)
        path = folder / f"{code}_{name}.{ 'docx' if fmt in ('docx', 'pdf') else 'txt'}"
        if fmt == "txt":
            path.write_text(text, encoding="utf-8")
        else:
            document = docx.Document()
            for line in text.splitlines():
                if line.strip():
                    document.add_paragraph(line)
            document.save(str(path))
        paths.append(path)
    if fmt == "pdf":
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None:
            sys.exit("LibreOffice（soffice）未安装，无法生成 PDF：apt-get install libreoffice-writer")
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder), *map(str, paths)],
                       check=True, capture_output=True, timeout=900)
        paths = [p.with_suffix(".pdf") for p in paths]
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--format", choices=("docx", "txt", "pdf"), default="docx")
    parser.add_argument("--annotate", action="store_true", help="also write the annotated .docx of each")
    args = parser.parse_args()
    frameworks = [builtin_framework("2022")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make(folder, args.format)
        start = time.perf_counter()
        errors = 0
        for path in paths:
            result = audit(read_document(path), frameworks)
            errors += len(result.errors)
            if args.annotate:
                annotate(result, path, folder / "out" / f"{path.stem}.批注.docx")
        elapsed = time.perf_counter() - start
    rate = len(paths) / elapsed
    verdict = "达到" if elapsed < AIM_SECONDS else "未达到"
    print(f"核查 {len(paths)} 份 .{args.format} 说明材料{'（含写批注）' if args.annotate else ''}："
          f"{elapsed:.2f} 秒，{rate:.1f} 份/秒，共发现错误 {errors} 项；{verdict} {AIM_SECONDS:.0f} 秒内完成的目标。")


if __name__ == "__main__":
    main()

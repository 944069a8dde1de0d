"""Evidence (佐证材料) listed in the explanation's last attachment (佐证材料清单).

An :class:`EvidenceEntry` is one document supporting a score: a file uploaded for a unit, a program
and an indicator (with its name, size and SHA-256), or a document an evaluator cited in a judgement
(``ItemResult.evidence``, title only). :func:`cited_evidence` gives the cited ones of an evaluation;
:func:`evidence_rows` turns entries into the table's text, labels resolved from the framework.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from anju.decimals import plain, round_half_up
from anju.framework.models import Framework
from anju.scoring.result import Evaluation

NONE = "—"
KIB = 1024
CITED = "引用文件"
"""The 文件 column of a document cited in a judgement, with no file attached."""
HASH_PREFIX = 16
"""Hex characters of the SHA-256 shown in the Word table (the Markdown and text show all 64)."""
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class EvidenceEntry:
    """One row of the 佐证材料清单.

    ``program`` is a program id (``rental`` …) and ``item_path`` an indicator path in it; either may
    be empty (evidence for the whole unit). ``unit`` is the reporting unit's name (or the province's).
    ``file_name``, ``size`` (bytes) and ``sha256`` (64 lowercase hex) describe an uploaded file; a
    document only cited in a judgement has none of them."""

    program: str
    item_path: str
    unit: str
    title: str
    file_name: str = ""
    size: int | None = None
    sha256: str = ""

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError(f"佐证材料缺少名称（{self.unit} {self.program} {self.item_path}）")
        if self.sha256 and not _SHA256.fullmatch(self.sha256):
            raise ValueError(f"佐证材料“{self.title}”的 SHA-256 应为 64 位小写十六进制数，实为“{self.sha256}”")
        if self.size is not None and self.size < 0:
            raise ValueError(f"佐证材料“{self.title}”的大小不能为负数：{self.size}")
        if self.item_path and not self.program:
            raise ValueError(f"佐证材料“{self.title}”指明了指标“{self.item_path}”却没有指明项目")

    @property
    def cited(self) -> bool:
        """A document named in a judgement, with no file attached."""
        return not self.file_name and not self.sha256


@dataclass(frozen=True)
class EvidenceRow:
    """One row of the table as text."""

    number: int
    program: str
    item: str
    unit: str
    title: str
    file_name: str
    size: str
    sha256: str
    """Full digest, or "—"."""

    @property
    def sha256_short(self) -> str:
        return self.sha256[:HASH_PREFIX] if self.sha256 != NONE else NONE


def cited_evidence(evaluation: Evaluation) -> list[EvidenceEntry]:
    """Every document an evaluator cited in a judgement (``ItemResult.evidence``), for the province."""
    return [
        EvidenceEntry(program.id, item.path, evaluation.region_name, title.strip())
        for program in evaluation.programs
        for item in program.items()
        for title in item.evidence
        if title.strip()
    ]


def size_text(size: int | None) -> str:
    """512 → "512 B", 12800 → "12.5 KB", 3355443 → "3.2 MB" (binary units, rounded half up)."""
    if size is None:
        return NONE
    if size < KIB:
        return f"{size} B"
    for unit, scale in (("KB", KIB), ("MB", KIB**2), ("GB", KIB**3)):
        value = round_half_up(Decimal(size) / scale, 1)
        if value < KIB or unit == "GB":
            return f"{plain(value)} {unit}"
    raise AssertionError("unreachable")


def item_label(framework: Framework, program: str, path: str) -> str:
    """An indicator's label; a criterion (third level and below) is preceded by its indicator's."""
    items = dict(framework.program(program).items())
    if path not in items:
        raise KeyError(path)
    parts = path.split(".")
    shown = [".".join(parts[:n]) for n in range(min(2, len(parts)), len(parts) + 1)]
    return "·".join(items[p].label for p in shown if p in items)


def evidence_rows(entries: Sequence[EvidenceEntry], evaluation: Evaluation, framework: Framework) -> list[EvidenceRow]:
    """The table's rows in the order of the programs and indicators (entries for a whole program
    after its indicators, entries for no program last; otherwise in the given order), numbered."""
    programs = {p.id: i for i, p in enumerate(evaluation.programs)}
    items = {(p.id, item.path): i for p in evaluation.programs for i, item in enumerate(p.items())}
    labels = {p.id: p.label for p in evaluation.programs}

    def key(entry: EvidenceEntry) -> tuple[int, int]:
        return (programs.get(entry.program, len(programs)), items.get((entry.program, entry.item_path), len(items)))

    for entry in entries:
        if entry.program and entry.program not in labels:
            raise ValueError(f"佐证材料“{entry.title}”的项目“{entry.program}”不在本次评价中")
    rows = []
    for number, entry in enumerate(sorted(entries, key=key), start=1):
        if entry.item_path:
            try:
                item = item_label(framework, entry.program, entry.item_path)
            except KeyError:
                raise ValueError(
                    f"佐证材料“{entry.title}”的指标“{entry.item_path}”不在{labels[entry.program]}的指标体系中"
                ) from None
        else:
            item = NONE
        rows.append(
            EvidenceRow(
                number=number,
                program=labels.get(entry.program, NONE),
                item=item,
                unit=entry.unit or NONE,
                title=entry.title.strip(),
                file_name=CITED if entry.cited else (entry.file_name or NONE),
                size=size_text(entry.size),
                sha256=entry.sha256 or NONE,
            )
        )
    return rows

"""Evidence (佐证材料) listed in the explanation's last attachment (佐证材料目录).

An :class:`EvidenceEntry` is one document supporting a score: a file uploaded for a unit, a program
and an indicator (with its name, size and SHA-256), or a document an evaluator cited in a judgement
(``ItemResult.evidence``, title only). :func:`cited_evidence` gives the cited ones of an evaluation;
:func:`evidence_rows` turns entries into the table's text, labels resolved from the framework.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from anju.dataset.models import CitedDocument
from anju.dates import chinese_date
from anju.decimals import plain, round_half_up
from anju.framework.models import Framework
from anju.scoring.result import Evaluation

NONE = "—"
KIB = 1024
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
    document_number: str = ""
    """文号, where known."""
    issued: str = ""
    """印发日期 as text (2021年12月31日), where known."""
    issuer: str = ""
    """印发机关, where known."""

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
    """One row of the 佐证材料目录 as text: one document, however many indicators it supports."""

    number: int
    title: str
    document_number: str
    """文号, or "—" when not known."""
    issued: str
    """印发日期 (2021年12月31日, or 2022年 when only the year is known), or "—"."""
    indicators: str
    """The indicators it supports: 住房租赁保障、城市棚户区改造：资金分配；城镇老旧小区改造：项目储备库."""
    unit: str = ""
    """The unit that supplied it, when it is not the region itself; else empty."""
    issuer: str = ""
    """印发机关, where known."""
    file_name: str = ""
    """An attached file's name; empty for a document that is only cited."""
    size: str = ""
    sha256: str = ""
    """An attached file's full digest; empty for a document that is only cited."""

    def note(self, full_hash: bool = True) -> str:
        """备注: who issued it (where known), who supplied it (when not the region itself) and the
        attached file (name, size, SHA-256); empty for a cited document known by name only. The Word table shows the digest's first 16 characters."""
        parts = [f"{self.issuer}印发"] if self.issuer else []
        if self.unit:
            parts.append(f"{self.unit}报送")
        if self.file_name:
            digest = self.sha256 if full_hash else self.sha256[:HASH_PREFIX]
            detail = "，".join(p for p in (self.size, f"SHA-256：{digest}" if digest else "") if p)
            parts.append(f"电子文件：{self.file_name}" + (f"（{detail}）" if detail else ""))
        return "；".join(parts)

    @property
    def sha256_short(self) -> str:
        return self.sha256[:HASH_PREFIX]


_DOCUMENT_NAME = re.compile(r"《[^》]+》")
_ISSUED = re.compile(r"（(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?(?:印发|发布|出台)?）")
_NUMBER = re.compile(r"（([^（）]*〔\d{4}〕[^（）]*号)）")


def document_key(title: str) -> str:
    """What identifies a document in a citation: its 《…》 name, else the whole text."""
    found = _DOCUMENT_NAME.search(title)
    return found.group(0) if found else title.strip()


@dataclass(frozen=True)
class CitationFacts:
    """What a citation's own text says: the name, the 文号 and the 印发日期 in parentheses after it
    (《…》（吉政办发〔2021〕40号）, 《…》（2021年12月31日印发））."""

    title: str
    number: str = ""
    issued: str = ""


def read_citation(text: str) -> CitationFacts:
    text = text.strip()
    name = _DOCUMENT_NAME.search(text)
    if name is None:
        return CitationFacts(text)
    rest = text[name.end():]
    number = _NUMBER.search(rest)
    issued = _ISSUED.search(rest)
    issued_text = ""
    if issued:
        year, month, day = issued.groups()
        issued_text = f"{year}年" + (f"{int(month)}月" if month else "") + (f"{int(day)}日" if day else "")
    return CitationFacts(name.group(0), number.group(1) if number else "", issued_text)


def issued_text(value: dt.date | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return chinese_date(value)
    return f"{value}年"


def cited_evidence(evaluation: Evaluation, documents: Sequence[CitedDocument] = ()) -> list[EvidenceEntry]:
    """Every document an evaluator cited in a judgement (``ItemResult.evidence``), for the province,
    with its 文号 and 印发日期 from ``documents`` (the dataset's) or, failing that, from the
    citation's own text."""
    known = {document_key(d.title): d for d in documents}
    entries = []
    for program in evaluation.programs:
        for item in program.items():
            for title in item.evidence:
                if not title.strip():
                    continue
                facts = read_citation(title)
                document = known.get(document_key(title))
                entries.append(EvidenceEntry(
                    program.id, item.path, evaluation.region_name, facts.title,
                    document_number=(document.number if document and document.number else facts.number),
                    issued=(issued_text(document.issued) if document and document.issued else facts.issued),
                    issuer=(document.issuer or "") if document else "",
                ))
    return entries


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


def _items_text(places: list[tuple[str, str]]) -> str:
    """(program label, indicator label) pairs → 住房租赁保障、城市棚户区改造：资金分配；…: programs citing
    the same indicators are named together, in the order they first appear."""
    by_program: dict[str, list[str]] = {}
    for program, item in places:
        shown = by_program.setdefault(program, [])
        if item and item not in shown:
            shown.append(item)
    groups: dict[tuple[str, ...], list[str]] = {}
    for program, shown in by_program.items():
        groups.setdefault(tuple(shown), []).append(program)
    parts = []
    for labels, programs in groups.items():
        names = "、".join(p for p in programs if p)
        if labels:
            parts.append(f"{names}：{'、'.join(labels)}" if names else "、".join(labels))
        else:
            parts.append(names or NONE)
    return "；".join(parts)


def evidence_rows(entries: Sequence[EvidenceEntry], evaluation: Evaluation, framework: Framework) -> list[EvidenceRow]:
    """The 佐证材料目录: one row per document (the same name from the same unit, and the same file if
    one is attached), listing every indicator it supports; rows in the order of the programs and
    indicators where each document is first cited (entries for a whole program after its indicators,
    entries for no program last; otherwise in the given order), numbered. 文号 and 印发日期 are
    the first given for the document."""
    programs = {p.id: i for i, p in enumerate(evaluation.programs)}
    items = {(p.id, item.path): i for p in evaluation.programs for i, item in enumerate(p.items())}
    labels = {p.id: p.label for p in evaluation.programs}

    def key(entry: EvidenceEntry) -> tuple[int, int]:
        return (programs.get(entry.program, len(programs)), items.get((entry.program, entry.item_path), len(items)))

    for entry in entries:
        if entry.program and entry.program not in labels:
            raise ValueError(f"佐证材料“{entry.title}”的项目“{entry.program}”不在本次评价中")
    documents: dict[tuple[str, str, str, str], list[EvidenceEntry]] = {}
    for entry in sorted(entries, key=key):
        unit = entry.unit.strip()
        documents.setdefault((document_key(entry.title), unit, entry.file_name, entry.sha256), []).append(entry)
    rows = []
    for number, group in enumerate(documents.values(), start=1):
        places = []
        for entry in group:
            if entry.item_path:
                try:
                    item = item_label(framework, entry.program, entry.item_path)
                except KeyError:
                    raise ValueError(
                        f"佐证材料“{entry.title}”的指标“{entry.item_path}”不在{labels[entry.program]}的指标体系中"
                    ) from None
            else:
                item = ""
            places.append((labels.get(entry.program, ""), item))
        first = group[0]
        unit = first.unit.strip()
        rows.append(
            EvidenceRow(
                number=number,
                title=first.title.strip(),
                document_number=next((e.document_number for e in group if e.document_number), "") or NONE,
                issued=next((e.issued for e in group if e.issued), "") or NONE,
                indicators=_items_text(places),
                unit="" if unit in {"", evaluation.region_name} else unit,
                issuer=next((e.issuer for e in group if e.issuer), ""),
                file_name=first.file_name,
                size=size_text(first.size) if first.size is not None else "",
                sha256=first.sha256,
            )
        )
    return rows

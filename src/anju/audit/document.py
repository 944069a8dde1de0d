"""The document an audit reads: blocks (paragraphs and table cells) in reading order.

The adapters (:mod:`anju.adapters.document`) turn a .docx, .pdf, .txt or .md file into a
:class:`SourceDocument`; everything after that is pure. A block keeps its original text (what the
reviewer sees and what a Word comment is anchored in) and its normalised text with the map back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from anju.audit.text import Normalised, Number, NumberKind, normalise, numbers

SENTENCE_STOPS = frozenset("。！？；")


@dataclass(frozen=True)
class CellPosition:
    table: int
    """1-based table number in the document."""
    row: int
    column: int


@dataclass(frozen=True)
class Block:
    """A paragraph or a table cell."""

    index: int
    """1-based position in reading order; for a docx paragraph, its number among the body's paragraphs."""
    text: str
    page: int | None = None
    cell: CellPosition | None = None
    paragraph: int | None = None
    """1-based paragraph number as the reader counts it (docx body paragraph, text line, PDF paragraph)."""

    @cached_property
    def norm(self) -> Normalised:
        return normalise(self.text)

    @cached_property
    def numbers(self) -> list[Number]:
        return numbers(self.norm.text, cell=self.cell is not None)

    def quote(self, start: int, end: int, context: int = 80) -> str:
        """The sentence around normalised span ``[start, end)``, as the original text has it."""
        text = self.norm.text
        left = start
        while left > 0 and text[left - 1] not in SENTENCE_STOPS and start - left < context:
            left -= 1
        right = end
        while right < len(text) and text[right] not in SENTENCE_STOPS and right - end < context:
            right += 1
        if right < len(text) and text[right] in SENTENCE_STOPS:
            right += 1
        if left >= right:
            return ""
        first, last = self.norm.span(left, right)
        return self.text[first:last].strip()


@dataclass(frozen=True)
class SourceDocument:
    """A document read from a file: its name, format and blocks."""

    name: str
    format: str
    """docx / pdf / txt / md."""
    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None

    @cached_property
    def text(self) -> str:
        return "\n".join(b.norm.text for b in self.blocks)

    def countable(self) -> list[tuple[Block, Number]]:
        """Every number a reviewer would want checked: quantities, percentages, scores (not dates,
        list markers, document numbers or page numbers)."""
        kinds = (NumberKind.quantity, NumberKind.percent, NumberKind.score, NumberKind.points)
        return [(b, n) for b in self.blocks for n in b.numbers if n.kind in kinds]


def from_text(name: str, text: str, fmt: str = "txt") -> SourceDocument:
    """One block per paragraph: a non-empty line, or the lines of a hard-wrapped text (a copy of a
    PDF) joined up again (a .txt or .md file, or text pasted in the web)."""
    blocks: list[Block] = []
    for number, line in unwrap(text.splitlines()):
        body = _strip_markdown(line) if fmt == "md" else line
        if not body.strip():
            continue
        blocks.append(Block(index=len(blocks) + 1, text=body, paragraph=number))
    return SourceDocument(name=name, format=fmt, blocks=blocks)


WRAP_MIN_LINES = 8
WRAP_MIN_WIDTH = 16
WRAP_SHARE = 0.4
PARAGRAPH_STOPS = tuple("。：:；！？")


def unwrap(lines: list[str]) -> list[tuple[int, str]]:
    """(first line number, paragraph) pairs. When many lines share one length, the text was wrapped
    at that width: a line that long, not ending a sentence, runs on into the next."""
    numbered = [(n, line.rstrip()) for n, line in enumerate(lines, start=1) if line.strip()]
    lengths = Counter(len(line) for _, line in numbered)
    width, count = lengths.most_common(1)[0] if lengths else (0, 0)
    wrapped = len(numbered) >= WRAP_MIN_LINES and width >= WRAP_MIN_WIDTH and count >= WRAP_SHARE * len(numbered)
    if not wrapped:
        return numbered
    out: list[tuple[int, str]] = []
    carry = False
    for number, line in numbered:
        if carry and out:
            out[-1] = (out[-1][0], out[-1][1] + line.strip())
        else:
            out.append((number, line))
        carry = len(line) >= width - 1 and not line.endswith(PARAGRAPH_STOPS)
    return out


def _strip_markdown(line: str) -> str:
    """Drop heading marks, list bullets and table pipes so a .md reads like the prose it holds."""
    stripped = line.lstrip()
    while stripped.startswith("#"):
        stripped = stripped[1:]
    if stripped.startswith(("- ", "* ", "> ")):
        stripped = stripped[2:]
    if stripped.startswith("|"):
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            return ""
        return "　".join(cells)
    return stripped.replace("**", "").strip()

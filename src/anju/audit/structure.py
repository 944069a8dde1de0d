"""The outline of an explanation document: program, dimension and indicator sections with the
scores they state, and the scored segments inside an indicator.

The outline is read from the headings every such document uses (the seed and the provincial and
county reports alike): ``一、…`` opens a program, ``（一）…（得分18分）`` a dimension, ``“资金筹集”得分5分``
an indicator, and a score marker ``（2分）`` / ``（得0分）`` closes a scored segment (a 评分要点) inside
an indicator. Nothing here knows a framework; :mod:`anju.audit.mapping` maps sections to items.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property

from anju.audit.document import Block, SourceDocument
from anju.audit.text import Number, NumberKind

PROGRAM_HEAD = re.compile(r"^[一二三四五六七八九十]+[、.．]")
DIMENSION_HEAD = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
INDICATOR_HEAD = re.compile(
    r"(?:^|(?<=[。；：）)]))[“\"「『]([^”\"」』]{2,60})[”\"」』](?:指标)?(?:自评)?(?:得分为?|得)(\d+(?:\.\d+)?)分"
)
ATTACHMENT_HEAD = re.compile(r"^附\s*件")
SCORE_MARKER = re.compile(r"[（(](?:得分为?|得|计)?(\d+(?:\.\d+)?)分[）)]")
SCORE_CUE = re.compile(r"(?:得分为?|得|总分为?|计)$")
SCORE_CUE_WINDOW = 4


class Level(IntEnum):
    document = 0
    program = 1
    dimension = 2
    indicator = 3


@dataclass(frozen=True)
class Piece:
    """A span of one block's normalised text."""

    block: Block
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.block.norm.text[self.start:self.end]

    def numbers(self) -> list[Number]:
        return [n for n in self.block.numbers if n.start >= self.start and n.end <= self.end]


@dataclass(frozen=True)
class Token:
    """A number where it stands in the document."""

    block: Block
    number: Number

    @property
    def key(self) -> tuple[int, int]:
        return (self.block.index, self.number.start)

    def context(self, width: int = 16) -> str:
        """The text just before the number, back to the previous number or sentence stop."""
        text = self.block.norm.text
        start = self.number.start
        left = start
        while left > 0 and start - left < width:
            ch = text[left - 1]
            if ch in "。；！？" or ch.isdigit() or ch == "%":
                break
            left -= 1
        return text[left:start]

    def label(self) -> str:
        """What the number is, as the text names it: the context after the last comma or bracket."""
        context = self.context()
        cut = max(context.rfind(ch) for ch in "，、（：；(")
        return context[cut + 1:].strip() if cut >= 0 else context.strip()


@dataclass
class Segment:
    """Text of an indicator up to and including one score marker (or all of it when it has none)."""

    pieces: list[Piece]
    score: Token | None = None

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    def tokens(self) -> list[Token]:
        out = [Token(p.block, n) for p in self.pieces for n in p.numbers()]
        return [t for t in out if self.score is None or t.key != self.score.key]


@dataclass
class Section:
    level: Level
    title: str
    label: str
    heading: Piece | None = None
    score: Token | None = None
    pieces: list[Piece] = field(default_factory=list)
    """The content after the heading, before and between child sections."""
    children: list[Section] = field(default_factory=list)

    def walk(self) -> Iterator[Section]:
        yield self
        for child in self.children:
            yield from child.walk()

    def all_pieces(self) -> list[Piece]:
        """Heading, own content and every descendant's, in document order."""
        out: list[Piece] = [self.heading] if self.heading else []
        out += self.pieces
        for child in self.children:
            out += child.all_pieces()
        return sorted(out, key=lambda p: (p.block.index, p.start))

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    @cached_property
    def segmented(self) -> tuple[Segment, ...]:
        """:meth:`segments`, computed once (call it when the outline is complete)."""
        return tuple(self.segments())

    def segments(self) -> list[Segment]:
        """The scored segments of an indicator: each ends with a score marker ``（N分）``; text after
        the last marker joins the last segment. Markers are found in the section's text as a whole,
        so one broken across two blocks (a PDF line break in "（1|分）") still counts."""
        joined = "".join(p.text for p in self.pieces)
        places: list[tuple[Piece, int]] = [(p, p.start + i) for p in self.pieces for i in range(p.end - p.start)]
        segments: list[Segment] = []
        pos = 0
        for match in SCORE_MARKER.finditer(joined):
            piece, offset = places[match.start(1)]
            segments.append(Segment(_pieces_between(places, pos, match.end()), _number_at(piece.block, offset)))
            pos = match.end()
        if pos < len(joined):
            rest = _pieces_between(places, pos, len(joined))
            if segments:
                segments[-1].pieces.extend(rest)
            else:
                segments.append(Segment(rest, None))
        return segments


def _pieces_between(places: list[tuple[Piece, int]], start: int, end: int) -> list[Piece]:
    """Pieces covering joined offsets ``[start, end)``, one per block."""
    out: list[Piece] = []
    for piece, offset in places[start:end]:
        if out and out[-1].block is piece.block and out[-1].end == offset:
            out[-1] = Piece(piece.block, out[-1].start, offset + 1)
        else:
            out.append(Piece(piece.block, offset, offset + 1))
    return out


def _number_at(block: Block, start: int) -> Token | None:
    for number in block.numbers:
        if number.start == start:
            return Token(block, number)
    return None


def _score_at(block: Block, start: int) -> Token | None:
    for number in block.numbers:
        if number.start == start and number.kind is NumberKind.score:
            return Token(block, number)
    return None


def _cued_score(piece: Piece) -> Token | None:
    """The first score in ``piece`` announced as one (得分88分, 得55分, 总分…)."""
    text = piece.block.norm.text
    for number in piece.numbers():
        if number.kind is not NumberKind.score:
            continue
        before = text[max(0, number.start - SCORE_CUE_WINDOW):number.start]
        if SCORE_CUE.search(before):
            return Token(piece.block, number)
    return None


def _strip_heading(text: str) -> str:
    text = PROGRAM_HEAD.sub("", text, count=1)
    text = DIMENSION_HEAD.sub("", text, count=1)
    return re.sub(r"[（(][^）)]*分[）)]", "", text).strip("：:。 ")


@dataclass
class _Outliner:
    root: Section
    program: Section | None = None
    dimension: Section | None = None
    current: Section | None = None

    def add(self, block: Block, start: int, end: int) -> None:
        if end > start:
            (self.current or self.root).pieces.append(Piece(block, start, end))

    def heading(self, block: Block, start: int, end: int, level: Level) -> None:
        head = Piece(block, start, end)
        title = head.text
        section = Section(level, title, _strip_heading(title), head, _cued_score(head))
        if level is Level.program:
            self.program, self.dimension = section, None
            self.root.children.append(section)
        else:
            self.dimension = section
            (self.program or self.root).children.append(section)
        self.current = section

    def indicator(self, block: Block, match: re.Match[str]) -> None:
        head = Piece(block, match.start(), match.end())
        section = Section(Level.indicator, match.group(0), match.group(1).strip(), head,
                          _score_at(block, match.start(2)))
        (self.dimension or self.program or self.root).children.append(section)
        self.current = section


_HEAD_START = re.compile(r"(?:^|(?<=[。；：]))(?=[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)])")


def _heads(text: str) -> list[tuple[int, int, Level]]:
    """Program and dimension headings in a block: at its start, or after a sentence stop when two
    paragraphs ran together."""
    out: list[tuple[int, int, Level]] = []
    for match in _HEAD_START.finditer(text):
        start = match.start()
        rest = text[start:]
        end = start + _heading_end(rest)
        if end - start >= _HEADING_MAX:
            continue
        level = Level.program if PROGRAM_HEAD.match(rest) else Level.dimension
        out.append((start, end, level))
    return out


def outline(document: SourceDocument) -> Section:
    """The document's sections; content before the first heading belongs to the document."""
    root = Section(Level.document, document.name, document.name)
    state = _Outliner(root)
    for block in document.blocks:
        text = block.norm.text
        if ATTACHMENT_HEAD.match(text):
            state.program = state.dimension = state.current = None
            state.add(block, 0, len(text))
            continue
        marks: list[tuple[int, int, Level, re.Match[str] | None]] = [(s, e, lv, None) for s, e, lv in _heads(text)]
        marks += [(m.start(), m.end(), Level.indicator, m) for m in INDICATOR_HEAD.finditer(text)]
        pos = 0
        for start, end, level, match in sorted(marks, key=lambda m: m[0]):
            if start < pos:
                continue
            state.add(block, pos, start)
            if match is not None:
                state.indicator(block, match)
            else:
                state.heading(block, start, end, level)
            pos = end
        state.add(block, pos, len(text))
    for section in root.walk():
        if section.level in (Level.program, Level.dimension) and section.score is None:
            section.score = _intro_score(section)
    return root


_HEADING_MAX = 60
_HEADING_STOPS = re.compile(r"[。：:；]|(?=[“\"「])")
_HEADING_SCORE = re.compile(r"[（(](?:得分为?|得)?\d+(?:\.\d+)?分[）)]")


def _heading_end(text: str) -> int:
    """Where a heading ends when the text after it runs on in the same block (a PDF or a pasted
    copy that lost the paragraph break): at its score in brackets, or the first stop or quote."""
    ends = [len(text)]
    score = _HEADING_SCORE.search(text)
    if score:
        ends.append(score.end())
    stop = _HEADING_STOPS.search(text, 1)
    if stop:
        ends.append(stop.end() if text[stop.start()] in "。：:；" else stop.start())
    return min(ends)
"""A heading longer than this is a paragraph that happens to start with a numeral."""


def _intro_score(section: Section) -> Token | None:
    """A total stated in the text right after the heading (…绩效评价得分88分，具体说明如下：)."""
    first_child = section.children[0].all_pieces()[0] if section.children else None
    for piece in section.pieces:
        if first_child is not None and (piece.block.index, piece.start) > (first_child.block.index, first_child.start):
            break
        found = _cued_score(piece)
        if found is not None:
            return found
    return None

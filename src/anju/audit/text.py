"""Text normalisation and number tokens, with every position mapped back to the original text.

Public copies of explanation documents mix full- and half-width digits and punctuation, put spaces
between a number and its unit, write thousands separators, 万/亿 multipliers, "%" and "个百分点",
and (in PDFs) break a number across lines. :func:`normalise` turns a block's text into one
canonical form by replacing or deleting characters only (never inserting), so that each character
of the normalised text knows where it came from; :func:`numbers` reads every number token of the
normalised text and classifies it (a quantity with its unit, a percentage, a score, a date, a list
marker, a document number …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

FULL_WIDTH_OFFSET = 0xFEE0
"""Full-width ASCII forms (！ … ～) sit this far above their half-width counterparts."""
FULL_WIDTH_FIRST, FULL_WIDTH_LAST = 0xFF01, 0xFF5E
TEN_THOUSAND = Decimal(10000)
HUNDRED_MILLION = Decimal(100000000)
YEAR_MIN, YEAR_MAX = 1949, 2100
LIST_MARKER_MAX = 99
THOUSANDS_GROUP = 3
YEAR_DIGITS = 4

# Half-width punctuation that stands for the full-width form in Chinese prose.
_PUNCT_TO_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
_SPACES = frozenset(" \t\u00a0\u3000\u2002\u2003\u2009\u202f")
_DELETED = frozenset("\u200b\u200c\u200d\ufeff\u00ad")
_ARTEFACT_RE = re.compile(r"\[bookmark:[^\]]*\]|\[[a-z]+:\s*_[A-Za-z0-9]+\]")
"""Word conversion artefacts such as ``[bookmark: _GoBack]``."""


@dataclass(frozen=True)
class Normalised:
    """A block's text in canonical form; ``origin[i]`` is the original index of ``text[i]``."""

    text: str
    origin: tuple[int, ...]
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the normalised span ``[start, end)``."""
        if not self.origin:
            return (0, 0)
        first = self.origin[min(start, len(self.origin) - 1)]
        last = self.origin[min(max(end - 1, start), len(self.origin) - 1)] + 1
        return (first, last)


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def normalise(original: str) -> Normalised:
    """Canonical text of ``original``: half-width digits, letters, ``%`` and decimal points;
    full-width Chinese punctuation; no spaces except between two Latin words or two numbers; no
    thousands separators; no Word artefacts."""
    mapped = original.translate(_CANONICAL)
    keep = [True] * len(mapped)
    for match in _DROPPED_RE.finditer(mapped):
        for i in range(match.start(), match.end()):
            keep[i] = False
    for match in _SPACE_RUN_RE.finditer(mapped):
        start, end = match.start(), match.end()
        prev = _visible(mapped, keep, start - 1, -1)
        nxt = _visible(mapped, keep, end, 1)
        spaced = (_is_ascii_word(prev) and _is_ascii_word(nxt)) or (prev.isdigit() and nxt.isdigit())
        for i in range(start, end):
            keep[i] = False
        if spaced:
            keep[start] = True
    kept = [i for i, k in enumerate(keep) if k]
    out = [" " if mapped[i] in _SPACES or mapped[i] in "\r\n" else mapped[i] for i in kept]
    text = "".join(out)
    drop: set[int] = set()
    for i, ch in enumerate(text):
        if ch in _PUNCT_TO_FULL:
            prev = text[i - 1] if i else ""
            if ch == "," and prev.isdigit() and _thousands_group(text, i):
                drop.add(i)
            else:
                out[i] = _PUNCT_TO_FULL[ch]
        elif ch == "." and i:
            prev = text[i - 1]
            if (not prev.isascii()) or prev in "%）)":
                out[i] = "。"  # a half-width full stop after Chinese text or a closing bracket
    for marker_dot, _ in list_year_positions("".join(out)):
        out[marker_dot] = "、"  # "1.2022年": a list marker running into a year, not the number 1.2022
    final = "".join(c for i, c in enumerate(out) if i not in drop)
    origin = tuple(o for i, o in enumerate(kept) if i not in drop)
    return Normalised(final, origin, len(original))


_CANONICAL = {code: chr(code - FULL_WIDTH_OFFSET) for code in range(FULL_WIDTH_FIRST, FULL_WIDTH_LAST + 1)
              if chr(code - FULL_WIDTH_OFFSET).isalnum() or chr(code - FULL_WIDTH_OFFSET) in "%.+-"}
_DROPPED_RE = re.compile("|".join([_ARTEFACT_RE.pattern, "[" + "".join(sorted(_DELETED)) + "]"]))
_SPACE_RUN_RE = re.compile("[" + "".join(sorted(_SPACES)) + "\r\n]+")


def _visible(text: str, keep: list[bool], start: int, step: int) -> str:
    i = start
    while 0 <= i < len(text):
        if keep[i] and text[i] not in _SPACES and text[i] not in "\r\n":
            return text[i]
        i += step
    return ""


def _thousands_group(text: str, comma: int) -> bool:
    """Whether the comma at ``comma`` separates thousands: 3 digits follow, then no digit."""
    digits = text[comma + 1:comma + 4]
    after = text[comma + 4:comma + 5]
    return len(digits) == THOUSANDS_GROUP and digits.isdigit() and not after.isdigit()


# --- number tokens ---------------------------------------------------------------------------

class NumberKind(StrEnum):
    quantity = "quantity"
    """A figure with a unit (万元, 套, 户, 个 …) or none."""
    percent = "percent"
    points = "points"
    """个百分点: a difference of two percentages."""
    score = "score"
    """N分."""
    year = "year"
    date = "date"
    list_marker = "list_marker"
    reference = "reference"
    """A document number (〔2022〕37号), an ordinal (第3), a page number."""


MONEY_UNITS: dict[str, Decimal] = {"亿元": TEN_THOUSAND, "万元": Decimal(1), "千元": Decimal("0.1"), "元": Decimal("0.0001")}
"""Money is canonical in 万元: the factor to multiply a stated amount by."""
MEASURE_UNITS = ("平方米", "平米", "㎡", "m²", "m2", "公里", "千米", "米", "亩", "公顷", "吨", "立方米")
COUNT_UNITS = (
    "个百分点", "套", "户", "个", "栋", "幢", "间", "件", "人", "家", "项", "笔", "份", "处", "座", "所", "名",
    "次", "批", "宗", "条", "台", "辆", "期", "张", "本", "册", "场", "轮", "类", "宗", "块", "片",
)
AREA_UNIT = "平方米"
MONEY_UNIT = "万元"
_AREA_SPELLINGS = frozenset({"平方米", "平米", "㎡", "m²", "m2"})
_UNIT_ALTERNATION = "|".join(
    re.escape(u) for u in sorted({*MONEY_UNITS, *MEASURE_UNITS, *COUNT_UNITS}, key=len, reverse=True)
)
_NUMBER_RE = re.compile(
    r"(?<![\dA-Za-z_.])(?P<num>\d+(?:\.\d+)?)(?![\dA-Za-z_])"
    r"(?P<mult>万(?!元)|亿(?!元))?"
    r"(?P<more>多|余)?"
    rf"(?P<unit>%|‰|{_UNIT_ALTERNATION}|分(?![钟之配解别账期批类项])|年|月|日|天|号)?"
)
_BOUND_AFTER = ("以上", "以下", "左右", "以内", "及以上", "及以下", "多")
_BOUND_BEFORE = ("约", "近", "超过", "不低于", "不少于", "不超过", "高于", "低于", "逾", "大于", "小于")
_LIST_BEFORE = frozenset("。；：，、（）“”\n ")
_REFERENCE_BRACKETS = "〔［[【"


@dataclass(frozen=True)
class Number:
    """One number token of a block's normalised text."""

    start: int
    end: int
    """Span in the normalised text, unit included."""
    text: str
    value: Decimal
    """In the canonical unit (万元 for money, 平方米 for area, the stated unit otherwise)."""
    unit: str | None
    kind: NumberKind
    decimals: int
    """Decimal places as written (the stated precision)."""
    step: Decimal
    """The smallest step of the stated precision, in the canonical unit (0.1 for "52.9%")."""
    bound: bool = False
    """Stated as a bound or an approximation (以上, 约, 多 …): never checked for equality."""

    @property
    def tolerance(self) -> Decimal:
        """Half a step of the stated precision: a stated "45.9%" covers 45.85 to 45.95."""
        return self.step / 2

    @property
    def checkable(self) -> bool:
        return self.kind in (NumberKind.quantity, NumberKind.percent, NumberKind.score) and not self.bound

    def same_unit(self, other: Number) -> bool:
        return self.unit == other.unit or self.unit is None or other.unit is None


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def numbers(text: str, *, cell: bool = False) -> list[Number]:
    """Every number token of normalised ``text``, classified. A paragraph holding only a number is
    a page number; a table ``cell`` holding only a number is a figure."""
    found: list[Number] = []
    for match in _NUMBER_RE.finditer(text):
        token = _token(text, match, found)
        if token is not None:
            if cell and token.kind is NumberKind.reference and token.start == 0 and not text[token.end:].strip():
                token = Number(token.start, token.end, token.text, token.value, token.unit, NumberKind.quantity,
                               token.decimals, token.step)
            found.append(token)
    return found


def _token(text: str, match: re.Match[str], previous: list[Number]) -> Number | None:
    raw = match.group("num")
    unit = match.group("unit")
    mult = match.group("mult")
    start, end = match.start(), match.end()
    value = Decimal(raw)
    decimals = _decimals(raw)
    step = Decimal(1).scaleb(-decimals)
    before = text[max(0, start - 4):start]
    after = text[end:end + 4]
    kind = _classify(text, match, previous)
    if kind is not NumberKind.quantity:
        return Number(start, end, match.group(0), value, unit, kind, decimals, step,
                      bound=_is_bound(before, after))
    factor = {"万": TEN_THOUSAND, "亿": HUNDRED_MILLION}.get(mult or "", Decimal(1))
    canonical_unit = unit
    if unit in MONEY_UNITS:
        factor *= MONEY_UNITS[unit]
        canonical_unit = MONEY_UNIT
    elif unit in _AREA_SPELLINGS:
        canonical_unit = AREA_UNIT
    bound = bool(match.group("more")) or _is_bound(before, after)
    return Number(start, end, match.group(0), value * factor, canonical_unit, NumberKind.quantity, decimals,
                  step * factor, bound=bound)


def _is_bound(before: str, after: str) -> bool:
    return any(after.startswith(w) for w in _BOUND_AFTER) or any(before.endswith(w) for w in _BOUND_BEFORE)


def _classify(text: str, match: re.Match[str], previous: list[Number]) -> NumberKind:
    unit = match.group("unit")
    raw = match.group("num")
    start, end = match.start(), match.end()
    prev_char = text[start - 1] if start else "\n"
    next_char = text[match.end("num")] if match.end("num") < len(text) else ""
    if unit in ("%", "‰"):
        return NumberKind.percent
    if unit == "个百分点":
        return NumberKind.points
    if prev_char in _REFERENCE_BRACKETS or text[match.end("num"):match.end("num") + 1] in ("〕", "］", "]", "】"):
        return NumberKind.reference
    if prev_char == "第" or unit == "号":
        return NumberKind.reference
    if _is_list_marker(text, match):
        return NumberKind.list_marker
    if unit == "年":
        return NumberKind.year if _is_year(raw) else NumberKind.quantity
    if _is_year(raw) and "." not in raw and next_char in "—–-~至到年度":
        return NumberKind.year
    if unit == "月":
        return NumberKind.date  # a duration is written N个月
    if unit == "日":
        return NumberKind.date if previous and previous[-1].kind is NumberKind.date and previous[-1].end == start \
            else NumberKind.quantity
    if unit == "分":
        return NumberKind.score
    if unit is None and not text[end:].strip() and start == 0:
        return NumberKind.reference  # a block holding only a number: a page number
    return NumberKind.quantity


def _is_year(raw: str) -> bool:
    return len(raw) == YEAR_DIGITS and raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX


def _is_list_marker(text: str, match: re.Match[str]) -> bool:
    """``1.`` / ``2、`` / ``3）`` at the start of a block or after a sentence stop, not a decimal."""
    start = match.start()
    raw = match.group("num")
    prev_char = text[start - 1] if start else "\n"
    if prev_char not in _LIST_BEFORE and start != 0:
        return False
    if not raw.isdigit() or int(raw) > LIST_MARKER_MAX or match.group("unit") or match.group("mult"):
        return False
    nxt = text[match.end("num"):match.end("num") + 1]
    return nxt in (".", "、", "）", "．")


_LIST_YEAR_RE = re.compile(r"(?:^|(?<=[。；：，、（）\n]))(\d{1,2})\.((?:19|20)\d\d)(?=年)")


def list_year_positions(text: str) -> list[tuple[int, int]]:
    """Spans of ``N.YYYY`` where a numbered list runs into a year (``1.2022年``): (marker end, year start)."""
    return [(m.start(2) - 1, m.start(2)) for m in _LIST_YEAR_RE.finditer(text)]

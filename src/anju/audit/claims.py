"""Generic claims, in any explanation or self-evaluation report, recomputed from the document's
own numbers: rates with their operands, totals with their parts, score structures.

Every check here follows one rule: an error is reported only when the operands are unambiguous
(a stated rate with exactly two figures of one unit before it, a total with the parts listed after
其中, a subtotal whose parts are all stated). A claim whose operands cannot be told apart is
"checked" when some reading of the document's numbers reproduces it, and otherwise left unchecked
and listed, never reported as wrong. The tolerance follows the stated precision: a whole-number
percentage covers ±0.5, one decimal ±0.05.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from anju.audit.document import SENTENCE_STOPS, Block, SourceDocument
from anju.audit.result import Anchor, Finding
from anju.audit.structure import Level, Section, Token
from anju.audit.text import NumberKind
from anju.decimals import HUNDRED, plain, round_half_up
from anju.problems import AuditCode, ConsistencyCode, Problem, Severity, Where

SHOWN_DECIMALS = 2
NEIGHBOUR_SENTENCES = 2
"""How many sentences back a rate's operands may stand (the neighbouring sentence and one more)."""
MIN_GROUP_FOR_MAJORITY = 2
PAIR = 2
LOOSE_WINDOW = 3

COMPLETION_WORDS = ("完成", "执行率", "进度", "开工率", "到位率", "分配率", "完成率", "发放率", "兑付率", "支出率",
                    "拨付率", "实现率", "达成率", "执行进度")
SHARE_WORDS = ("占", "比例", "比重", "占比")
GROWTH_RE = re.compile(r"(增长|下降|提高|降低|增加|减少|同比|环比|上升|增幅|降幅)[了为达到]*$")
PLAN_WORDS = ("计划", "预算", "任务", "目标", "指标", "下达", "应", "年度")
ACTUAL_WORDS = ("实际", "完成", "已", "开工", "支出", "发放", "拨付", "分配", "筹集", "到位", "累计")
TOTAL_WORDS = ("共计", "合计", "总计", "累计", "共", "总额", "总量", "总数")
PARTS_OPEN = re.compile(r"其中[：:，,]?")
MAINLY_OPEN = re.compile(r"主要(?:用于|包括|是)")
MAXIMUM_RE = re.compile(r"(?:满分|分值)(?:为)?(\d+(?:\.\d+)?)分[^。；]{0,12}?(?:实得|得分为?|得)(\d+(?:\.\d+)?)分")
BROKEN_MARKER = re.compile(r"[（(](?:得分为?|得)?\d+(?:\.\d+)?(?:分(?![）)])|(?![\d.分]))|(?<![（(得\d.])\d+(?:\.\d+)?分[）)]")
"""A score marker that lost a bracket or its 分 (a garbled copy): the markers cannot be added up."""
IMPLAUSIBLE_FACTOR = Decimal(5)
"""A recomputed rate this many times off the stated one points at a number misread (a garbled copy,
a number broken by a line) more than at a wrong rate: reported as a warning, not an error."""
LIST_ITEM = re.compile(r"(?:^|(?<=[。；：）]))\d{1,2}[.、](?!\d)")
POINTS_HEADERS = frozenset({"分值", "满分", "标准分", "指标分值"})
SCORE_HEADERS = frozenset({"得分", "自评得分", "实际得分", "评价得分"})
TOTAL_ROW_WORDS = ("合计", "总分", "总计")
SUSPECT_NOTE = "；差异过大，可能是文中数字有误或读取有误，请对照原文核实"
SHARE_PHRASE_END = re.compile(r"(?:的)?(?:比例|比重|比|占比)?(?:为|是|达到|达)?$")


@dataclass(frozen=True)
class Sentence:
    block: Block
    start: int
    end: int
    tokens: list[Token]

    @property
    def text(self) -> str:
        return self.block.norm.text[self.start:self.end]


def sentences(document: SourceDocument) -> list[Sentence]:
    out: list[Sentence] = []
    for block in document.blocks:
        text = block.norm.text
        start = 0
        for i, ch in enumerate(text):
            if ch in SENTENCE_STOPS:
                out.append(_sentence(block, start, i + 1))
                start = i + 1
        if start < len(text):
            out.append(_sentence(block, start, len(text)))
    return out


def _sentence(block: Block, start: int, end: int) -> Sentence:
    return Sentence(block, start, end, [Token(block, n) for n in block.numbers if start <= n.start < end])


def pct(value: Decimal) -> str:
    return plain(round_half_up(value, SHOWN_DECIMALS)) + "%"


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    return numerator * HUNDRED / denominator


def within(stated: Token, computed: Decimal) -> bool:
    """Whether ``computed`` rounds to the stated figure at its stated precision."""
    return abs(computed - stated.number.value) <= stated.number.tolerance


def _is_operand(token: Token) -> bool:
    return token.number.kind is NumberKind.quantity and token.number.checkable


def _quote(token: Token) -> str:
    return token.block.quote(token.number.start, token.number.end)


@dataclass
class ClaimChecker:
    """Runs every generic check over a document; collects findings and the numbers it checked."""

    document: SourceDocument
    findings: list[Finding] = field(default_factory=list)
    checked: set[tuple[int, int]] = field(default_factory=set)
    unchecked: dict[tuple[int, int], str] = field(default_factory=dict)
    """Token key → why the claim could not be recomputed."""
    _share_groups: dict[str, list[tuple[Token, Token, set[Decimal]]]] = field(default_factory=lambda: defaultdict(list))
    aligned: set[tuple[int, int]] | None = None
    """With a framework: the indicator scores whose criteria were read one by one (their markers
    are complete); a shortfall elsewhere may be a marker not written out."""

    def __post_init__(self) -> None:
        self.sentences = sentences(self.document)
        self.quantities = [t for s in self.sentences for t in s.tokens if _is_operand(t)]

    def run(self, root: Section) -> None:
        for index, sentence in enumerate(self.sentences):
            self._rates(index, sentence)
        self._share_bases()
        for sentence in self.sentences:
            self._parts(sentence)
            self._maximum(sentence)
        self._scores(root)
        self._tables()

    # --- helpers ------------------------------------------------------------------------------

    def mark(self, *tokens: Token) -> None:
        for token in tokens:
            self.checked.add(token.key)
            self.unchecked.pop(token.key, None)

    def leave(self, token: Token, reason: str) -> None:
        if token.key not in self.checked:
            self.unchecked.setdefault(token.key, reason)

    def report(self, code: str, severity: Severity, token: Token, message: str, *,
               stated: Decimal | None = None, computed: Decimal | None = None) -> None:
        problem = Problem(code, severity, message, Where(file=self.document.name, paragraph=token.block.paragraph,
                                                          page=token.block.page),
                          stated=plain(stated) if stated is not None else None,
                          computed=plain(computed) if computed is not None else None)
        self.findings.append(Finding(problem, _quote(token), Anchor.of(token)))

    def _neighbours(self, index: int, sentence: Sentence) -> list[Token]:
        out: list[Token] = []
        for back in range(1, NEIGHBOUR_SENTENCES + 1):
            if index - back < 0 or self.sentences[index - back].block is not sentence.block:
                break
            out = [t for t in self.sentences[index - back].tokens if _is_operand(t)] + out
        return out

    # --- rates --------------------------------------------------------------------------------

    def _rates(self, index: int, sentence: Sentence) -> None:
        boundary = sentence.start
        tokens = sentence.tokens
        text = sentence.block.norm.text
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.number.kind is not NumberKind.percent:
                i += 1
                continue
            group = [token]
            while i + len(group) < len(tokens) and tokens[i + len(group)].number.kind is NumberKind.percent and \
                    text[group[-1].number.end:tokens[i + len(group)].number.start] in ("、", "和", "及", "，"):
                group.append(tokens[i + len(group)])
            context = text[boundary:token.number.start]
            local = [t for t in tokens if _is_operand(t) and boundary <= t.number.start < token.number.start]
            if len(group) > 1 and "分别" in context:
                self._rate_list(index, sentence, group, local)
            else:
                for member in group:
                    self._rate(index, sentence, member, context if member is token else "", local if member is token else [])
            boundary = group[-1].number.end
            i += len(group)

    def _rate(self, index: int, sentence: Sentence, stated: Token, context: str, local: list[Token]) -> None:
        if stated.number.bound:
            self.leave(stated, "所述为范围或约数")
            return
        if GROWTH_RE.search(context):
            self.leave(stated, "增减幅度需上年数据，文中未给出")
            return
        kind = _rate_kind(context)
        if kind == "share" and stated.number.value > HUNDRED:
            self.mark(stated)
            self.report(ConsistencyCode.SHARE_ABOVE_100, Severity.warning, stated,
                        f"文中占比为{plain(stated.number.value)}%，超过100%：分子大于分母，请核实口径"
                        f"（“{_tail(context)}”）。", stated=stated.number.value)
        same = [t for t in local if t.number.unit is not None]
        units = {t.number.unit for t in same}
        if len(local) == PAIR and len(units) <= 1 and kind in ("completion", "share"):
            self._rate_pair(index, sentence, stated, kind, (local[0], local[1]))
            return
        if len(local) == 1 and kind == "share":
            self._rate_single(index, sentence, stated, local[0], context)
            return
        if self._reproduced(stated, local + self._neighbours(index, sentence)):
            return
        self.leave(stated, "未能确定计算该比例所用的数字" if local else "文中未给出计算该比例所用的数字")

    def _rate_pair(self, index: int, sentence: Sentence, stated: Token, kind: str, pair: tuple[Token, Token]) -> None:
        a, b = pair
        numerator, denominator = _orient(kind, a, b)
        if denominator.number.value == 0:
            self.leave(stated, "分母为0")
            return
        computed = ratio(numerator.number.value, denominator.number.value)
        if within(stated, computed) or within(stated, ratio(denominator.number.value, numerator.number.value) if
                                               numerator.number.value else computed):
            self.mark(stated, a, b)
            return
        self.mark(stated, a, b)
        hint = self._denominator_hint(stated, numerator, exclude={a.key, b.key})
        diff = abs(computed - stated.number.value)
        suspect = implausible(stated.number.value, computed)
        self.report(
            ConsistencyCode.STATED_PERCENT_MISMATCH, Severity.warning if suspect else Severity.error, stated,
            f"文中为{plain(stated.number.value)}%，按文中数字重新计算为{pct(computed)}"
            f"（{numerator.number.text} ÷ {denominator.number.text}，相差{plain(round_half_up(diff, SHOWN_DECIMALS))}个百分点，"
            f"超过所述精度允许的{plain(stated.number.tolerance)}个百分点）{hint}{SUSPECT_NOTE if suspect else ''}。",
            stated=stated.number.value, computed=round_half_up(computed, SHOWN_DECIMALS),
        )

    def _rate_single(self, index: int, sentence: Sentence, stated: Token, numerator: Token, context: str) -> None:
        """A share with its numerator and a named base (占年度计划改造小区比例为69%): the base is a
        number stated elsewhere; remember which numbers reproduce it, to compare bases of one name."""
        bases = {d.number.value for d in self.quantities
                 if d.key != numerator.key and d.number.value != 0 and numerator.number.same_unit(d.number)
                 and d.number.unit is not None and within(stated, ratio(numerator.number.value, d.number.value))}
        phrase = _share_phrase(context)
        if bases:
            self.mark(stated, numerator)
        else:
            self.leave(stated, "比例的分母未在文中找到")
        if phrase:
            self._share_groups[phrase].append((stated, numerator, bases))

    def _share_bases(self) -> None:
        """Shares of one named base (占年度计划改造小区比例) should all use the same number; one that
        is reproduced only by another base switched its denominator."""
        for phrase, claims in self._share_groups.items():
            counts: Counter[Decimal] = Counter(b for _, _, bases in claims for b in bases)
            if not counts:
                continue
            base, uses = counts.most_common(1)[0]
            if uses < MIN_GROUP_FOR_MAJORITY:
                continue
            for stated, numerator, bases in claims:
                if base in bases or not bases:
                    continue
                alternative = min(bases, key=lambda b: abs(ratio(numerator.number.value, b) - stated.number.value))
                with_base = ratio(numerator.number.value, base)
                self.report(
                    ConsistencyCode.DENOMINATOR_SWITCH, Severity.warning, stated,
                    f"文中为{plain(stated.number.value)}%，与以{plain(alternative)}为分母的"
                    f"{pct(ratio(numerator.number.value, alternative))}相符；而文中另有{uses}处“占{phrase}”的比例以"
                    f"{plain(base)}为分母，按此计算为{pct(with_base)}，口径不一致（也可能是截尾取整）。",
                    stated=stated.number.value, computed=round_half_up(with_base, SHOWN_DECIMALS),
                )

    def _rate_list(self, index: int, sentence: Sentence, group: list[Token], local: list[Token]) -> None:
        """…有3个…有2个，分别占…的比例为43%、29%: numerators in order, one base to find."""
        numerators = local[-len(group):]
        if len(numerators) != len(group):
            for stated in group:
                self.leave(stated, "未能确定计算该比例所用的数字")
            return
        pool = self.quantities
        for d in pool:
            if d.number.value == 0 or any(d.key == n.key for n in numerators):
                continue
            if all(n.number.same_unit(d.number) and within(s, ratio(n.number.value, d.number.value))
                   for s, n in zip(group, numerators, strict=True)):
                self.mark(*group, *numerators)
                return
        for stated in group:
            self.leave(stated, "比例的分母未在文中找到")

    def _reproduced(self, stated: Token, pool: list[Token]) -> bool:
        """Whether any two numbers of one unit in ``pool`` give the stated rate."""
        for x in pool:
            for y in pool:
                if x.key == y.key or y.number.value == 0 or not x.number.same_unit(y.number):
                    continue
                if within(stated, ratio(x.number.value, y.number.value)):
                    self.mark(stated, x, y)
                    return True
        return False

    def _denominator_hint(self, stated: Token, numerator: Token, exclude: set[tuple[int, int]]) -> str:
        for d in self.quantities:
            if d.key in exclude or d.key == numerator.key or d.number.value == 0:
                continue
            if d.number.unit != numerator.number.unit:
                continue
            candidate = ratio(numerator.number.value, d.number.value)
            if within(stated, candidate):
                label = d.label() or "文中另一数字"
                return (f"；文中数值恰等于 {numerator.number.text} ÷ {d.number.text}（“{label}”）的结果"
                        f"（{pct(candidate)}），疑似误用分母")
        return ""

    # --- parts and totals ---------------------------------------------------------------------

    def _parts(self, sentence: Sentence) -> None:
        text = sentence.block.norm.text
        for opener, exhaustive in ((PARTS_OPEN, True), (MAINLY_OPEN, False)):
            for match in opener.finditer(text, sentence.start, sentence.end):
                self._parts_at(sentence, match.start(), match.end(), exhaustive)

    def _parts_at(self, sentence: Sentence, at: int, after: int, exhaustive: bool) -> None:
        block = sentence.block
        text = block.norm.text
        in_bracket = at > 0 and text[at - 1] in "（("
        end = text.find("）", after) if in_bracket else sentence.end
        if end < 0:
            end = sentence.end
        parts = [Token(block, n) for n in block.numbers if after <= n.start < end]
        parts = [p for p in parts if _is_operand(p)]
        total = self._total_before(block, at)
        if total is None or not parts:
            return
        parts = [p for p in parts if p.number.unit == total.number.unit]
        if len(parts) < (2 if exhaustive else 1):
            if parts and exhaustive and parts[0].number.value > total.number.value:
                self._parts_finding(total, parts, exhaustive)
            return
        self._parts_finding(total, parts, exhaustive)

    def _parts_finding(self, total: Token, parts: list[Token], exhaustive: bool) -> None:
        part_sum = sum((p.number.value for p in parts), Decimal(0))
        tolerance = max([total.number.tolerance, *(p.number.tolerance for p in parts)])
        diff = part_sum - total.number.value
        self.mark(total, *parts)
        if abs(diff) <= tolerance or (diff < 0 and (not exhaustive or len(parts) < MIN_GROUP_FOR_MAJORITY)):
            return
        names = " + ".join(p.number.text for p in parts)
        if diff > 0:
            severity, verdict = Severity.error, "大于总数"
        else:
            severity, verdict = Severity.warning, "小于总数（如所列并非全部组成部分，可不予理会）"
        self.report(
            ConsistencyCode.PARTS_TOTAL_MISMATCH, severity, total,
            f"文中总数为{total.number.text}，其中所列各部分合计 {names} = {plain(part_sum)}{total.number.unit or ''}，"
            f"{verdict}，相差{plain(abs(diff))}{total.number.unit or ''}。",
            stated=total.number.value, computed=part_sum,
        )

    def _total_before(self, block: Block, at: int) -> Token | None:
        """The total a 其中 refers to: the last figure before it in the block, preferring one
        announced as a total (共计、合计 …) in the same or the previous sentence."""
        text = block.norm.text
        sentence_start = max(text.rfind(stop, 0, max(at - 1, 0)) for stop in SENTENCE_STOPS) + 1
        previous_start = max(text.rfind(stop, 0, max(sentence_start - 1, 0)) for stop in SENTENCE_STOPS) + 1
        candidates = [Token(block, n) for n in block.numbers if previous_start <= n.start < at and
                      _is_operand(Token(block, n))]
        if not candidates:
            return None
        announced = [c for c in candidates if any(c.context().endswith(w) or w in c.context() for w in TOTAL_WORDS)]
        return (announced or candidates)[-1]

    # --- scores -------------------------------------------------------------------------------

    def _maximum(self, sentence: Sentence) -> None:
        block = sentence.block
        for match in MAXIMUM_RE.finditer(block.norm.text, sentence.start, sentence.end):
            points, score = Decimal(match.group(1)), Decimal(match.group(2))
            token = next((Token(block, n) for n in block.numbers if n.start == match.start(2)), None)
            if token is None:
                continue
            self.mark(token)
            if score > points:
                self.report(AuditCode.SCORE_ABOVE_MAXIMUM, Severity.error, token,
                            f"文中得分{plain(score)}分高于满分{plain(points)}分。", stated=score, computed=points)

    def _tables(self) -> None:
        """Self-evaluation tables (the MoF layout: …目标值、实际完成值、分值、得分…): each row's score
        at most its points; a 合计 row equal to the rows above it."""
        tables: dict[int, dict[tuple[int, int], Block]] = defaultdict(dict)
        for block in self.document.blocks:
            if block.cell is not None and block.norm.text:
                tables[block.cell.table].setdefault((block.cell.row, block.cell.column), block)
        for cells in tables.values():
            self._table(cells)

    def _table(self, cells: dict[tuple[int, int], Block]) -> None:
        header = next(((r, {c: b.norm.text for (rr, c), b in cells.items() if rr == r})
                       for r in sorted({r for r, _ in cells}) if _is_score_header(cells, r)), None)
        if header is None:
            return
        head_row, names = header
        points_col = next(c for c, t in names.items() if t in POINTS_HEADERS)
        score_col = next(c for c, t in names.items() if t in SCORE_HEADERS)
        rows: list[tuple[Token, Token]] = []
        total: Token | None = None
        for row in sorted({r for r, _ in cells if r > head_row}):
            points, score = _cell_number(cells, row, points_col), _cell_number(cells, row, score_col)
            label = " ".join(b.norm.text for (r, _), b in sorted(cells.items()) if r == row)
            if score is None:
                continue
            if any(w in label for w in TOTAL_ROW_WORDS):
                total = score
                continue
            if points is not None:
                rows.append((points, score))
        for points, score in rows:
            self.mark(points, score)
            if score.number.value > points.number.value:
                self.report(AuditCode.SCORE_ABOVE_MAXIMUM, Severity.error, score,
                            f"表中得分{plain(score.number.value)}分高于该行分值{plain(points.number.value)}分。",
                            stated=score.number.value, computed=points.number.value)
        if total is not None and rows:
            part_sum = sum((s.number.value for _, s in rows), Decimal(0))
            self.mark(total)
            if part_sum != total.number.value:
                self.report(ConsistencyCode.STATED_SUBTOTAL_MISMATCH, Severity.error, total,
                            f"表中合计得分为{plain(total.number.value)}分，但各行得分合计为{plain(part_sum)}分。",
                            stated=total.number.value, computed=part_sum)

    def _scores(self, root: Section) -> None:
        for section in root.walk():
            if section.score is None:
                continue
            if section.level is Level.indicator:
                self._indicator_parts(section)
                continue
            children = [c for c in section.children if c.level == section.level + 1 or
                        (section.level is Level.program and c.level is Level.indicator)]
            if not children:
                continue
            scored = [c for c in children if c.score is not None]
            if len(scored) != len(children):
                continue
            self._subtotal(section, [c.score for c in scored if c.score is not None], _loose_scores(section, scored))

    def _indicator_parts(self, section: Section) -> None:
        assert section.score is not None
        markers = [s.score for s in section.segmented if s.score is not None]
        if not markers:
            self.mark(section.score)
            return
        total = sum((m.number.value for m in markers), Decimal(0))
        stated = section.score.number.value
        self.mark(section.score, *markers)
        if total == stated or BROKEN_MARKER.search(section.text):
            return
        earned = any("得" in m.block.norm.text[max(0, m.number.start - 2):m.number.start] for m in markers)
        listed = len(LIST_ITEM.findall(section.text))
        if total > stated and not earned:
            severity, note = Severity.warning, "（如括号内为各要点分值而非得分，可不予理会）"
        elif total < stated and self._maybe_incomplete(section, len(markers), listed):
            severity, note = Severity.warning, "（评分要点的得分可能未全部写明，请核实）"
        else:
            severity, note = Severity.error, ""
        self.report(
            ConsistencyCode.STATED_SUBTOTAL_MISMATCH, severity, section.score,
            f"“{section.label}”文中得分为{plain(stated)}分，但文中各评分要点得分合计为{plain(total)}分"
            f"（{' + '.join(plain(m.number.value) for m in markers)}）{note}。",
            stated=stated, computed=total,
        )

    def _maybe_incomplete(self, section: Section, markers: int, listed: int) -> bool:
        """Whether some criteria of the indicator may carry no score marker: fewer markers than
        numbered points, or (with a framework) markers that could not be read as its criteria."""
        if listed:
            return markers < listed
        return self.aligned is not None and section.score is not None and section.score.key not in self.aligned

    def _subtotal(self, section: Section, parts: list[Token], loose: bool) -> None:
        assert section.score is not None
        total = sum((p.number.value for p in parts), Decimal(0))
        stated = section.score.number.value
        self.mark(section.score, *parts)
        if total == stated or (loose and total < stated):
            return
        what = "总分" if section.level is Level.program else "小计"
        level = "一级指标" if section.level is Level.program else "指标"
        label = section.label if section.level is not Level.program else _program_name(section)
        self.report(
            ConsistencyCode.STATED_SUBTOTAL_MISMATCH, Severity.error, section.score,
            f"“{label}”文中{what}为{plain(stated)}分，但文中各{level}得分合计为{plain(total)}分"
            f"（{' + '.join(plain(p.number.value) for p in parts)}）。",
            stated=stated, computed=total,
        )


def implausible(stated: Decimal, computed: Decimal) -> bool:
    """Whether a recomputed rate is so far off the stated one that a misread number is likelier."""
    if stated <= 0 or computed <= 0:
        return stated != computed
    return computed > stated * IMPLAUSIBLE_FACTOR or stated > computed * IMPLAUSIBLE_FACTOR


def _is_score_header(cells: dict[tuple[int, int], Block], row: int) -> bool:
    texts = {b.norm.text for (r, _), b in cells.items() if r == row}
    return bool(texts & POINTS_HEADERS) and bool(texts & SCORE_HEADERS)


def _cell_number(cells: dict[tuple[int, int], Block], row: int, column: int) -> Token | None:
    block = cells.get((row, column))
    if block is None:
        return None
    found = [n for n in block.numbers if n.kind in (NumberKind.quantity, NumberKind.score) and not n.bound]
    return Token(block, found[0]) if len(found) == 1 else None


def _program_name(section: Section) -> str:
    return re.sub(r"(绩效)?(评价)?(情况)?$", "", section.label) or section.label


def _loose_scores(section: Section, children: Iterable[Section]) -> bool:
    """Whether the section states a score that no child heading accounts for (an indicator
    written in a form not recognised): then a sum below the subtotal proves nothing."""
    claimed = {c.score.key for c in children if c.score is not None}
    claimed |= {s.score.key for s in section.walk() if s.score is not None}
    for piece in section.all_pieces():
        text = piece.block.norm.text
        for number in piece.numbers():
            if number.kind is not NumberKind.score or (piece.block.index, number.start) in claimed:
                continue
            before = text[max(0, number.start - LOOSE_WINDOW):number.start]
            if "得分" in before and "（" not in before and "(" not in before:
                return True  # "…得分5分" outside a heading: an indicator written in a form not recognised
    return False


def _rate_kind(context: str) -> str:
    last_completion = max((context.rfind(w) for w in COMPLETION_WORDS), default=-1)
    last_share = max((context.rfind(w) for w in SHARE_WORDS), default=-1)
    if last_completion < 0 and last_share < 0:
        return "rate"
    return "completion" if last_completion > last_share else "share"


def _orient(kind: str, a: Token, b: Token) -> tuple[Token, Token]:
    """(numerator, denominator) of two operands in document order."""
    if kind == "share":
        return (a, b) if a.number.value <= b.number.value else (b, a)
    a_plan, b_plan = _has(a, PLAN_WORDS), _has(b, PLAN_WORDS)
    a_actual, b_actual = _has(a, ACTUAL_WORDS), _has(b, ACTUAL_WORDS)
    if a_actual and b_plan and not (a_plan or b_actual):
        return (a, b)
    return (b, a)


def _has(token: Token, words: tuple[str, ...]) -> bool:
    context = token.context()
    return any(w in context for w in words)


def _tail(context: str) -> str:
    return context[-24:].lstrip("，、；：")


def _share_phrase(context: str) -> str:
    at = context.rfind("占")
    if at < 0:
        return ""
    phrase = context[at + 1:]
    phrase = re.sub(r"\d.*$", "", phrase)
    return SHARE_PHRASE_END.sub("", phrase).strip("（）：，")


def generic_findings(document: SourceDocument, root: Section,
                     aligned: set[tuple[int, int]] | None = None) -> ClaimChecker:
    checker = ClaimChecker(document, aligned=aligned)
    checker.run(root)
    return checker


def iter_tokens(document: SourceDocument) -> Iterator[Token]:
    for block, number in document.countable():
        yield Token(block, number)

"""Framework-aware reading: which framework a document follows, which section explains which item,
and which number in the text is which figure.

Everything is driven by the framework's own data: program, dimension and indicator labels find the
sections; an indicator's scored segments are aligned with its criteria (and a checklist's clauses);
an item's explanation ``template`` (the sentence anju itself writes, e.g. "计划筹集保障性租赁住房
{rental_housing_planned}套，实际筹集{rental_housing_raised}套，完成计划的{rate:0}%") tells which
number of the segment is which figure, by the words before it and its unit. No Chinese item name
appears in this code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache

from anju.audit.claims import ratio, within
from anju.audit.result import Anchor, Finding
from anju.audit.structure import Level, Section, Segment, Token
from anju.audit.text import NumberKind
from anju.dataset.models import Judgement
from anju.decimals import plain
from anju.framework.models import (
    METRIC_RULES,
    PLACEHOLDER_RE,
    Checklist,
    Clause,
    Deduction,
    Framework,
    Item,
    Judged,
    Program,
)
from anju.problems import AuditCode, Problem, Severity, Where

LABEL_MATCH_MIN = 0.6
"""Least similarity of a heading to an indicator label for the heading to explain it."""
FRAMEWORK_MATCH_MIN = Decimal("0.5")
"""Least share of a document's indicator headings a framework must know to be detected."""
SLOT_MATCH_MIN = 0.2
SLOT_CONTEXT = 12
UNITLESS_PENALTY = 0.3
ORDER_WEIGHT = 0.02
LABEL_WEIGHT = 0.5
MAX_COMBINATIONS = 64
MISFIT_PENALTY = 10
REASON_MAX = 200
NEGATION_RE = re.compile(r"(没有发现|未发现|尚未发现|无发现|未出现|没有出现|均符合)")
TITLE_RE = re.compile(r"《[^》]{2,60}》")
_PUNCTUATION = re.compile(r"[\s“”\"「」『』、，。；：:（）()·\-—]")


@lru_cache(maxsize=4096)
def _norm_label(text: str) -> str:
    return _PUNCTUATION.sub("", text)


@lru_cache(maxsize=16384)
def similarity(a: str, b: str) -> float:
    left, right = _norm_label(a), _norm_label(b)
    if left == right:
        return 1.0
    matcher = SequenceMatcher(None, left, right)
    if matcher.real_quick_ratio() < LABEL_MATCH_MIN or matcher.quick_ratio() < LABEL_MATCH_MIN:
        return 0.0
    return matcher.ratio()


def _bigrams(text: str) -> set[str]:
    text = _norm_label(text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def overlap(reference: str, text: str) -> float:
    """Share of ``reference``'s character pairs that occur in ``text``."""
    ref = _bigrams(reference)
    return len(ref & _bigrams(text)) / len(ref) if ref else 0.0


# --- framework and program detection -------------------------------------------------------

def indicator_sections(section: Section) -> Iterator[Section]:
    return (s for s in section.walk() if s.level is Level.indicator)


def program_sections(root: Section, framework: Framework) -> list[tuple[Program, Section]]:
    """Each program section with the program whose label its heading holds; a document without
    program headings is one section for the program whose indicators it explains best."""
    found: list[tuple[Program, Section]] = []
    for section in root.children:
        if section.level is not Level.program:
            continue
        heading = _norm_label(section.title)
        matches = [p for p in framework.programs if _norm_label(p.label) in heading]
        if not matches:
            matches = [p for p in framework.programs if similarity(p.label, section.label) >= LABEL_MATCH_MIN]
        if matches:
            found.append((max(matches, key=lambda p: len(p.label)), section))
    if found:
        return found
    best = max(framework.programs, key=lambda p: _matched_indicators(p, root), default=None)
    if best is not None and _matched_indicators(best, root):
        return [(best, root)]
    return []


def _matched_indicators(program: Program, section: Section) -> int:
    labels = [item.label for _, item in program.items()]
    return sum(1 for s in indicator_sections(section) if any(similarity(s.label, lab) >= LABEL_MATCH_MIN for lab in labels))


def framework_fit(root: Section, framework: Framework) -> Decimal:
    """Share of the document's indicator headings this framework explains (0 when none)."""
    sections = program_sections(root, framework)
    headings = list(indicator_sections(root))
    if not sections or not headings:
        return Decimal(0)
    matched = sum(_matched_indicators(p, s) for p, s in sections)
    return Decimal(matched) / Decimal(len(headings))


# --- items, units and alignment --------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """What one scored segment may explain: an item, or one clause of a checklist."""

    path: str
    item: Item
    clause: Clause | None = None

    @property
    def points(self) -> Decimal:
        return self.clause.points if self.clause else self.item.points

    @property
    def words(self) -> str:
        if self.clause:
            return self.clause.label
        return f"{self.item.label}{_literal(self.item.template or '')}"


def _literal(template: str) -> str:
    return PLACEHOLDER_RE.sub("", template)


def _options(item: Item, path: str, top: bool) -> list[list[Unit]]:
    whole = [Unit(path, item)]
    if item.is_leaf:
        if isinstance(item.rule, Checklist) and len(item.rule.clauses) > 1:
            return [[Unit(path, item, c) for c in item.rule.clauses], *([] if top else [whole])]
        return [whole]
    combos: list[list[Unit]] = [[]]
    for child in item.children:
        child_options = _options(child, f"{path}.{child.id}", top=False)
        combos = [c + o for c in combos for o in child_options][:MAX_COMBINATIONS]
    return combos if top else [*combos, whole]


def align(item: Item, path: str, segments: list[Segment]) -> list[tuple[Unit, Segment]] | None:
    """The best way to read the indicator's scored segments as its criteria, in order; None when
    no reading fits (then only the indicator's own score is used)."""
    if not segments or any(s.score is None for s in segments):
        return None
    best: tuple[float, list[Unit]] | None = None
    for option in _options(item, path, top=True):
        if len(option) != len(segments):
            continue
        fit = 0.0
        for unit, segment in zip(option, segments, strict=True):
            assert segment.score is not None
            fit += 1 if segment.score.number.value <= unit.points else -MISFIT_PENALTY
            fit += overlap(unit.words, segment.text)
        if best is None or fit > best[0]:
            best = (fit, option)
    if best is None:
        return None
    return list(zip(best[1], segments, strict=True))


# --- the extract of one program ------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    figure: str
    context: str
    label: str
    order: int
    leaf: str = ""


@dataclass
class ProgramExtract:
    """What the document states for one program, and where."""

    program: Program
    section: Section
    document: str
    figures: dict[str, Decimal] = field(default_factory=dict)
    figure_tokens: dict[str, Token] = field(default_factory=dict)
    derived: dict[str, str] = field(default_factory=dict)
    """Figures not stated as numbers but read from the text or the score (figure → how)."""
    scores: dict[str, Token] = field(default_factory=dict)
    total: Token | None = None
    percents: dict[str, Token] = field(default_factory=dict)
    judgements: dict[str, Judgement] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    determined: set[str] = field(default_factory=set)
    suspects: set[str] = field(default_factory=set)
    aligned: set[str] = field(default_factory=set)
    """Indicators whose scored segments were read criterion by criterion."""
    """Leaves whose figures give a rate implausibly far from the stated one (probably misread)."""
    item_sections: dict[str, Section] = field(default_factory=dict)
    regions: dict[str, Segment] = field(default_factory=dict)
    clause_scores: dict[tuple[str, str], Token] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    used: set[tuple[int, int]] = field(default_factory=set)
    """Token keys read as figures, percents or scores."""

    def leaves(self) -> Iterator[tuple[str, Item]]:
        return ((p, i) for p, i in self.program.items() if i.is_leaf)


def extract_program(program: Program, section: Section, document: str) -> ProgramExtract:
    extract = ProgramExtract(program, section, document, total=section.score)
    if section.score is not None:
        extract.used.add(section.score.key)
    _map_sections(extract)
    for path, item_section in list(extract.item_sections.items()):
        item = program.item_map[path]
        if item_section.level is Level.indicator:
            _read_indicator(extract, path, item, item_section)
    _solve_operands(extract)
    for path, item in extract.leaves():
        _judge(extract, path, item)
    return extract


def _map_sections(extract: ProgramExtract) -> None:
    program = extract.program
    dims = {d.id: d for d in program.dimensions}
    for child in extract.section.children:
        if child.level is Level.dimension:
            dim = _best(child.label, [(d.id, d) for d in program.dimensions], contain=True)
            if dim is not None:
                extract.item_sections[dim[0]] = child
                if child.score is not None:
                    extract.scores[dim[0]] = child.score
                    extract.used.add(child.score.key)
                candidates = [(f"{dim[0]}.{c.id}", c) for c in dims[dim[0]].children]
            else:
                candidates = _indicators(program)
            for grandchild in child.children:
                _map_indicator(extract, grandchild, candidates)
        elif child.level is Level.indicator:
            _map_indicator(extract, child, _indicators(program))


def _indicators(program: Program) -> list[tuple[str, Item]]:
    return [(f"{d.id}.{c.id}", c) for d in program.dimensions for c in d.children]


def _map_indicator(extract: ProgramExtract, section: Section, candidates: list[tuple[str, Item]]) -> None:
    match = _best(section.label, [c for c in candidates if c[0] not in extract.item_sections])
    if match is None:
        return
    path = match[0]
    extract.item_sections[path] = section
    if section.score is not None:
        extract.scores[path] = section.score
        extract.used.add(section.score.key)


def _best(label: str, candidates: list[tuple[str, Item]], *, contain: bool = False) -> tuple[str, Item] | None:
    norm = _norm_label(label)
    exact = [c for c in candidates if _norm_label(c[1].label) == norm]
    if exact:
        return exact[0]
    if contain:
        held = [c for c in candidates if _norm_label(c[1].label) in norm]
        if held:
            return max(held, key=lambda c: len(c[1].label))
    scored = [(similarity(label, c[1].label), c) for c in candidates]
    scored = [s for s in scored if s[0] >= LABEL_MATCH_MIN]
    return max(scored, key=lambda s: s[0])[1] if scored else None


def _read_indicator(extract: ProgramExtract, path: str, item: Item, section: Section) -> None:
    segments = list(section.segmented)
    whole = Segment(list(section.pieces), None)
    text = section.text.strip("。；，")
    if text:
        extract.narrative[path] = text
    aligned = align(item, path, segments) or []
    if aligned:
        extract.aligned.add(path)
    for unit, segment in aligned:
        assert segment.score is not None
        extract.used.add(segment.score.key)
        if unit.clause is not None:
            extract.clause_scores[(unit.path, unit.clause.id)] = segment.score
            extract.regions.setdefault(unit.path, segment)
            continue
        if unit.path != path:
            extract.scores[unit.path] = segment.score
        extract.regions[unit.path] = segment
    groups: dict[int, tuple[Segment, list[tuple[str, Item]]]] = {}
    for leaf_path, leaf in item.walk(path.rsplit(".", 1)[0] if "." in path else ""):
        if not leaf.is_leaf:
            continue
        region = _region_of(extract, leaf_path, path) or whole
        groups.setdefault(id(region), (region, []))[1].append((leaf_path, leaf))
    for region, leaves in groups.values():
        _read_figures(extract, region, leaves)
        _read_percents(extract, region, leaves)


def _region_of(extract: ProgramExtract, leaf_path: str, indicator: str) -> Segment | None:
    path = leaf_path
    while True:
        if path in extract.regions:
            return extract.regions[path]
        if path == indicator or "." not in path:
            return None
        path = path.rsplit(".", 1)[0]


def _slots(program: Program, leaves: list[tuple[str, Item]]) -> list[Slot]:
    known = {f.id for f in program.figures}
    slots: list[Slot] = []
    for leaf_path, leaf in leaves:
        rule = leaf.rule
        template = leaf.template or ""
        named: list[str] = []
        last = 0
        for match in PLACEHOLDER_RE.finditer(template):
            name = match.group(1)
            if name in known and name not in named:
                context = template[last:match.start()][-SLOT_CONTEXT:]
                slots.append(Slot(name, context, program.figure(name).label, len(slots), leaf_path))
                named.append(name)
            last = match.end()
        ids: list[str] = []
        if isinstance(rule, METRIC_RULES):
            ids = [*rule.metric.numerator, *(rule.metric.denominator or [])]
        elif isinstance(rule, Deduction):
            ids = [rule.findings]
        for fid in ids:
            if fid not in named and program.figure(fid).unit != "%":
                slots.append(Slot(fid, "", program.figure(fid).label, len(slots), leaf_path))
                named.append(fid)
    return slots


def _compatible(unit: str, token: Token) -> bool:
    return token.number.unit == unit or token.number.unit is None


def _read_figures(extract: ProgramExtract, region: Segment, leaves: list[tuple[str, Item]]) -> None:
    program = extract.program
    slots = [s for s in _slots(program, leaves) if program.figure(s.figure).unit != "%"]
    tokens = [t for t in region.tokens() if t.number.kind is NumberKind.quantity and not t.number.bound]
    pairs: list[tuple[float, int, int]] = []
    for si, slot in enumerate(slots):
        unit = program.figure(slot.figure).unit
        compatible = [ti for ti, t in enumerate(tokens) if _compatible(unit, t)]
        for ti in compatible:
            token = tokens[ti]
            context = token.context()
            fit = overlap(slot.context, context) if slot.context else 0.0
            fit += LABEL_WEIGHT * overlap(slot.label, context)
            if token.number.unit is None:
                fit -= UNITLESS_PENALTY
            fit -= ORDER_WEIGHT * abs(si - ti)
            alone = len(compatible) == 1 and token.number.unit is not None
            if fit >= SLOT_MATCH_MIN or alone:
                pairs.append((fit, si, ti))
    taken: dict[int, int] = {}
    for _, si, ti in sorted(pairs, key=lambda p: -p[0]):
        if si in taken or ti in taken.values() or not _keeps_order(slots, taken, si, ti):
            continue
        taken[si] = ti
    for si, ti in taken.items():
        assign_figure(extract, slots[si].figure, tokens[ti])


def _keeps_order(slots: list[Slot], taken: dict[int, int], si: int, ti: int) -> bool:
    """Figures of one template keep the template's order in the text (计划… before 实际…)."""
    for other, tj in taken.items():
        if slots[other].leaf != slots[si].leaf or not slots[other].context or not slots[si].context:
            continue
        if (other < si) != (tj < ti):
            return False
    return True


def assign_figure(extract: ProgramExtract, figure: str, token: Token, value: Decimal | None = None) -> None:
    value = token.number.value if value is None else value
    known = extract.figures.get(figure)
    if known is None:
        extract.figures[figure] = value
        extract.figure_tokens[figure] = token
        extract.used.add(token.key)
        return
    if known == value or extract.figure_tokens[figure].key == token.key:
        extract.used.add(token.key)
        return
    first = extract.figure_tokens[figure]
    spec = extract.program.figure(figure)
    message = (f"{extract.program.label}：“{spec.label}”文中前后不一致："
               f"{Anchor.of(first).text()}为{first.number.text}，此处为{token.number.text}；计分采用前者。")
    problem = Problem(AuditCode.FIGURE_INCONSISTENT, Severity.warning, message,
                      Where(program=extract.program.id, figure=figure, file=extract.document,
                            paragraph=token.block.paragraph, page=token.block.page),
                      stated=plain(value), computed=plain(known))
    extract.findings.append(Finding(problem, token.block.quote(token.number.start, token.number.end), Anchor.of(token)))


def _read_percents(extract: ProgramExtract, region: Segment, leaves: list[tuple[str, Item]]) -> None:
    metric_leaves = [(p, i) for p, i in leaves if isinstance(i.rule, METRIC_RULES)]
    percents = [t for t in region.tokens() if t.number.kind is NumberKind.percent and not t.number.bound]
    if not metric_leaves or not percents:
        return
    if len(percents) == len(metric_leaves):
        chosen = list(zip(metric_leaves, percents, strict=True))
    else:
        chosen = []
        free = list(percents)
        for path, leaf in metric_leaves:
            rule = leaf.rule
            assert isinstance(rule, METRIC_RULES)
            words = f"{rule.metric.label}{_literal(leaf.template or '')[-SLOT_CONTEXT:]}"
            ranked = sorted(free, key=lambda t: -overlap(words, t.context(SLOT_CONTEXT * 2)))
            if ranked and overlap(words, ranked[0].context(SLOT_CONTEXT * 2)) >= SLOT_MATCH_MIN:
                chosen.append(((path, leaf), ranked[0]))
                free.remove(ranked[0])
    for (path, leaf), token in chosen:
        extract.percents[path] = token
        extract.used.add(token.key)
        rule = leaf.rule
        assert isinstance(rule, METRIC_RULES)
        if rule.metric.kind == "rate" and not rule.metric.denominator:
            assign_figure(extract, rule.metric.numerator[0], token)


def _solve_operands(extract: ProgramExtract) -> None:
    """A stated rate whose one operand the template did not place: the number of the segment (then
    of the indicator, then of the program) that reproduces the rate with the known operand."""
    items = extract.program.item_map
    for path, stated in extract.percents.items():
        rule = items[path].rule
        if not isinstance(rule, METRIC_RULES) or not rule.metric.denominator:
            continue
        ids = [*rule.metric.numerator, *rule.metric.denominator]
        missing = [f for f in ids if f not in extract.figures]
        if len(missing) != 1 or len(ids) != len(set(ids)):
            continue
        target = missing[0]
        for pool in _pools(extract, path):
            candidate = _solving(extract, rule, target, stated, pool)
            if candidate is not None:
                assign_figure(extract, target, candidate)
                break


def _pools(extract: ProgramExtract, path: str) -> Iterator[list[Token]]:
    region = extract.regions.get(path)
    if region is not None:
        yield region.tokens()
    indicator = ".".join(path.split(".")[:2])
    section = extract.item_sections.get(indicator)
    if section is not None:
        yield Segment(section.pieces).tokens()
    yield Segment(extract.section.all_pieces()).tokens()


def _solving(extract: ProgramExtract, rule: object, target: str, stated: Token, pool: list[Token]) -> Token | None:
    assert isinstance(rule, METRIC_RULES)
    unit = extract.program.figure(target).unit
    for token in pool:
        if token.number.kind is not NumberKind.quantity or token.number.bound or token.number.unit != unit:
            continue
        if token.key in extract.used and token.key != extract.figure_tokens.get(target, token).key:
            continue
        figures = {**extract.figures, target: token.number.value}
        num = sum((figures[f] for f in rule.metric.numerator), Decimal(0))
        den = sum((figures[f] for f in rule.metric.denominator or []), Decimal(0))
        if den and within(stated, ratio(num, den)):
            return token
    return None


# --- judgements and determined items --------------------------------------------------------

def _score_of(extract: ProgramExtract, path: str) -> Decimal | None:
    token = extract.scores.get(path)
    return token.number.value if token else None


def _judge(extract: ProgramExtract, path: str, item: Item) -> None:
    rule = item.rule
    text = _region_text(extract, path)
    if isinstance(rule, METRIC_RULES):
        ids = rule.metric.figure_ids()
        needed = [*rule.metric.numerator, *(rule.metric.denominator or [])]
        if all(f in extract.figures for f in needed) and ids:
            extract.determined.add(path)
        return
    if isinstance(rule, Deduction):
        _deduction(extract, path, item, rule, text)
        return
    if isinstance(rule, Judged):
        score = _score_of(extract, path)
        if score is not None:
            reason = text[:REASON_MAX] if score < item.points else None
            extract.judgements[path] = Judgement(points=score, reason=reason or None, evidence=_titles(text))
            extract.determined.add(path)
        return
    if isinstance(rule, Checklist):
        judgement = _checklist(extract, path, item, rule, text)
        if judgement is not None:
            extract.judgements[path] = judgement
            extract.determined.add(path)


def _region_text(extract: ProgramExtract, path: str) -> str:
    node = path
    while node:
        if node in extract.regions:
            return extract.regions[node].text
        if node in extract.item_sections and extract.item_sections[node].level is Level.indicator:
            return extract.item_sections[node].text
        node = node.rsplit(".", 1)[0] if "." in node else ""
    return ""


def _titles(text: str) -> list[str]:
    seen: list[str] = []
    for title in TITLE_RE.findall(text):
        if title not in seen:
            seen.append(title)
    return seen


def _deduction(extract: ProgramExtract, path: str, item: Item, rule: Deduction, text: str) -> None:
    if rule.findings in extract.figures:
        extract.determined.add(path)
        return
    score = _score_of(extract, path)
    if (score is not None and score == item.points) or (score is None and NEGATION_RE.search(text)):
        extract.figures[rule.findings] = Decimal(0)
        extract.derived[rule.findings] = "文中称未发现问题" if NEGATION_RE.search(text) else "由文中得分推算"
        extract.determined.add(path)
        return
    if score is not None:
        count = (item.points - score) / rule.per_finding
        if count == count.to_integral_value() and count >= 0:
            extract.figures[rule.findings] = count
            extract.derived[rule.findings] = "由文中得分推算"
            extract.determined.add(path)


def _checklist(extract: ProgramExtract, path: str, item: Item, rule: Checklist, text: str) -> Judgement | None:
    tokens = [extract.clause_scores.get((path, c.id)) for c in rule.clauses]
    clauses: dict[str, bool | Decimal] = {}
    if len(rule.clauses) > 1 and all(t is not None for t in tokens):
        for clause, token in zip(rule.clauses, tokens, strict=True):
            assert token is not None
            clauses[clause.id] = _verdict(clause, token.number.value)
    else:
        score = _score_of(extract, path)
        if score is None:
            return None
        chosen = _subset(rule.clauses, score)
        if chosen is None:
            return None
        clauses = chosen
    total = sum((c.points if v is True else (v if isinstance(v, Decimal) else Decimal(0))
                 for c, v in ((c, clauses[c.id]) for c in rule.clauses)), Decimal(0))
    reason = (text[:REASON_MAX] or "文中得分低于满分") if total < item.points else None
    return Judgement(clauses=clauses, reason=reason, evidence=_titles(text))


def _verdict(clause: Clause, score: Decimal) -> bool | Decimal:
    if score >= clause.points:
        return True
    if score == 0:
        return False
    return score if clause.partial else False


def _subset(clauses: list[Clause], score: Decimal) -> dict[str, bool | Decimal] | None:
    """Clauses met so that their points add up to ``score``: all, none, or the first combination in
    order; a partial clause takes what is left."""
    total = sum((c.points for c in clauses), Decimal(0))
    if score >= total:
        return {c.id: True for c in clauses}
    if score == 0:
        return {c.id: False for c in clauses}
    count = len(clauses)
    for mask in range(1 << count):
        chosen = [clauses[i] for i in range(count) if mask >> i & 1]
        if sum((c.points for c in chosen), Decimal(0)) == score:
            return {c.id: c in chosen for c in clauses}
    for partial in (c for c in clauses if c.partial):
        rest = score - sum((c.points for c in clauses if c is not partial), Decimal(0))
        if 0 < rest < partial.points:
            return {c.id: (rest if c is partial else True) for c in clauses}
    return None


def unmapped_items(extract: ProgramExtract) -> list[tuple[str, Item]]:
    """Indicators of the program that no section of the document explains."""
    return [(p, i) for p, i in _indicators(extract.program) if p not in extract.item_sections]

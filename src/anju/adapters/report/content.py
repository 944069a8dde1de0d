"""The explanation document as plain data, built once from an evaluation and written to Word,
Markdown and text alike.

Structure follows Jilin's 2022 explanation (the seed): title, opening paragraph, then for each
program "一、……绩效评价情况" with its total, "（一）资金管理方面（得分N分）" and, for each
indicator, "“资金筹集”得分5分。" followed by the generated sentences and the dataset's
narrative, sub-items numbered "1." with their points in parentheses "（2分）"; then the 附件 list.
Every number comes from the evaluation (computed values), never from what a document stated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from anju.adapters.report.evidence import EvidenceEntry, EvidenceRow, cited_evidence, evidence_rows
from anju.dataset.models import Dataset, Signature
from anju.dates import as_of_text, chinese_date
from anju.decimals import plain
from anju.framework.models import Framework, Item
from anju.scoring.result import Evaluation, ItemResult, ProgramResult

_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’（）《》、。，；：！？"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_SENTENCE_END = ("。", "；", "！", "？", "：")
_DIGITS = "零一二三四五六七八九"


CHINESE_NUMBER_LIMIT = 100


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99), for 一、 and （一） headings."""
    if not 0 < n < CHINESE_NUMBER_LIMIT:
        raise ValueError(f"序号超出范围：{n}")
    tens, ones = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _DIGITS[tens]) + "十"
    if ones:
        text += _DIGITS[ones]
    return text


def tidy(text: str) -> str:
    """Drop spaces that YAML folding leaves next to Chinese text; keep line breaks as paragraphs."""
    lines = [_SPACE_NEAR_CJK.sub("", " ".join(line.split())) for line in text.strip().splitlines()]
    return "\n".join(line for line in lines if line)


def sentence(text: str) -> str:
    """Make ``text`` end like a sentence (adds "。" when it ends without punctuation)."""
    text = text.strip()
    if text and not text.endswith(_SENTENCE_END):
        text += "。"
    return text


_STATED_NUMBER = re.compile(r"(\d+(?:\.\d+)?)(万)?(%)?")


def _numbers(text: str) -> set[tuple[Decimal, bool]]:
    """The numbers a text states, 3万 read as 30000, a percentage told apart from a count."""
    found = set()
    for digits, wan, percent in _STATED_NUMBER.findall(text):
        value = Decimal(digits) * (10000 if wan else 1)
        found.add((value.normalize(), bool(percent)))
    return found


def restates(sentence: str, narrative: str) -> bool:
    """Whether ``narrative`` already states the generated ``sentence``: word for word, or every
    number the sentence gives (3万 and 30000 alike) — the narrative then tells the same fact in the
    seed's own order (发展目标: the city first; 满意度: cause, then result), and printing the
    sentence too would say it twice."""
    own = _open_end(sentence)
    if own in narrative:
        return True
    numbers = _numbers(own)
    return bool(numbers) and numbers <= _numbers(narrative)


def _open_end(text: str) -> str:
    """Strip the final "。"/"；" so points can follow: "……为64.9%" + "（1分）。"."""
    return text.rstrip().rstrip("。；")


def points_text(value: Decimal) -> str:
    return f"{plain(value)}分"


@dataclass(frozen=True)
class IndicatorText:
    """One indicator (二级指标): the lead sentence and what follows it."""

    path: str
    label: str
    points: Decimal
    score: Decimal
    lead: str
    """“资金筹集”得分5分。"""
    body: str
    """Generated sentences, sub-items and narrative; "\\n" separates paragraphs."""

    @property
    def text(self) -> str:
        return self.lead + self.body


@dataclass(frozen=True)
class DimensionSection:
    """One dimension (一级指标): "（一）资金管理方面（得分18分）"."""

    path: str
    label: str
    points: Decimal
    score: Decimal
    heading: str
    indicators: list[IndicatorText]


@dataclass(frozen=True)
class ScoreRow:
    """One row of the score table (绩效评价指标得分表)."""

    path: str
    level: int
    label: str
    points: Decimal
    score: Decimal
    deduction: Decimal
    basis: str
    """How the score was reached (the rule branch that fired)."""
    reason: str
    """The evaluator's reason when points were lost, else empty."""
    provenance: str

    @property
    def level_label(self) -> str:
        return {1: "一级指标", 2: "二级指标"}.get(self.level, "评分要点")

    @property
    def basis_and_reason(self) -> str:
        """The one text of the official score table's last column (Word and Excel alike)."""
        if not self.reason:
            return self.basis
        return f"{self.basis}；理由：{self.reason}" if self.basis else f"理由：{self.reason}"


@dataclass(frozen=True)
class ProgramSection:
    id: str
    label: str
    points: Decimal
    score: Decimal
    grade: str | None
    heading: str
    """一、住房租赁保障绩效评价情况"""
    summary: str
    """吉林省城镇保障性安居工程财政资金用于住房租赁保障绩效评价得分88分，具体说明如下："""
    dimensions: list[DimensionSection]
    score_rows: list[ScoreRow]
    grade_scheme: str | None = None
    """The scheme's own words and boundaries (财政部预算绩效评价等级：优（≥90）、良（≥80）、…)."""

    @property
    def deduction(self) -> Decimal:
        return self.points - self.score

    @property
    def grade_text(self) -> str:
        """等级：良（…）: the one text of the score table's totals row, in Word and Excel."""
        grade = f"等级：{self.grade}" if self.grade else ""
        return f"{grade}（{self.grade_scheme}）" if grade and self.grade_scheme else grade

    def indicators(self) -> Iterator[IndicatorText]:
        for dimension in self.dimensions:
            yield from dimension.indicators


@dataclass(frozen=True)
class Attachment:
    number: int
    title: str

    @property
    def numbered(self) -> str:
        return f"{self.number}.{self.title}"


@dataclass(frozen=True)
class SignatureBlock:
    """发文机关署名 (one line per issuer, a joint document has several), 成文日期, 附注."""

    issuers: list[str]
    date: str
    """2023年2月28日"""
    contact: str | None = None
    phone: str | None = None
    document_number: str | None = None

    @property
    def note(self) -> str:
        """（联系人：王某，电话：0431-88888888）, or empty."""
        parts = [f"联系人：{self.contact}" if self.contact else "", f"电话：{self.phone}" if self.phone else ""]
        text = "，".join(p for p in parts if p)
        return f"（{text}）" if text else ""


def signature_block(region: str, signature: Signature | None, today: dt.date | None = None) -> SignatureBlock:
    """The 落款 from the dataset's (or the options') signature; the region's 财政厅 and today by default."""
    given = signature or Signature()
    issuers = list(given.issuers) or [f"{region}财政厅"]
    day = given.date or today or dt.date.today()
    return SignatureBlock(issuers, chinese_date(day), given.contact, given.phone, given.document_number)


@dataclass(frozen=True)
class ReportContent:
    region: str
    year: int
    as_of: str
    title: str
    opening: str
    programs: list[ProgramSection]
    attachments: list[Attachment]
    appendix_titles: dict[int, str] = field(default_factory=dict)
    """Titles of the appendix tables the framework declares (附件1–4 in 2022), by number."""
    evidence: list[EvidenceRow] = field(default_factory=list)
    """Rows of the 佐证材料目录; empty when there is no evidence (the attachment is left out)."""
    signature: SignatureBlock | None = None
    """The 落款: 署名, 成文日期 and 附注 (联系人、电话)."""
    rows_note: str | None = None
    """The label of illustrative appendix rows (示例数据，非真实分地区数据…), shown with every table."""
    with_charts: bool = False
    """Whether the charts are an attachment (``anju report --charts``); without them the 佐证材料目录
    takes their number."""

    @property
    def score_table(self) -> Attachment:
        """The attachment after the appendix tables (附件5 in 2022)."""
        return self.attachments[len(self.appendix_titles)]

    @property
    def charts(self) -> Attachment | None:
        """The charts after the score table (附件6 in 2022), or None when they are left out."""
        return self.attachments[len(self.appendix_titles) + 1] if self.with_charts else None

    @property
    def evidence_list(self) -> Attachment | None:
        """The 佐证材料目录 after the charts (附件7 in 2022; 附件6 without charts), or None when there
        is no evidence."""
        position = len(self.appendix_titles) + (2 if self.with_charts else 1)
        return self.attachments[position] if position < len(self.attachments) else None

    def title_lines(self, max_chars: int = 20) -> list[str]:
        return split_title(self.title, max_chars)


CHARTS_TITLE = "城镇保障性安居工程绩效评价得分情况图"
EVIDENCE_TITLE = "城镇保障性安居工程绩效评价佐证材料目录"

_TITLE_BREAKS = ("工程", "资金", "财政", "情况", "指标", "评价", "项目", "关于", "的")


def split_title(title: str, max_chars: int = 20) -> list[str]:
    """Break a long title into lines without splitting a word (GB/T 9704: 词意完整, 排列对称).

    A title of at most ``max_chars`` (二号 on a 156 mm line: 20 characters) stays on one line.
    Otherwise it breaks after a word boundary from a short list, choosing the most balanced
    split whose lines fit, the upper line not shorter than the lower (梯形)."""
    if len(title) <= max_chars:
        return [title]
    candidates: set[int] = set()
    for word in _TITLE_BREAKS:
        start = 0
        while (found := title.find(word, start)) >= 0:
            candidates.add(found + len(word))
            start = found + 1
    fitting = [c for c in candidates if 0 < c < len(title) and c <= max_chars and len(title) - c <= max_chars]
    if not fitting:
        return [title]
    best = min(fitting, key=lambda c: (abs(c - (len(title) - c)), c < len(title) - c))
    return [title[:best], title[best:]]


def appendix_titles(framework: Framework, region: str, year: int) -> dict[int, str]:
    """The titles of the appendix tables the framework declares, by number (附件1–4 in 2022)."""
    return {table.number: table.title_text(year=year, region=region) for table in framework.appendix.tables}


def build_content(
    evaluation: Evaluation,
    framework: Framework,
    dataset: Dataset | None = None,
    evidence: Sequence[EvidenceEntry] | None = None,
    signature: Signature | None = None,
    *,
    charts: bool = False,
) -> ReportContent:
    """Turn an evaluation into the explanation's content. ``dataset`` supplies the title and the
    cited documents' 文号 and 印发日期.

    ``evidence`` is the 佐证材料目录 (附件7); by default the documents cited in the judgements
    (:func:`cited_evidence`). With no evidence at all the attachment is left out. ``charts``
    adds the charts after the score table (附件6 in 2022); without them the 佐证材料目录 is 附件6."""
    region, year = evaluation.region_name, evaluation.year
    title = (dataset.title if dataset and dataset.title else None) or (
        f"关于{region}城镇保障性安居工程财政资金绩效评价指标的说明"
    )
    opening = (
        "按照《中央财政城镇保障性安居工程补助资金管理办法》要求，"
        f"我们对{region}{year}年城镇保障性安居工程绩效评价指标得分情况逐项进行说明，具体如下。"
    )
    programs = [
        _program_section(number, program, framework, region)
        for number, program in enumerate(evaluation.programs, start=1)
    ]
    tables = appendix_titles(framework, region, year)
    attachments = [Attachment(n, t) for n, t in sorted(tables.items())]
    # the score table, the charts (when wanted) and the evidence list follow the tables
    attachments.append(Attachment(len(attachments) + 1, f"{year}年{region}城镇保障性安居工程绩效评价指标得分表"))
    if charts:
        attachments.append(Attachment(len(attachments) + 1, f"{year}年{region}{CHARTS_TITLE}"))
    documents = dataset.documents if dataset else []
    rows = evidence_rows(cited_evidence(evaluation, documents) if evidence is None else evidence, evaluation, framework)
    if rows:
        attachments.append(Attachment(len(attachments) + 1, f"{year}年{region}{EVIDENCE_TITLE}"))
    return ReportContent(
        region=region,
        year=year,
        as_of=as_of_text(evaluation.year, evaluation.as_of),
        title=title,
        opening=opening,
        programs=programs,
        attachments=attachments,
        appendix_titles=tables,
        evidence=rows,
        with_charts=charts,
        signature=signature_block(region, signature or (dataset.signature if dataset else None)),
    )


def _program_section(number: int, program: ProgramResult, framework: Framework, region: str) -> ProgramSection:
    definitions = dict(framework.program(program.id).items())
    writer = _IndicatorWriter(definitions)
    dimensions = []
    for index, dimension in enumerate(program.dimensions, start=1):
        indicators = [writer.indicator(item) for item in dimension.children]
        if not dimension.children:  # a dimension scored directly, without indicators
            indicators = [writer.indicator(dimension)]
        dimensions.append(
            DimensionSection(
                path=dimension.path,
                label=dimension.label,
                points=dimension.points,
                score=dimension.score,
                heading=f"（{chinese_number(index)}）{dimension.label}方面（得分{points_text(dimension.score)}）",
                indicators=indicators,
            )
        )
    return ProgramSection(
        id=program.id,
        label=program.label,
        points=program.points,
        score=program.score,
        grade=program.grade,
        heading=f"{chinese_number(number)}、{program.label}绩效评价情况",
        summary=(
            f"{region}城镇保障性安居工程财政资金用于{program.label}绩效评价得分{points_text(program.score)}，"
            "具体说明如下："
        ),
        dimensions=dimensions,
        score_rows=[score_row(item) for item in program.items()],
        grade_scheme=program.grade_scheme,
    )


def score_row(item: ItemResult) -> ScoreRow:
    lost = item.score < item.points
    return ScoreRow(
        path=item.path,
        level=item.level,
        label=item.label,
        points=item.points,
        score=item.score,
        deduction=item.deduction,
        basis="各项得分合计" if item.children else item.branch,
        reason=tidy(item.reason) if item.reason and lost else "",
        provenance=item.provenance,
    )


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def marker(depth: int, index: int) -> str:
    """Sub-item numbering by depth: 1. → （1） → ①."""
    if depth == 0:
        return f"{index}."
    if depth == 1:
        return f"（{index}）"
    return _CIRCLED[index - 1] if index <= len(_CIRCLED) else f"({index})"


class _IndicatorWriter:
    """Writes an indicator's text from its result and the framework definition."""

    def __init__(self, definitions: dict[str, Item]) -> None:
        self.definitions = definitions

    def indicator(self, item: ItemResult) -> IndicatorText:
        parts = [*self._own(item, depth=0)]
        labelled = self._labelled(item.children, depth=0)
        parts.extend(self._sub_item(child, depth=0, index=i, labelled=labelled)
                     for i, child in enumerate(item.children, start=1))
        if item.narrative:
            parts.append(sentence(tidy(item.narrative)))
        return IndicatorText(
            path=item.path,
            label=item.label,
            points=item.points,
            score=item.score,
            lead=f"“{item.label}”得分{points_text(item.score)}。",
            body="".join(parts),
        )

    def _own(self, item: ItemResult, depth: int) -> list[str]:
        """The item's generated sentence. A checklist without its own template gets its clauses
        listed with points, unless the dataset's narrative already tells them (it would repeat)."""
        definition = self.definitions.get(item.path)
        if item.rule_kind == "checklist" and definition is not None and not definition.template:
            if item.narrative or len(item.clauses) <= 1:
                return []
            clauses = "；".join(
                f"{marker(depth, i)}{clause.label}（{points_text(clause.score)}）"
                for i, clause in enumerate(item.clauses, start=1)
            )
            return [clauses + "。"]
        if not item.explanation:
            return []
        own = sentence(tidy(item.explanation))
        if item.narrative and restates(own, tidy(item.narrative)):
            return []  # the narrative already says it
        return [own]

    def _labelled(self, siblings: Sequence[ItemResult], depth: int) -> bool:
        """Whether sub-items are headed by their labels: when one's sentence would start with a
        number (a year), "1." and "2022年" would run together as "1.2022年", so every sibling gets
        "1.改造小区数完成率（10分）。" and its sentence after it, alike."""
        return any((own := self._own(child, depth + 1)) and own[0][:1].isdigit() for child in siblings)

    def _sub_item(self, item: ItemResult, depth: int, index: int, labelled: bool = False) -> str:
        number = marker(depth, index)
        score = f"（{points_text(item.score)}）"
        own = self._own(item, depth + 1)
        narrative = sentence(tidy(item.narrative)) if item.narrative else ""
        if item.children:
            # a note on the item (白山市无计划任务…) stays with it, before its own sub-items
            inner_labelled = self._labelled(item.children, depth + 1)
            inner = [self._sub_item(child, depth + 1, i, inner_labelled) for i, child in enumerate(item.children, start=1)]
            return f"{number}{item.label}{score}。" + "".join([*own, narrative, *inner])
        if own and item.rule_kind != "checklist" and not labelled:
            return f"{number}{_open_end(own[0])}{score}。" + "".join(own[1:]) + narrative
        return f"{number}{item.label}{score}。" + "".join(own) + narrative


def all_leads(content: ReportContent) -> Sequence[str]:
    """Every “…”得分N分 sentence, in order (for checks and tests)."""
    return [indicator.lead for program in content.programs for indicator in program.indicators()]

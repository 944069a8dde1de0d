"""From what a document states to an anju dataset: region, year, cut-off date, and per program
the figures, judgements, narrative and stated scores and percentages.

The same dataset serves two purposes: scored by the engine it lets the audit compare every stated
score with the computed one (:mod:`anju.audit.engine`); written out by ``anju audit
--extract-dataset`` it becomes the province's first anju dataset.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from anju.audit.document import SourceDocument
from anju.audit.mapping import ProgramExtract
from anju.dataset.models import Dataset, Judgement, ProgramData, Region, StatedProgram
from anju.framework.models import Framework, Item, Judged, Program, Provenance
from anju.yamlio import dump_yaml, read_yaml

PROVINCES_FILE = Path(__file__).resolve().parent.parent / "data" / "provinces.yaml"
UNKNOWN_REGION = Region(code="000000", name="未识别地区")
TITLE_BLOCKS = 3
YEAR_RE = re.compile(r"((?:19|20)\d\d)年")
AS_OF_RE = re.compile(r"截至((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日")
UNDETERMINED_REASON = "文中未能提取该项的计分依据，按文中所述得分计入，不作核对"


@lru_cache(maxsize=1)
def provinces() -> dict[str, str]:
    doc = read_yaml(PROVINCES_FILE)
    assert isinstance(doc.data, dict)
    return {str(code): str(name) for code, name in doc.data.items()}


def _short(name: str) -> str:
    return re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", name)


def detect_region(document: SourceDocument) -> Region:
    head = "".join(b.norm.text for b in document.blocks[:TITLE_BLOCKS])
    body = document.text
    for where in (head, body):
        for code, name in provinces().items():
            if name in where:
                return Region(code=code, name=name)
        for code, name in provinces().items():
            if f"{_short(name)}省" in where or f"我{_short(name)}" in where:
                return Region(code=code, name=name)
    return UNKNOWN_REGION


def detect_year(document: SourceDocument) -> int | None:
    head = "".join(b.norm.text for b in document.blocks[:TITLE_BLOCKS])
    years = YEAR_RE.findall(head) or YEAR_RE.findall(document.text)
    if not years:
        return None
    return int(Counter(years).most_common(1)[0][0])


def detect_as_of(document: SourceDocument) -> dt.date | None:
    dates = AS_OF_RE.findall(document.text)
    if not dates:
        return None
    year, month, day = Counter(dates).most_common(1)[0][0]
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def program_data(extract: ProgramExtract) -> ProgramData:
    items = extract.program.item_map
    scores = {path: token.number.value for path, token in extract.scores.items() if path in items}
    percents = {path: token.number.value for path, token in extract.percents.items() if path in items}
    return ProgramData(
        figures=dict(extract.figures),
        judgements=dict(extract.judgements),
        narrative=dict(extract.narrative),
        stated=StatedProgram(total=extract.total.number.value if extract.total else None, scores=scores,
                             percents=percents),
    )


def build_dataset(document: SourceDocument, framework: Framework, extracts: list[ProgramExtract]) -> Dataset:
    title = document.blocks[0].norm.text if document.blocks else None
    year = detect_year(document) or framework.year
    return Dataset(
        region=detect_region(document),
        year=year,
        framework=framework.id,
        as_of=detect_as_of(document),
        title=title,
        source=f"由 anju audit 从《{document.name}》提取",
        programs={e.program.id: program_data(e) for e in extracts},
    )


def scoring_inputs(framework: Framework, dataset: Dataset, extracts: list[ProgramExtract]) -> tuple[Framework, Dataset]:
    """A framework and dataset the engine can score whatever the document left out: every leaf the
    document does not determine is scored as stated (a judged item with the stated score, or 0)."""
    programs: list[Program] = []
    data: dict[str, ProgramData] = dict(dataset.programs)
    by_id = {e.program.id: e for e in extracts}
    for program in framework.programs:
        extract = by_id.get(program.id)
        if extract is None:
            programs.append(program)
            continue
        open_leaves = [p for p, i in program.items() if i.is_leaf and p not in extract.determined]
        if not open_leaves:
            programs.append(program)
            continue
        programs.append(program.model_copy(update={"dimensions": [_judged(d, d.id, set(open_leaves))
                                                                   for d in program.dimensions]}))
        current = data[program.id]
        judgements = dict(current.judgements)
        items = program.item_map
        for path in open_leaves:
            stated = current.stated.scores.get(path)
            points = min(max(stated, Decimal(0)), items[path].points) if stated is not None else Decimal(0)
            judgements[path] = Judgement(points=points, reason=UNDETERMINED_REASON)
        data[program.id] = current.model_copy(update={"judgements": judgements})
    return (framework.model_copy(update={"programs": programs}),
            dataset.model_copy(update={"programs": data}))


def _judged(item: Item, path: str, open_leaves: set[str]) -> Item:
    if item.is_leaf:
        if path in open_leaves:
            return item.model_copy(update={"rule": Judged(kind="judged", provenance=Provenance.assumed)})
        return item
    return item.model_copy(update={"children": [_judged(c, f"{path}.{c.id}", open_leaves) for c in item.children]})


def undetermined(extract: ProgramExtract) -> set[str]:
    """Item paths whose computed score rests on something the document did not state: the leaves
    not determined and every ancestor of one."""
    out: set[str] = set()
    for path, item in extract.program.items():
        if item.is_leaf and path not in extract.determined:
            parts = path.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


def dataset_yaml(dataset: Dataset, extracts: list[ProgramExtract], document: str) -> str:
    """The dataset as YAML a province can keep in anju, with a header saying where it came from and
    which figures were not stated as numbers."""
    data = dataset.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    data = {"region": data.pop("region"), "year": dataset.year, "framework": dataset.framework, **data}
    lines = [
        f"由 anju audit 从《{document}》提取的数据集。",
        "figures：文中数字；judgements：由文中各评分要点得分推定的判断；narrative：文中逐项说明；",
        "stated：文中所述得分和百分比（仅用于一致性核对，计分一律以数据重新计算为准）。",
        "请核对后再作为本省 anju 数据集维护；运行 anju evaluate <目录> 计分。",
    ]
    derived = [f"  {e.program.label}“{e.program.figure(f).label}”（{f}）：{how}"
               for e in extracts for f, how in e.derived.items()]
    if derived:
        lines.append("以下数据项文中未以数字给出，系推定：")
        lines += derived
    missing = [f"  {e.program.label}：{'、'.join(s.label for s in e.program.figures if s.id not in e.figures)}"
               for e in extracts if any(s.id not in e.figures for s in e.program.figures)]
    if missing:
        lines.append("以下数据项文中未找到，须补充后方能计分：")
        lines += missing
    return dump_yaml(data, header="\n".join(lines))

"""``audit(document)``: the generic claims, then (when the document follows a known framework) the
dataset the document yields, scored by the engine and checked by :mod:`anju.checks` — one list of
findings anchored at the numbers they concern, and the coverage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from anju.audit.claims import SUSPECT_NOTE, ClaimChecker, generic_findings, implausible
from anju.audit.document import SourceDocument
from anju.audit.extract import build_dataset, scoring_inputs, undetermined
from anju.audit.mapping import (
    FRAMEWORK_MATCH_MIN,
    ProgramExtract,
    extract_program,
    framework_fit,
    program_sections,
    unmapped_items,
)
from anju.audit.result import Anchor, AuditResult, Coverage, Finding, ProgramSummary, Unchecked
from anju.audit.structure import Section, Token, outline
from anju.checks import precision_tolerance, run_checks
from anju.dataset.models import Dataset
from anju.framework.describe import item_label, place_label
from anju.framework.models import METRIC_RULES, Framework
from anju.problems import AuditCode, ConsistencyCode, Problem, Severity, Where
from anju.scoring import Evaluation, EvaluationError, evaluate
from anju.scoring.metrics import compute_metric

UNCHECKED_DEFAULT = "文中没有可据以核对的关系（如总数与分项、比例与其计算数字、得分与小计）"
PERCENT_CODES = frozenset({ConsistencyCode.STATED_PERCENT_MISMATCH, ConsistencyCode.DENOMINATOR_SWITCH})
SCORE_CODES = frozenset({ConsistencyCode.STATED_SCORE_MISMATCH, ConsistencyCode.STATED_SUBTOTAL_MISMATCH,
                         ConsistencyCode.STATED_TOTAL_MISMATCH})
FIGURE_CODES = frozenset({ConsistencyCode.PARTS_TOTAL_MISMATCH, ConsistencyCode.IMPLAUSIBLE_MAGNITUDE,
                          ConsistencyCode.FIGURE_NEGATIVE})
DROPPED_CODES = frozenset({ConsistencyCode.FIGURE_BLANK})
"""Figures the document does not state are listed once per program, not reported one by one."""


def choose_framework(root: Section, frameworks: Sequence[Framework]) -> Framework | None:
    """The framework that explains most of the document's indicator headings, if any explains half."""
    best: tuple[Decimal, Framework] | None = None
    for framework in frameworks:
        fit = framework_fit(root, framework)
        if fit >= FRAMEWORK_MATCH_MIN and (best is None or fit > best[0]):
            best = (fit, framework)
    return best[1] if best else None


@dataclass
class _Run:
    document: SourceDocument
    root: Section
    checker: ClaimChecker
    framework: Framework | None = None
    extracts: list[ProgramExtract] = field(default_factory=list)
    dataset: Dataset | None = None
    evaluation: Evaluation | None = None
    findings: list[Finding] = field(default_factory=list)
    framework_ok: set[tuple[int, int]] = field(default_factory=set)
    """Percent tokens the framework recomputed and found right."""


def audit(document: SourceDocument, frameworks: Sequence[Framework] = (), *, forced: bool = False) -> AuditResult:
    """Audit ``document``. With ``forced`` the one framework given is used even if the document
    does not look like it; otherwise the best-fitting of ``frameworks`` (or none)."""
    root = outline(document)
    framework = frameworks[0] if forced and frameworks else choose_framework(root, frameworks)
    extracts = [extract_program(p, s, document.name) for p, s in program_sections(root, framework)] if framework else []
    aligned = {e.scores[p].key for e in extracts for p in e.aligned if p in e.scores} if framework else None
    run = _Run(document, root, generic_findings(document, root, aligned), extracts=extracts)
    if framework is not None:
        _framework_audit(run, framework)
    elif frameworks:
        run.findings.append(Finding(
            Problem(AuditCode.FRAMEWORK_NOT_DETECTED, Severity.advisory,
                    "未能识别文件所依据的指标体系（没有找到与指标名称相符的“××”得分N分标题），只核对了文中的通用算术关系。",
                    Where(file=document.name)), "", None))
    findings = _merge(run)
    return AuditResult(
        document=document,
        findings=findings,
        coverage=_coverage(run),
        framework_id=framework.id if framework else None,
        framework_label=framework.label if framework else None,
        region=run.dataset.region.name if run.dataset else None,
        year=run.dataset.year if run.dataset else None,
        programs=_summaries(run),
        dataset=run.dataset,
        evaluation=run.evaluation,
        extracts=run.extracts,
    )


def _framework_audit(run: _Run, framework: Framework) -> None:
    run.framework = framework
    if not run.extracts:
        return
    for extract in run.extracts:
        _set_aside_suspects(extract)
    dataset = build_dataset(run.document, framework, run.extracts)
    run.dataset = dataset
    scoring_framework, scoring_dataset = scoring_inputs(framework, dataset, run.extracts)
    try:
        run.evaluation = evaluate(scoring_framework, scoring_dataset)
    except EvaluationError:
        run.evaluation = None
    problems = run_checks(framework, scoring_dataset, run.evaluation, tolerance=precision_tolerance)
    by_program = {e.program.id: e for e in run.extracts}
    for problem in problems:
        owner = by_program.get(problem.where.program or "")
        if owner is None or problem.code in DROPPED_CODES:
            continue
        finding = _anchored(run, owner, problem)
        if finding is not None:
            run.findings.append(finding)
    for extract in run.extracts:
        run.findings.extend(extract.findings)
        run.findings.extend(_missing(run, extract))
        _mark_checked(run, extract)


def _set_aside_suspects(extract: ProgramExtract) -> None:
    """A leaf whose recomputed rate is implausibly far from the stated one is scored as stated: its
    figures were more likely misread than the document wrong (the mismatch is still reported)."""
    items = extract.program.item_map
    for path, token in extract.percents.items():
        rule = items[path].rule
        if path not in extract.determined or not isinstance(rule, METRIC_RULES):
            continue
        value = compute_metric(rule.metric, extract.figures).value
        if value is not None and implausible(token.number.value, value):
            extract.determined.discard(path)
            extract.suspects.add(path)


def _anchored(run: _Run, extract: ProgramExtract, problem: Problem) -> Finding | None:
    open_items = undetermined(extract)
    if problem.code in PERCENT_CODES and problem.where.item in extract.suspects:
        problem = replace(problem, severity=Severity.warning, message=problem.message.rstrip("。") + SUSPECT_NOTE + "。")
    item, figure = problem.where.item, problem.where.figure
    token: Token | None = None
    if problem.code in SCORE_CODES:
        if problem.code is ConsistencyCode.STATED_SCORE_MISMATCH and (
                (item is None and open_items) or (item is not None and item in open_items)):
            return None
        token = extract.scores.get(item) if item else extract.total
    elif problem.code in PERCENT_CODES or problem.code is ConsistencyCode.SHARE_ABOVE_100:
        token = extract.percents.get(item or "")
        if token is None and item:
            token = _metric_token(extract, item)
    elif figure is not None:
        token = extract.figure_tokens.get(figure)
    if token is None:
        token = extract.scores.get(item or "") or extract.total
    problem = problem.with_where(file=run.document.name, paragraph=token.block.paragraph if token else None,
                                 page=token.block.page if token else None)
    quote = token.block.quote(token.number.start, token.number.end) if token else ""
    place = place_label(run.framework, problem.where) if run.framework else extract.program.label
    return Finding(problem, quote, Anchor.of(token) if token else None, place)


def _metric_token(extract: ProgramExtract, item: str) -> Token | None:
    rule = extract.program.item_map[item].rule
    if isinstance(rule, METRIC_RULES):
        return extract.figure_tokens.get(rule.metric.numerator[0])
    return None


def _missing(run: _Run, extract: ProgramExtract) -> list[Finding]:
    out: list[Finding] = []
    absent = [spec.label for spec in extract.program.figures if spec.id not in extract.figures]
    heading = extract.section.heading
    anchor = Anchor.span(heading.block, heading.start, heading.end) if heading else None
    quote = heading.text if heading else ""
    if absent:
        out.append(Finding(Problem(
            AuditCode.FIGURE_NOT_FOUND, Severity.advisory,
            f"{extract.program.label}：文中未找到以下数据项，相关指标按文中所述得分计入、未作核对：{'、'.join(absent)}。",
            Where(program=extract.program.id, file=run.document.name)), quote, anchor, extract.program.label))
    missing_items = unmapped_items(extract)
    if missing_items:
        labels = "、".join(i.label for _, i in missing_items)
        out.append(Finding(Problem(
            AuditCode.ITEM_NOT_FOUND, Severity.advisory,
            f"{extract.program.label}：文中没有对以下指标的说明：{labels}。",
            Where(program=extract.program.id, file=run.document.name)), quote, anchor, extract.program.label))
    return out


def _mark_checked(run: _Run, extract: ProgramExtract) -> None:
    items = extract.program.item_map
    open_items = undetermined(extract)
    for path in extract.determined:
        rule = items[path].rule
        tokens: list[Token] = []
        if isinstance(rule, METRIC_RULES):
            tokens += [extract.figure_tokens[f] for f in rule.metric.figure_ids() if f in extract.figure_tokens]
            if path in extract.percents:
                tokens.append(extract.percents[path])
                run.framework_ok.add(extract.percents[path].key)
        if path in extract.scores:
            tokens.append(extract.scores[path])
        tokens += [t for (p, _), t in extract.clause_scores.items() if p == path]
        run.checker.mark(*tokens)
    for path, token in extract.scores.items():
        if path not in open_items:
            run.checker.mark(token)
    if extract.total is not None and not open_items:
        run.checker.mark(extract.total)
    for identity in extract.program.identities:
        ids = [identity.total, *identity.parts]
        if all(f in extract.figure_tokens for f in ids):
            run.checker.mark(*(extract.figure_tokens[f] for f in ids))
    for check in extract.program.plausibility:
        for fid in (check.numerator, check.denominator):
            if fid in extract.figure_tokens:
                run.checker.mark(extract.figure_tokens[fid])


def _merge(run: _Run) -> list[Finding]:
    """Framework findings first; a generic finding of the same code at the same number is the same
    finding; a generic percentage finding the framework recomputed as right is dropped; a score
    finding that says what a subtotal finding at the same number says is dropped."""
    merged: dict[tuple[int, int, str], Finding] = {}
    for finding in run.findings:
        merged.setdefault(finding.key, finding)
    mapped = _mapped_headings(run)
    for finding in run.checker.findings:
        if finding.key in merged:
            continue
        if finding.code == ConsistencyCode.STATED_SUBTOTAL_MISMATCH and _token_key(run, finding) in mapped:
            continue  # the framework knows which indicators a dimension holds; its check stands
        if finding.code in PERCENT_CODES and finding.anchor and _token_key(run, finding) in run.framework_ok:
            continue
        merged[finding.key] = _placed(run, finding)
    out = list(merged.values())
    subtotals = {(f.anchor.block, f.anchor.start, f.problem.stated, f.problem.computed)
                 for f in out if f.code == ConsistencyCode.STATED_SUBTOTAL_MISMATCH and f.anchor}
    out = [f for f in out if not (f.code == ConsistencyCode.STATED_SCORE_MISMATCH and f.anchor and
                                  (f.anchor.block, f.anchor.start, f.problem.stated, f.problem.computed) in subtotals)]
    return sorted(out, key=lambda f: (f.anchor.block if f.anchor else 0, f.anchor.start if f.anchor else 0,
                                      f.severity.rank))


def _mapped_headings(run: _Run) -> set[tuple[int, int]]:
    """Program and dimension scores the framework read (and checked with its own structure)."""
    out: set[tuple[int, int]] = set()
    for extract in run.extracts:
        if extract.total is not None:
            out.add(extract.total.key)
        for path, section in extract.item_sections.items():
            if "." not in path and section.score is not None:
                out.add(section.score.key)
    return out


def _token_key(run: _Run, finding: Finding) -> tuple[int, int]:
    assert finding.anchor is not None
    block = run.document.blocks[finding.anchor.block - 1]
    for number in block.numbers:
        if block.norm.span(number.start, number.end)[0] == finding.anchor.start:
            return (block.index, number.start)
    return (block.index, -1)


def _placed(run: _Run, finding: Finding) -> Finding:
    """A generic finding inside a section the framework mapped names its program and indicator."""
    if run.framework is None or finding.anchor is None:
        return finding
    key = _token_key(run, finding)
    best: tuple[int, str, str] | None = None
    for extract in run.extracts:
        for path, section in extract.item_sections.items():
            for piece in ([section.heading] if section.heading else []) + section.all_pieces():
                if piece.block.index == key[0] and piece.start <= key[1] < piece.end:
                    depth = path.count(".")
                    if best is None or depth > best[0]:
                        best = (depth, extract.program.id, path)
        if best is None and any(p.block.index == key[0] and p.start <= key[1] < p.end
                                for p in extract.section.all_pieces()):
            best = (-1, extract.program.id, "")
    if best is None:
        return finding
    _, program, path = best
    place = item_label(run.framework, program, path) if path else run.framework.program(program).label
    return finding.with_place(program, path or None, place)


def _coverage(run: _Run) -> Coverage:
    tokens = [Token(b, n) for b, n in run.document.countable()]
    checked = [t for t in tokens if t.key in run.checker.checked]
    unchecked = [
        Unchecked(t.number.text, t.block.quote(t.number.start, t.number.end), Anchor.of(t),
                  run.checker.unchecked.get(t.key, UNCHECKED_DEFAULT))
        for t in tokens if t.key not in run.checker.checked
    ]
    return Coverage(total=len(tokens), checked=len(checked), unchecked=unchecked)


def _summaries(run: _Run) -> list[ProgramSummary]:
    out: list[ProgramSummary] = []
    for extract in run.extracts:
        computed: Decimal | None = None
        if run.evaluation is not None:
            try:
                computed = run.evaluation.program(extract.program.id).score
            except KeyError:
                computed = None
        out.append(ProgramSummary(
            id=extract.program.id, label=extract.program.label,
            stated_total=extract.total.number.value if extract.total else None,
            computed_total=computed, complete=not undetermined(extract),
        ))
    return out


def with_document_name(result: AuditResult, name: str) -> AuditResult:
    return replace(result, document=replace(result.document, name=name))

"""Campaign 1: the workbook import, from pre-filled workbooks (``anju template --fill``) mutated in
their cells, their XML, their zip and their identity. Whatever the file: no exception, a Chinese
refusal naming the file (and the sheet and cell), no silent wrong attribution, nothing out of a
figure's limits accepted, and through the command line a documented exit code with nothing
written on refusal."""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anju.adapters.excel.importer import ImportContext, import_workbook
from anju.adapters.excel.layout import build_layout
from anju.collect.entry import normalized_text
from anju.collect.regions import RegionTree
from anju.framework import Framework
from anju.framework.models import limit_breach

from ..helpers import run_cli
from .conftest import FUZZ_UNITS
from .fuzzing import TALLY, campaign_settings, check_cli, check_problem

pytestmark = pytest.mark.fuzz

SHEET_PARTS = {"说明": 1, "封面": 2, "住房租赁保障": 3, "城镇老旧小区改造": 4, "城市棚户区改造": 5, "_anju": 6}
"""The template writer (XlsxWriter) writes the sheets as sheet1.xml … in workbook order (checked by
test_parts_are_where_expected)."""
PROGRAM_SHEETS = ("住房租赁保障", "城镇老旧小区改造", "城市棚户区改造")
NASTY = ["1e30", "9" * 29, "1e999999", "-0", "-5", "0.001", "12.345", "１２３", "1,234.5", "1_000", "约3万", "3万元", "不适用",
         "NA", "n/a", "是", "否", "TRUE", "=1+1", "#DIV/0!", "", " ", "\u200b12", "12\u200f", "NaN", "inf", "-inf", "1e-400",
         "0x1F", "1:30", "2023-01-20", "[/x]", "[bold]农安[/]", "<script>", "\u0000", "\ufffe", "𠀀" * 50, "0" * 400]
CELL_TYPES = ["n", "inlineStr", "s", "b", "e", "str", "formula", "formula_cached", "d", "none"]
XML_CHARS = st.characters(blacklist_categories=("Cs",))
META_FREE = {9}
"""Meta rows whose value is informational (``generator``): editing them is allowed."""


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_parts(path: Path, members: dict[str, bytes], methods: dict[str, int] | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data, compress_type=(methods or {}).get(name, zipfile.ZIP_DEFLATED))


def sheet_part(sheet: str) -> str:
    return f"xl/worksheets/sheet{SHEET_PARTS[sheet]}.xml"


def replace_cell(xml: str, ref: str, new: str) -> str:
    """Put ``new`` in place of the ``<c r="ref">`` element (or add it to its row)."""
    pattern = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
    if pattern.search(xml):
        return pattern.sub(lambda _m: new, xml, count=1)
    row = re.sub(r"[A-Z]+", "", ref)
    row_pattern = re.compile(rf'(<row r="{row}"[^>]*>)(.*?)(</row>)', re.S)
    if row_pattern.search(xml):
        return row_pattern.sub(lambda m: m.group(1) + m.group(2) + new + m.group(3), xml, count=1)
    return xml.replace("</sheetData>", f'<row r="{row}">{new}</row></sheetData>')


def cell_xml(ref: str, kind: str, value: str) -> str:
    text = escape(value)
    return {
        "n": f'<c r="{ref}"><v>{text}</v></c>',
        "inlineStr": f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>',
        "s": f'<c r="{ref}" t="s"><v>{text}</v></c>',
        "b": f'<c r="{ref}" t="b"><v>{text}</v></c>',
        "e": f'<c r="{ref}" t="e"><v>{text}</v></c>',
        "str": f'<c r="{ref}" t="str"><f>"{text}"</f><v>{text}</v></c>',
        "formula": f'<c r="{ref}"><f>{text or "1+1"}</f><v></v></c>',
        "formula_cached": f'<c r="{ref}"><f>1+1</f><v>{text}</v></c>',
        "d": f'<c r="{ref}" t="d"><v>{text}</v></c>',
        "none": f'<c r="{ref}"/>',
    }[kind]


@dataclass(frozen=True)
class Mutation:
    kind: str
    sheet: str | None = None
    cell: str | None = None
    identity: bool = False
    """Whether a successful import after it would be a wrong attribution (it changed who the file is)."""


def _column(number: int) -> str:
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


values = st.one_of(st.sampled_from(NASTY), st.text(XML_CHARS, max_size=60),
                   st.decimals(allow_nan=True, allow_infinity=True).map(str), st.floats().map(repr),
                   st.integers(-10**40, 10**40).map(str))
column_letters = st.integers(1, 18_278).map(_column)


Members = dict[str, bytes]


def _edit(members: Members, sheet: str, ref: str, new: str) -> str:
    """Replace one cell of a sheet; returns the sheet's XML before the edit."""
    xml = members[sheet_part(sheet)].decode()
    members[sheet_part(sheet)] = replace_cell(xml, ref, new).encode()
    return xml


def _cell(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    row = draw(st.sampled_from(next(s for s in layout.sheets if s.name == sheet).rows))
    _edit(members, sheet, row.cell, cell_xml(row.cell, draw(st.sampled_from(CELL_TYPES)), draw(values)))
    return Mutation("cell", sheet, row.cell)


def _column_cell(kind: str, column: str) -> Any:
    def mutate(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
        row = draw(st.sampled_from(next(s for s in layout.sheets if s.name == sheet).rows)).row
        text = draw(values if kind != "note" else st.text(XML_CHARS, max_size=2500))
        before = _edit(members, sheet, f"{column}{row}", cell_xml(f"{column}{row}", "inlineStr", text))
        return Mutation(kind, sheet, f"{column}{row}", identity=kind != "note" and differs(members, before, f"{column}{row}", text))
    return mutate


def _switch(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    _edit(members, sheet, "C3", cell_xml("C3", "inlineStr", draw(st.sampled_from(["是", "否", "", "yes", "x"]))))
    return Mutation("switch", sheet, "C3")


def _title(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    text = draw(values)
    before = _edit(members, sheet, "A1", cell_xml("A1", "inlineStr", text))
    return Mutation("title", sheet, "A1", identity=differs(members, before, "A1", text))


def _far(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    ref = f"{draw(column_letters)}{draw(st.integers(1, 10**12))}"
    row = re.sub("[A-Z]+", "", ref)
    xml = members[sheet_part(sheet)].decode()
    members[sheet_part(sheet)] = xml.replace("</sheetData>", f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>').encode()
    return Mutation("far", sheet, ref)


def _dimension(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    ref = f"A1:{draw(column_letters)}{draw(st.integers(1, 10**9))}"
    members[sheet_part(sheet)] = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>',
                                        members[sheet_part(sheet)].decode()).encode()
    return Mutation("dimension", sheet)


def _truncate(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    data = members[sheet_part(sheet)]
    members[sheet_part(sheet)] = data[: draw(st.integers(0, len(data) - 1))]
    return Mutation("truncate", sheet)


def _drop(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    name = draw(st.sampled_from(sorted(members)))
    del members[name]
    return Mutation("drop", identity=name == sheet_part("_anju"))


def _meta(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    row, text = draw(st.integers(1, 10)), draw(values)
    before = _edit(members, "_anju", f"B{row}", cell_xml(f"B{row}", "inlineStr", text))
    return Mutation("meta", "_anju", f"B{row}", identity=old_text(members, before, f"B{row}") != text and row not in META_FREE)


def _cover(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    cell, text = draw(st.sampled_from(["B4", "B5"])), draw(values)
    before = _edit(members, "封面", cell, cell_xml(cell, "inlineStr", text))
    return Mutation("cover", "封面", cell, identity=differs(members, before, cell, text))


def _date(draw: st.DrawFn, members: Members, layout: Any, sheet: str) -> Mutation:
    _edit(members, "封面", "B11", cell_xml("B11", draw(st.sampled_from(CELL_TYPES)), draw(values)))
    return Mutation("date", "封面", "B11")


MUTATORS = {"cell": _cell, "label": _column_cell("label", "B"), "id": _column_cell("id", "G"),
            "note": _column_cell("note", "F"), "switch": _switch, "title": _title, "far": _far, "dimension": _dimension,
            "truncate": _truncate, "drop": _drop, "meta": _meta, "cover": _cover, "date": _date}
KINDS = [*MUTATORS, "cell", "cell", "compression", "bytes"]


@st.composite
def mutations(draw: st.DrawFn, framework: Framework, tree: RegionTree, source: Members, unit: str) -> tuple[Mutation, Members, dict[str, int]]:
    """One random change of a workbook's parts (or, for ``bytes``, of the file afterwards)."""
    members = dict(source)
    methods: dict[str, int] = {}
    kind = draw(st.sampled_from(KINDS))
    if kind == "compression":
        name = draw(st.sampled_from(sorted(members)))
        methods[name] = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]))
        return Mutation(kind), members, methods
    if kind == "bytes":
        return Mutation(kind), members, methods
    layout = build_layout(framework, tree, tree.unit(unit))
    sheet = draw(st.sampled_from(PROGRAM_SHEETS))
    return MUTATORS[kind](draw, members, layout, sheet), members, methods


def shared_strings(members: Members) -> list[str]:
    """The workbook's shared strings (xl/sharedStrings.xml), in order: what a ``t="s"`` cell's index means."""
    xml = members.get("xl/sharedStrings.xml", b"").decode("utf-8", errors="replace")
    return [html.unescape("".join(re.findall(r"<t[^>]*>([^<]*)</t>", item))) for item in re.findall(r"<si>(.*?)</si>", xml, re.S)]


def old_text(members: Members, xml: str, ref: str) -> str | None:
    """The text of a string cell (inline or shared) as the user sees it."""
    match = re.search(rf'<c r="{ref}"[^>]*><is><t[^>]*>([^<]*)</t>', xml)
    if match:
        return html.unescape(match.group(1))
    shared = re.search(rf'<c r="{ref}"[^>]*t="s"[^>]*><v>([0-9]+)</v>', xml)
    strings = shared_strings(members) if shared else []
    return strings[int(shared.group(1))] if shared and int(shared.group(1)) < len(strings) else None


def differs(members: Members, xml: str, ref: str, text: str) -> bool:
    """Whether ``text`` reads differently from the cell's text once normalized as the importer does."""
    old = old_text(members, xml, ref)
    return old is None or normalized_text(old) != normalized_text(text)


def flip_bytes(path: Path, data: Any) -> None:
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(raw))


def test_parts_are_where_expected(prefilled: dict[str, Path], framework: Framework, tree: RegionTree) -> None:
    members = parts(prefilled["220100"])
    names = members["xl/workbook.xml"].decode()
    assert [m for m in re.findall(r'name="([^"]+)"', names) if m in SHEET_PARTS] == list(SHEET_PARTS)
    # the identity checks of the mutations read the cells' texts as the importer would see them
    layout = build_layout(framework, tree, tree.unit("220100"))
    sheet = layout.sheets[0]
    xml = members[sheet_part(sheet.name)].decode()
    assert old_text(members, xml, "A1") == layout.sheet_title(sheet)
    assert old_text(members, xml, f"B{sheet.rows[0].row}") == sheet.rows[0].label
    assert old_text(members, members[sheet_part("_anju")].decode(), "B10") == layout.checksum


@given(data=st.data())
@campaign_settings("workbook")
def test_any_workbook_is_read_or_refused_in_chinese(data: Any, prefilled: dict[str, Path], framework: Framework,
                                                    tree: RegionTree, import_context: ImportContext,
                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    unit = data.draw(st.sampled_from(FUZZ_UNITS))
    source = parts(prefilled[unit])
    mutation, members, methods = data.draw(mutations(framework, tree, source, unit))
    path = tmp_path_factory.mktemp("wb") / prefilled[unit].name
    write_parts(path, members, methods)
    if mutation.kind == "bytes":
        flip_bytes(path, data)
    outcome = import_workbook(path, import_context)
    if outcome.accepted:
        TALLY.record("workbook", "accepted")
        assert not mutation.identity, f"{mutation}: an altered identity was accepted (as {outcome.unit})"
        assert outcome.unit == unit, f"{mutation}: read as {outcome.unit}"
        assert outcome.report is not None
        for program in outcome.report.programs.values():
            for fid, value in program.figures.items():
                if isinstance(value, Decimal):
                    spec = next(p for p in framework.programs if fid in {f.id for f in p.figures}).figure(fid)
                    assert value >= 0 and limit_breach(spec.kind, spec.unit, value) is None, (mutation, fid, value)
        return
    refusals = outcome.refusals
    assert refusals, mutation
    TALLY.record("workbook", f"refused {refusals[0].code}")
    for problem in refusals:
        check_problem(problem, path.name)
    if mutation.kind == "cell" and outcome.problems:
        assert any(p.where.sheet for p in outcome.problems), outcome.problems


@given(data=st.data())
@campaign_settings("workbook_cli")
def test_the_import_command_writes_all_or_nothing(data: Any, prefilled: dict[str, Path], framework: Framework,
                                                  tree: RegionTree, tmp_path_factory: pytest.TempPathFactory,
                                                  capsys: Any) -> None:
    folder = tmp_path_factory.mktemp("batch")
    broken = data.draw(st.sampled_from(FUZZ_UNITS))
    for unit, source in prefilled.items():
        target = folder / source.name
        if unit == broken:
            _mutation, members, methods = data.draw(mutations(framework, tree, parts(source), unit))
            write_parts(target, members, methods)
        else:
            target.write_bytes(source.read_bytes())
    out = folder / "out"
    partial = data.draw(st.booleans())
    code, printed = run_cli(capsys, "import", folder, "-o", out, *(["--partial"] if partial else []))
    TALLY.record("workbook_cli", f"exit {code}")
    check_cli(code, printed)
    assert code in (0, 2, 4), printed
    written = (out / "units.yaml").exists()
    if code == 2:
        assert not written, printed  # all or nothing: one refused file, nothing written
    else:
        assert written, printed
        text = (out / "units.yaml").read_text(encoding="utf-8")
        expected = len(prefilled) if code == 0 else len(prefilled) - 1
        assert len(re.findall(r"^  '[0-9]{6}':$", text, re.M)) == expected, text
    assert not list(folder.rglob(".*.tmp"))

"""What several test modules share: paths to the example and fixtures, small rule objects, and
dataset edits. Test modules import from here, never from each other."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from anju.dataset import Dataset
from anju.dataset.models import FigureValue
from anju.framework import Framework
from anju.framework.models import Metric, Proportional, RatioTiers, Tier

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jilin-2022"
FIXTURES = ROOT / "tests" / "fixtures"
TEST_TEMPLATE_KEY = "anju-tests-template-key"
"""The template signing key every test runs with (set in tests/conftest.py)."""

METRIC = Metric(label="预算执行率", numerator=["spent"], denominator=["budget"], kind="completion")
EXECUTION = RatioTiers(
    kind="ratio_tiers",
    metric=METRIC,
    provenance="inferred",
    tiers=[
        Tier(below=D(60), points=D(0)),
        Tier(at_least=D(60), below=D(80), points=D(1)),
        Tier(at_least=D(80), below=D(90), points=D(2)),
        Tier(at_least=D(90), points=D(3)),
    ],
)
PROP = Proportional(kind="proportional", metric=METRIC, provenance="assumed")


def with_figures(dataset: Dataset, program: str, **figures: FigureValue) -> Dataset:
    """The dataset with some figures of one program replaced."""
    data = dataset.programs[program]
    programs = dict(dataset.programs)
    programs[program] = data.model_copy(update={"figures": {**data.figures, **figures}})
    return dataset.model_copy(update={"programs": programs})


META_CELL_RE = r'(<c r="B{row}"[^>]*><is><t[^>]*>)([^<]*)(</t></is></c>)'
META_ROWS = {"format": 1, "framework_hash": 4, "region": 5, "unit": 6, "checksum": 10}


def restamp(source: Path, target: Path, framework: Framework) -> Path:
    """Copy a workbook made by an older anju (or on another installation), bringing its hidden
    metadata's format, framework hash and signature up to date for the unit it names — every other
    byte of every other member stays as it was (a reproducer's broken cell, bad compression or
    far-away cell reference included)."""
    import re
    import zipfile

    from anju.adapters.excel.layout import TEMPLATE_FORMAT, build_layout
    from anju.collect.regions import builtin_region_tree

    with zipfile.ZipFile(source) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    meta_part = next(
        (info.filename for info, data in members if info.filename.startswith("xl/worksheets/") and b"<t>checksum</t>" in data),
        None,
    )
    assert meta_part is not None, f"{source.name} has no hidden metadata sheet"
    xml = next(data for info, data in members if info.filename == meta_part).decode("utf-8")

    def cell(key: str) -> str:
        match = re.search(META_CELL_RE.format(row=META_ROWS[key]), xml)
        assert match is not None, key
        return match.group(2)

    tree = builtin_region_tree(cell("region"))
    layout = build_layout(framework, tree, tree.unit(cell("unit")))
    for key, value in (("format", TEMPLATE_FORMAT), ("framework_hash", layout.framework_hash), ("checksum", layout.checksum)):
        xml = re.sub(META_CELL_RE.format(row=META_ROWS[key]), lambda m, v=value: m.group(1) + v + m.group(3), xml)
    with zipfile.ZipFile(target, "w") as out:
        for info, data in members:
            out.writestr(info, xml.encode("utf-8") if info.filename == meta_part else data, compress_type=info.compress_type)
    return target


def workbook_cells(path: Path) -> dict[str, object]:
    """Every sheet of a workbook as plain data: each written cell's formula or value, its stored
    (cached) value and number format, the merged ranges, frozen panes, print titles and comments.
    Two workbooks with the same dump show the same thing cell for cell."""
    formulas, values = load_workbook(path), load_workbook(path, data_only=True)
    dump: dict[str, object] = {"sheets": formulas.sheetnames}
    for name in formulas.sheetnames:
        wf, wv = formulas[name], values[name]
        cells = {
            cell.coordinate: [cell.value, wv[cell.coordinate].value, cell.number_format]
            for row in wf.iter_rows()
            for cell in row
            if cell.value is not None or wv[cell.coordinate].value is not None
        }
        dump[name] = {
            "cells": cells,
            "merged": sorted(str(r) for r in wf.merged_cells.ranges),
            "freeze": wf.freeze_panes,
            "print_titles": wf.print_title_rows,
            "comments": {c.coordinate: c.comment.text for row in wf.iter_rows() for c in row if c.comment},
        }
    return dump


def run_cli(capsys: Any, *args: object) -> tuple[int, str]:
    """Run ``anju ARGS…`` in-process through the real entry point (:func:`anju.cli.run`, the one
    top-level handler) and return the exit code and everything printed (stdout and stderr)."""
    from anju.cli import run

    capsys.readouterr()
    code = run([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def upgrade_framework(source: Path, target: Path) -> Path:
    """Copy a framework directory written before the appendix declaration became required, adding
    ``appendix: appendix.yaml`` and the built-in appendix file (its own content left as it is)."""
    import shutil

    from anju.framework.loader import BUILTIN_DIR

    shutil.copytree(source, target)
    for path in target.iterdir():
        path.chmod(0o644)
    framework_yaml = target / "framework.yaml"
    text = framework_yaml.read_text(encoding="utf-8")
    if "\nappendix:" not in text:
        framework_yaml.write_text(text.rstrip("\n") + "\nappendix: appendix.yaml\n", encoding="utf-8")
        shutil.copy(BUILTIN_DIR / "2022" / "appendix.yaml", target / "appendix.yaml")
    return target

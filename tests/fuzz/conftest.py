"""Fixtures of the fuzz campaigns: the pre-filled workbooks they start from (``anju template
--fill`` of the example's units), the framework, the region tree; and the session's tally."""

from __future__ import annotations

from pathlib import Path

import pytest

from anju.adapters.excel.importer import ImportContext
from anju.adapters.excel.template import write_templates
from anju.collect.regions import RegionTree, builtin_region_tree
from anju.collect.units import UnitsFile, load_units
from anju.collect.validation import builtin_rules
from anju.framework import Framework, builtin_framework

from ..helpers import EXAMPLE
from .fuzzing import PROFILE, TALLY

FUZZ_UNITS = ("220100", "220122", "220581")
"""长春市 (市本级), 农安县, 梅河口市: a prefecture's own report, a county, a county-level city."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.inputs:
        terminalreporter.section(f"模糊测试（profile {PROFILE}）")
        for line in TALLY.lines():
            terminalreporter.write_line(line)
        TALLY.write()


@pytest.fixture(scope="session")
def framework() -> Framework:
    return builtin_framework("2022")


@pytest.fixture(scope="session")
def tree() -> RegionTree:
    return builtin_region_tree("220000")


@pytest.fixture(scope="session")
def example_units(framework: Framework, tree: RegionTree) -> UnitsFile:
    return load_units(EXAMPLE, framework, tree)


@pytest.fixture(scope="session")
def prefilled(tmp_path_factory: pytest.TempPathFactory, framework: Framework, tree: RegionTree,
              example_units: UnitsFile) -> dict[str, Path]:
    """The example units' workbooks as ``anju template --fill`` writes them: each imports back unchanged."""
    target = tmp_path_factory.mktemp("prefilled")
    units = [tree.unit(code) for code in FUZZ_UNITS]
    paths = write_templates(framework, tree, target, units=units, rules=builtin_rules(framework), prefill=example_units.units)
    return {path.name.split("_", 1)[0]: path for path in paths}


@pytest.fixture(scope="session")
def import_context(framework: Framework, tree: RegionTree) -> ImportContext:
    return ImportContext(framework, {tree.code: tree}, builtin_rules(framework))

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from anju.collect.regions import RegionTree, builtin_region_tree
from anju.framework import Framework, builtin_framework
from anju.monitoring import Monitoring, load_monitoring
from anju.targets import Targets, load_targets
from anju.yamlio import dump_yaml, read_yaml

from ..helpers import EXAMPLE


@pytest.fixture(scope="session")
def framework() -> Framework:
    return builtin_framework("2022")


@pytest.fixture(scope="session")
def tree() -> RegionTree:
    return builtin_region_tree("220000")


@pytest.fixture(scope="session")
def targets(framework: Framework, tree: RegionTree) -> Targets:
    return load_targets(EXAMPLE, framework, tree)


@pytest.fixture(scope="session")
def monitoring(framework: Framework, targets: Targets, tree: RegionTree) -> Monitoring:
    return load_monitoring(EXAMPLE, framework, targets, tree)


def raw(name: str) -> Any:
    """The example file's data, to edit in a test."""
    return read_yaml(EXAMPLE / name).data


def write(path: Path, data: Any) -> Path:
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path

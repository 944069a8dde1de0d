from __future__ import annotations

import os

import pytest

from anju.dataset import Dataset, load_dataset
from anju.framework import Framework
from anju.scoring import Evaluation, evaluate

from .helpers import EXAMPLE, TEST_TEMPLATE_KEY

# Templates are signed with the installation's key (anju.adapters.excel.layout.template_key); the
# tests use a fixed one and never touch the user's ~/.config/anju/template.key.
os.environ.setdefault("ANJU_TEMPLATE_KEY", TEST_TEMPLATE_KEY)


@pytest.fixture(scope="session")
def jilin() -> tuple[Dataset, Framework]:
    return load_dataset(EXAMPLE)


@pytest.fixture(scope="session")
def jilin_evaluation(jilin: tuple[Dataset, Framework]) -> Evaluation:
    dataset, framework = jilin
    return evaluate(framework, dataset)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fuzz", action="store_true", default=False,
                     help="运行 tests/fuzz 的模糊测试（make test 有界运行；make fuzz 用 ANJU_FUZZ_PROFILE=long 长时间运行）")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fuzz campaigns run only with --fuzz (make test, make fuzz): a plain pytest stays short.
    They are deselected, not skipped."""
    if config.getoption("--fuzz"):
        return
    kept = [item for item in items if item.get_closest_marker("fuzz") is None]
    deselected = [item for item in items if item.get_closest_marker("fuzz") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept

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

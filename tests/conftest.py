from __future__ import annotations

import pytest

from anju.dataset import Dataset, load_dataset
from anju.framework import Framework
from anju.scoring import Evaluation, evaluate

from .helpers import EXAMPLE


@pytest.fixture(scope="session")
def jilin() -> tuple[Dataset, Framework]:
    return load_dataset(EXAMPLE)


@pytest.fixture(scope="session")
def jilin_evaluation(jilin: tuple[Dataset, Framework]) -> Evaluation:
    dataset, framework = jilin
    return evaluate(framework, dataset)

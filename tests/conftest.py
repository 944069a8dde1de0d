from __future__ import annotations

from pathlib import Path

import pytest

from anju.dataset import Dataset, load_dataset
from anju.framework import Framework
from anju.scoring import Evaluation, evaluate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "jilin-2022"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def jilin() -> tuple[Dataset, Framework]:
    return load_dataset(EXAMPLE)


@pytest.fixture(scope="session")
def jilin_evaluation(jilin: tuple[Dataset, Framework]) -> Evaluation:
    dataset, framework = jilin
    return evaluate(framework, dataset)

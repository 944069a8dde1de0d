"""Shared fixtures: Jilin 2022 evaluated once, and the whole report written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from anju.adapters.report import ReportFiles, write_report
from anju.adapters.report.content import ReportContent, build_content
from anju.dataset import Dataset, load_dataset
from anju.framework.models import Framework
from anju.scoring import Evaluation, evaluate

ROOT = Path(__file__).resolve().parents[3]
JILIN = ROOT / "examples" / "jilin-2022"


@pytest.fixture(scope="session")
def jilin() -> tuple[Dataset, Framework, Evaluation]:
    dataset, framework = load_dataset(JILIN)
    return dataset, framework, evaluate(framework, dataset)


@pytest.fixture(scope="session")
def content(jilin: tuple[Dataset, Framework, Evaluation]) -> ReportContent:
    dataset, framework, evaluation = jilin
    return build_content(evaluation, framework, dataset)


@pytest.fixture(scope="session")
def report(jilin: tuple[Dataset, Framework, Evaluation], tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    dataset, framework, evaluation = jilin
    return write_report(evaluation, framework, dataset, tmp_path_factory.mktemp("report"))

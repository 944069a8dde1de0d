"""Shared fixtures: Jilin 2022 evaluated once, and the whole report written once per session."""

from __future__ import annotations

import pytest

from anju.adapters.report import ReportFiles, write_report
from anju.adapters.report.content import ReportContent, build_content
from anju.dataset import Dataset, load_dataset
from anju.framework.models import Framework
from anju.scoring import Evaluation, evaluate

from ...helpers import EXAMPLE


@pytest.fixture(scope="session")
def scored_jilin() -> tuple[Dataset, Framework, Evaluation]:
    dataset, framework = load_dataset(EXAMPLE)
    return dataset, framework, evaluate(framework, dataset)


@pytest.fixture(scope="session")
def content(scored_jilin: tuple[Dataset, Framework, Evaluation]) -> ReportContent:
    dataset, framework, evaluation = scored_jilin
    return build_content(evaluation, framework, dataset)


@pytest.fixture(scope="session")
def report(scored_jilin: tuple[Dataset, Framework, Evaluation], tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    dataset, framework, evaluation = scored_jilin
    return write_report(evaluation, framework, dataset, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="session")
def report_with_charts(
    scored_jilin: tuple[Dataset, Framework, Evaluation], tmp_path_factory: pytest.TempPathFactory
) -> ReportFiles:
    """The package as ``anju report --charts`` writes it: 附件6 the charts, 附件7 the 佐证材料目录."""
    dataset, framework, evaluation = scored_jilin
    return write_report(evaluation, framework, dataset, tmp_path_factory.mktemp("charted"), charts=True)

"""Fixtures for the web tests: the Jilin 2022 example and demo accounts are loaded once per
session into the test database (SQLite, or PostgreSQL when ANJU_WEB_DATABASE_URL points there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from anju_web.demo import DEMO_PASSWORD, ensure_demo_accounts, first_run, load_example
from anju_web.submissions.models import Cycle, Submission

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "jilin-2022"

ROLE_USERS = {
    "county_clerk": "clerk-220122",
    "prefecture_reviewer": "reviewer-220100",
    "province_evaluator": "evaluator-finance",
    "supervision_reviewer": "supervisor",
    "administrator": "admin",
}


def load_everything() -> Cycle:
    cycle = load_example(EXAMPLE)
    ensure_demo_accounts()
    first_run(cycle)
    return cycle


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        if not Cycle.objects.exists():
            load_everything()
    yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests (live server, flushed database) run after everything else."""
    items.sort(key=lambda item: 1 if item.get_closest_marker("browser") else 0)


@pytest.fixture(autouse=True)
def _evidence_dir(settings: Any, tmp_path: Path) -> None:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture
def cycle(db: None) -> Cycle:
    return Cycle.objects.get(year=2022)


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


@pytest.fixture
def users(db: None) -> dict[str, Any]:
    return {role: user(name) for role, name in ROLE_USERS.items()}


def client_for(username: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def clients(db: None) -> dict[str, Client]:
    return {role: client_for(name) for role, name in ROLE_USERS.items()}


def unit(cycle: Cycle, code: str) -> Submission:
    return Submission.objects.select_related("region", "cycle").get(cycle=cycle, region__pk=code)


def valid_figures(cycle: Cycle) -> dict[tuple[str, str], tuple[str | None, bool]]:
    """A consistent, complete set of figures for one county (no errors, no warnings)."""
    from anju_web.submissions.assembly import cycle_framework

    framework = cycle_framework(cycle)
    raw: dict[tuple[str, str], tuple[str | None, bool]] = {}
    for program in framework.programs:
        for spec in program.figures:
            raw[(program.id, spec.id)] = ("10", False)
    # identities: total = parts
    raw[("rental", "total_funds")] = ("300", False)
    raw[("rental", "central_funds")] = ("200", False)
    raw[("rental", "county_funds")] = ("100", False)
    for program_id in ("rental", "renovation", "shantytown"):
        raw[(program_id, "violations")] = ("0", False)
        raw[(program_id, "quality_problems")] = ("0", False)
    raw[("rental", "low_income_coverage_rate")] = ("100", False)
    raw[("rental", "satisfaction_rate")] = ("95", False)
    raw[("renovation", "planned_area")] = ("1000", False)
    raw[("renovation", "started_area")] = ("1000", False)
    raw[("renovation", "funds_in_place")] = ("40", False)
    raw[("renovation", "central_funds_total")] = ("20", False)
    raw[("renovation", "cities_issuing_bonds")] = ("0", False)
    raw[("renovation", "cities_using_loans")] = ("0", False)
    raw[("renovation", "cities_online_voting")] = ("0", False)
    raw[("renovation", "prefecture_cities_with_task")] = (None, True)
    return raw

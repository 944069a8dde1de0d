"""Fixtures for the web tests: the Jilin 2022 example and demo accounts are loaded once per
session into the test database (SQLite, or PostgreSQL when ANJU_WEB_DATABASE_URL points there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest
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
    """Tests that flush the database run after everything else: the database-fault tests (real
    transactions), then the browser tests (live server)."""
    items.sort(key=lambda item: 2 if item.get_closest_marker("browser") else 1 if item.get_closest_marker("flushes_database") else 0)


@pytest.fixture(autouse=True)
def _data_dirs(settings: Any, tmp_path: Path) -> None:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.DATA_DIR = tmp_path


@pytest.fixture
def captcha_test_mode(monkeypatch: pytest.MonkeyPatch) -> str:
    """django-simple-captcha's test mode: the answer "PASSED" is accepted (the library reads the
    setting once at import, so it is patched there). Returns that answer."""
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    return "PASSED"


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
    assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def clients(db: None) -> dict[str, Client]:
    return {role: client_for(name) for role, name in ROLE_USERS.items()}


def unit(cycle: Cycle, code: str) -> Submission:
    return Submission.objects.select_related("region", "cycle").get(cycle=cycle, region__pk=code)


def stored(sub: Submission, program: str, figure: str) -> str:
    """The stored value of one row as the form shows it."""
    from anju_web.submissions.units import entries_of, figure_value_text

    return figure_value_text(entries_of(sub)[(program, figure)].figure_value)


def rows(**values: str) -> dict[tuple[str, str], Any]:
    """``rows(rental__total_funds="300")`` → the form input of those rows."""
    from anju_web.submissions.inputs import RowInput

    return {tuple(key.split("__", 1)): RowInput(value) for key, value in values.items()}  # type: ignore[misc]

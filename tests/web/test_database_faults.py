"""Item 13 of issue 9: the PostgreSQL connection is terminated (pg_terminate_backend from a second
connection) in the middle of a web save and of an evaluation run. The user gets a clear Chinese
error page, nothing of the interrupted request is stored, and the next request works.

PostgreSQL only (SQLite has no server process to terminate): skipped unless ANJU_TEST_DATABASE_URL
is set — ``make test-pg`` sets it, and CI runs ``make test-pg``. The requests run in real
transactions, so the database is flushed afterwards: these tests run after the other web tests
(marker ``flushes_database``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client

from anju_web.audit.models import AuditEvent
from anju_web.demo import DEMO_PASSWORD
from anju_web.errors import DATABASE_UNAVAILABLE
from anju_web.reviews import services as review_services
from anju_web.reviews.models import EvaluationRun
from anju_web.submissions import services as submission_services
from anju_web.submissions.models import Cycle, FigureEntry, Submission

from .conftest import load_everything

pytestmark = [
    pytest.mark.skipif(not os.environ.get("ANJU_TEST_DATABASE_URL"),
                       reason="需要 PostgreSQL：设置 ANJU_TEST_DATABASE_URL 后用 make test-pg 运行（CI 已设置）"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.flushes_database,
]



def terminate_this_backend() -> None:
    """End the server process of Django's connection from a second connection, as a DBA (or a
    restart, or a network cut) would."""
    import psycopg

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"] or None,
                         password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def killing_before(real: Callable[..., Any]) -> Callable[..., Any]:
    """``real`` preceded by the termination: the transaction has written rows, then loses its server."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        terminate_this_backend()
        return real(*args, **kwargs)

    return wrapper


@pytest.fixture
def loaded() -> Cycle:
    if not Cycle.objects.exists():
        load_everything()
    return Cycle.objects.get(year=2022)


def client_for(username: str) -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
    return client


def test_the_connection_lost_during_a_web_save(loaded: Cycle, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = Submission.objects.get(cycle=loaded, region__pk="220122")
    entry = FigureEntry.objects.get(submission=sub, program="rental", figure_id="total_funds")
    before_value, before_version, before_events = entry.value, sub.version, AuditEvent.objects.exclude(action="logged_in").count()
    new_value = before_value + Decimal(1)
    client = client_for("clerk-220122")
    form = {"version": sub.version, "f-rental-total_funds": str(new_value)}
    monkeypatch.setattr(submission_services, "validate", killing_before(submission_services.validate))
    response = client.post(f"/submissions/{sub.pk}/save/", form)
    assert response.status_code == 503
    page = response.content.decode()
    assert "数据库连接中断" in page and DATABASE_UNAVAILABLE in page and "Traceback" not in page
    monkeypatch.undo()
    connection.close()
    entry.refresh_from_db()
    sub.refresh_from_db()
    assert (entry.value, sub.version, AuditEvent.objects.exclude(action="logged_in").count()) == (before_value, before_version, before_events)
    again = client.post(f"/submissions/{sub.pk}/save/", form)  # the next request works
    assert again.status_code in (200, 302), again.content.decode()[:500]
    entry.refresh_from_db()
    assert entry.value == new_value


def test_the_connection_lost_during_an_evaluation_run(loaded: Cycle, monkeypatch: pytest.MonkeyPatch) -> None:
    runs, events = EvaluationRun.objects.count(), AuditEvent.objects.exclude(action="logged_in").count()
    client = client_for("evaluator-finance")
    monkeypatch.setattr(review_services, "run_checks", killing_before(review_services.run_checks))
    response = client.post(f"/cycles/{loaded.pk}/evaluation/run/")
    assert response.status_code == 503
    assert DATABASE_UNAVAILABLE in response.content.decode()
    monkeypatch.undo()
    connection.close()
    assert (EvaluationRun.objects.count(), AuditEvent.objects.exclude(action="logged_in").count()) == (runs, events)
    again = client.post(f"/cycles/{loaded.pk}/evaluation/run/")
    assert again.status_code == 302
    assert EvaluationRun.objects.count() == runs + 1

"""Which database the web tests ran on (the PostgreSQL run sets ANJU_EXPECT_DB_VENDOR)."""

from __future__ import annotations

import os

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_runs_on_the_expected_database():
    expected = os.environ.get("ANJU_EXPECT_DB_VENDOR", "sqlite")
    assert connection.vendor == expected

"""Documents under concurrency (review M3): several requests building the same run's package at
once all get it whole; none sees another's half-written files, none removes another's."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from anju_web.reports import documents
from anju_web.reviews.services import latest_run

pytestmark = pytest.mark.django_db

THREADS = 4


def test_parallel_builds_of_one_package_all_succeed(cycle, monkeypatch):
    run = latest_run(cycle)
    assert run is not None
    entries = documents.evidence_entries(cycle, run)
    # The threads do no database work: what the package is built from is read here once.
    monkeypatch.setattr(documents, "evidence_entries", lambda c, r: entries)
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            barrier.wait()
            files = documents.package(cycle, run)
            results.append((files.docx, files.docx.read_bytes()[:2], files.scores.stat().st_size))
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=build) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    assert len(results) == THREADS
    assert len({r[0] for r in results}) == 1
    assert all(r[1] == b"PK" and r[2] > 0 for r in results)
    directory = results[0][0].parent
    leftovers = [p.name for p in directory.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    # and the finished package is reused, not rebuilt
    again = documents.package(cycle, run)
    assert again.docx == results[0][0]

"""Scale-out (README 横向扩展, ADR 0014): two gunicorn web hosts on different ports, each with its own
data directory, sharing one PostgreSQL database, one Redis queue, the secret key and the evidence
storage. A user logs in on one host; a job submitted there is run by the queue worker and seen
finished on the other host with the same session; an evidence file uploaded on one downloads from
the other. Skipped without ANJU_TEST_DATABASE_URL and ANJU_TEST_REDIS_URL."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.web.servers import PG_REASON, REDIS_REASON, free_port, job_id_of, login, post, site, wait_finished

REDIS_URL = os.environ.get("ANJU_TEST_REDIS_URL", "")
PG_URL = os.environ.get("ANJU_TEST_DATABASE_URL", "")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"% plan shared between hosts\n" * 20

pytestmark = [pytest.mark.skipif(not REDIS_URL, reason=REDIS_REASON), pytest.mark.skipif(not PG_URL, reason=PG_REASON)]


@pytest.fixture
def database() -> Iterator[str]:
    """A database of its own on the test PostgreSQL server, dropped afterwards."""
    import psycopg

    name = f"anju_scaleout_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_web_hosts_share_database_queue_and_storage(tmp_path: Path, database: str) -> None:
    with site(REDIS_URL, database, tmp_path) as the_site:
        the_site.worker()
        port_a, port_b = free_port(), free_port()
        the_site.web("host-a", port_a)
        the_site.web("host-b", port_b)
        on_a = login(f"http://127.0.0.1:{port_a}")
        on_b = httpx.Client(base_url=f"http://127.0.0.1:{port_b}", cookies=on_a.cookies, timeout=60)

        job_id = job_id_of(post(on_a, "/cycles/1/jobs/evaluation/"))
        finished = wait_finished(on_b, job_id)  # polled on the other host
        assert finished["state"] == "succeeded" and not finished["synchronous"], (finished, the_site.log("worker"))
        assert "88 分" in finished["summary"]
        page = on_b.get(f"/jobs/{job_id}/")
        assert page.status_code == 200 and finished["summary"] in page.text

        uploaded = on_a.post("/cycles/1/evidence/upload/", data={
            "region": "220000", "next": "/", "title": "住房发展规划", "csrfmiddlewaretoken": on_a.cookies["csrftoken"]},
            files={"file": ("规划.pdf", PDF, "application/pdf")})
        assert uploaded.status_code == 302, uploaded.text[:300]
        links = re.findall(r"/evidence/(\d+)/download/", on_b.get("/cycles/1/evidence/").text)
        assert links, "the evidence list on host B shows the file uploaded on host A"
        download = on_b.get(f"/evidence/{links[-1]}/download/")
        assert download.status_code == 200 and download.content == PDF
        # Each host kept its own data directory: nothing but the shared services joins them.
        assert (tmp_path / "host-a").is_dir() and (tmp_path / "host-b").is_dir()
        assert not list((tmp_path / "host-b").rglob("*.sqlite3"))

"""No page's database work grows with the number of units (issue 15 item 4: a page of this size
costs a few milliseconds): a crawl of every page each role reaches from its home counts the queries
of each, and none may exceed a budget well below the 48 units of the Jilin example — an N+1 query
(one per unit, e.g. walking each unit's region up to the province) fails it. Every role's pages are
counted with the menu's 待办, the year selector and the history lists filled (``busy_cycle``)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import ROLE_USERS, client_for
from .test_no_internal_ids import PDF_LINKS, SKIP_PATHS, _Text, busy_cycle  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 30
"""Queries one page may make; the Jilin example has 48 units, so one query per unit cannot fit."""
MAX_PAGES = 150


def page_queries(username: str) -> dict[str, int]:
    """{page: queries} for every same-site HTML page reachable from the home page."""
    client = client_for(username)
    seen: set[str] = set()
    queue = ["/"]
    counts: dict[str, int] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        client.get(url)  # once before counting: what a first visit caches (the framework) is not per page
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code in (301, 302) and response.get("Location", "").startswith("/"):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        counts[url] = len(queries)
        parser = _Text()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if (parts.netloc or parts.scheme or target.startswith(SKIP_PATHS) or href.startswith("#")
                    or PDF_LINKS.search(parts.path) or "download" in parts.path or parts.path.endswith((".xlsx", ".docx", ".csv", ".zip"))):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen:
                queue.append(link)
    return counts


@pytest.mark.usefixtures("busy_cycle")
@pytest.mark.parametrize("role", ["county_clerk", "prefecture_reviewer", "province_evaluator", "supervision_reviewer"])
def test_no_page_makes_a_query_per_unit(role):
    counts = page_queries(ROLE_USERS[role])
    assert len(counts) >= 5, f"{role}: the crawl read only {sorted(counts)}"
    over = {url: n for url, n in counts.items() if n > QUERY_BUDGET}
    assert not over, f"{role}: pages over {QUERY_BUDGET} queries: {over}"

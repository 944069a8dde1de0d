"""Chinese everywhere a user reads (issue 16 item 8, review M12): a crawl of every page each role can
reach from its home (following every same-site link), and of every download linked from them
(Excel, Word, CSV), finds no internal identifier in what a person sees — no ``rental.county_funds``,
``outputs.policies``, snake_case ids or "（reason）"."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import docx
import openpyxl
import pytest

from anju_web.reviews import services
from anju_web.submissions import workflow

from .conftest import ROLE_USERS, client_for, unit, user

pytestmark = pytest.mark.django_db

IDENTIFIER = re.compile(
    r"(?<![\w./:@-])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)(?![\w/@-])"
    r"|（[a-z_]+）"
)
"""snake_case words, dotted paths (``fund_management.fund_distribution``) and a bracketed English word."""
ALLOWED = re.compile(r"^(?:[\w.-]+\.(?:xlsx|docx|pdf|csv|json|png|jpg|ofd|zip|txt|yaml|svg)|anju\.[a-z.]+)$")
"""File names are what they are (a user's uploaded ``资金台账.pdf``)."""
SKIP_TAGS = {"script", "style", "template", "code", "pre"}
SKIP_PATHS = ("/accounts/logout/", "/static/", "/api/", "/admin/", "/captcha/", "/evidence/")
"""Signing out ends the crawl; static files, the API (machine-facing; its errors are checked in
test_api_hostile) and Django's admin are not pages of the application; evidence files are the user's own."""
PDF_LINKS = re.compile(r"(?:\.pdf|-pdf/)$")
"""PDFs are printed from the Word files already read (and each takes LibreOffice seconds)."""
MAX_PAGES = 400
MIN_PAGES = {"county_clerk": 5, "prefecture_reviewer": 8, "province_evaluator": 20, "supervision_reviewer": 15,
             "administrator": 15}
MIN_DOWNLOADS = {"county_clerk": 1, "prefecture_reviewer": 1, "province_evaluator": 4, "supervision_reviewer": 2,
                 "administrator": 2}
"""What each role's crawl must at least read (so that a broken crawl cannot pass by reading nothing)."""


class _Text(HTMLParser):
    """The text a person reads on a page: element text and the titles, labels and placeholders."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in SKIP_TAGS:
            self._skip += 1
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag == "input" and values.get("type") == "hidden":
            return
        for name in ("title", "alt", "placeholder", "aria-label"):
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag in {"input", "button"} and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data)


def offending(text: str) -> list[str]:
    return sorted({m.group(0) for m in IDENTIFIER.finditer(text) if not ALLOWED.match(m.group(0))})


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=False)
    parts = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue  # the hidden 标识 sheet of a template is for the importer, never shown
        hidden_cols = {key for key, dim in sheet.column_dimensions.items() if dim.hidden}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None or cell.column_letter in hidden_cols:
                    continue
                if sheet.row_dimensions[cell.row].hidden:
                    continue
                parts.append(str(cell.value))
    return "\n".join(parts)


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def download_text(content_type: str, content: bytes) -> str | None:
    if "spreadsheetml" in content_type:
        return _xlsx_text(content)
    if "wordprocessingml" in content_type:
        return _docx_text(content)
    if content_type.startswith("text/csv"):
        return "\n".join(" ".join(row) for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    if content_type.startswith("application/zip") and zipfile.is_zipfile(io.BytesIO(content)):
        return None
    return None


def crawl(username: str, start: str = "/", only: tuple[str, ...] = ()) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Every same-site page and download reachable from ``start`` (following links under ``only``,
    when given, and reading once each page they point to elsewhere): {url: offending ids}, and how
    many pages and downloads were read."""
    client = client_for(username)
    seen: set[str] = set()
    queue = [start]
    found: dict[str, list[str]] = {}
    read = {"pages": 0, "downloads": 0}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200:
            continue
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html"):
            read["pages"] += 1
            parser = _Text()
            parser.feed(response.content.decode())
            text = "\n".join(parser.parts)
            followed = not only or url == start or url.startswith(only)
            for href in parser.links if followed else []:
                target = urljoin(url, href)
                parts = urlsplit(target)
                if (parts.netloc or parts.scheme or target.startswith(SKIP_PATHS) or "#" in href[:1]
                        or PDF_LINKS.search(parts.path)):
                    continue
                link = parts.path + (f"?{parts.query}" if parts.query else "")
                if link not in seen:
                    queue.append(link)
        else:
            content = b"".join(response.streaming_content) if response.streaming else response.content
            text = download_text(content_type, content) or ""
            read["downloads"] += bool(text)
        bad = offending(text)
        if bad:
            found[url] = bad
    return found, read


@pytest.fixture
def busy_cycle(cycle):
    """A cycle in the middle of its review: a return with a reason, a comment on an indicator, an
    adjustment and a changed judgement, so that the history and dashboard lists are not empty."""
    sub = unit(cycle, "220122")
    workflow.submit(user("clerk-220122"), sub)
    workflow.return_items(user("reviewer-220100"), sub, [workflow.ReturnItem("rental", "violations", "请核对")])
    services.add_comment(user("supervisor"), cycle, "请补充凭证", program_id="rental",
                         item_path="fund_management.fund_distribution")
    services.propose_adjustment(user("supervisor"), cycle, program_id="renovation",
                                item_path="fund_management.budget_execution.execution_rate", proposed="1", reason="按年末数")
    return cycle


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_no_internal_identifier_on_any_page_or_download(busy_cycle, role):
    found, read = crawl(ROLE_USERS[role])
    assert read["pages"] >= MIN_PAGES[role] and read["downloads"] >= MIN_DOWNLOADS[role], read
    assert not found, "\n".join(f"{url}: {', '.join(ids)}" for url, ids in found.items())


def test_the_scan_finds_what_it_looks_for():
    assert offending("字段 rental.county_funds 与 outputs.policies") == ["outputs.policies", "rental.county_funds"]
    assert offending("须说明理由（reason）") == ["（reason）"]
    assert offending("项目 fund_distribution") == ["fund_distribution"]
    assert offending("附件：资金台账.pdf，账号 clerk-220122，网址 http://127.0.0.1:8000/a_b") == []


def test_refusals_a_user_reads_name_no_internal_id(cycle):
    """The engine's "须说明理由（reason）" and the adjustment refusals, as the pages show them."""
    from decimal import Decimal

    judgement = cycle.judgements.get(program="renovation", item_path="outputs.policies")
    with pytest.raises(services.ReviewError) as refused:
        services.save_judgement(user("evaluator-finance"), cycle, "renovation", "outputs.policies", points=Decimal("0"),
                                reason="", expected_version=judgement.version)
    assert "须说明" in str(refused.value) and offending(str(refused.value)) == [], str(refused.value)
    with pytest.raises(services.ReviewError) as parent:
        services.propose_adjustment(user("supervisor"), cycle, program_id="rental", item_path="fund_management",
                                    proposed="1", reason="x")
    assert offending(str(parent.value)) == [], str(parent.value)


@pytest.fixture
def national_year(db):
    """The national example loaded, a national run done and a central allocation saved, so that the
    national pages show every table (ranking, jobs, allocation column, the job's region rows)."""
    from django.conf import settings

    from anju_web.allocations import national as central
    from anju_web.demo import DEMO_PASSWORD
    from anju_web.jobs import runner
    from anju_web.national.services import load_national

    from .test_national_jobs import AMOUNTS, NATIONAL

    load_national(NATIONAL, DEMO_PASSWORD)
    settings.ANJU_REDIS_URL = ""
    runner.submit(user("mof"), "national_run", None, {"year": 2022})
    codes = [r.region.code for r in central.recipients(2022) if r.run is not None]
    central.save(user("mof"), central.NationalForm("2022", 2022, dict(AMOUNTS), dict.fromkeys(codes, "1.00")))


@pytest.mark.parametrize("username", ["mof", "mohurd"])
def test_no_internal_identifier_on_the_national_pages(national_year, username):
    """The 全国看板 and what 财政部 starts from it (the national run's job page, the central
    allocation form), and each page they link to, read by 财政部 and 住建部."""
    found, read = crawl(username, "/national/", only=("/national/", "/jobs/"))
    assert read["pages"] >= (40 if username == "mof" else 38), read
    assert not found, "\n".join(f"{url}: {', '.join(ids)}" for url, ids in found.items())

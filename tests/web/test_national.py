"""The national level: 财政部 and 住建部 roles, the 全国看板, load_national, scopes (allowed and refused)."""

from __future__ import annotations

import time
from functools import cache
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from anju.national import NationalResult, evaluate_national
from anju_web.accounts.policy import has
from anju_web.accounts.roles import Role
from anju_web.accounts.services import RoleError, assign_role
from anju_web.demo import DEMO_PASSWORD
from anju_web.national import services as national_module
from anju_web.regions.models import Region
from anju_web.reviews.models import Comment
from anju_web.submissions.models import Cycle

from .conftest import ROOT, client_for

NATIONAL = ROOT / "examples" / "national-2022"


@cache
def _evaluated(path: str) -> NationalResult:
    return evaluate_national(path)


@pytest.fixture
def national(db: None, monkeypatch: pytest.MonkeyPatch) -> NationalResult:
    monkeypatch.setattr(national_module, "evaluate_national", lambda path: _evaluated(str(path)))
    result, _ = national_module.load_national(NATIONAL, DEMO_PASSWORD)
    return result


def rows_of(page: str) -> int:
    return page.count('data-testid="national-row"')


def test_mof_sees_every_region_ranked(national: NationalResult, django_assert_max_num_queries: Any) -> None:
    client = client_for("mof")
    with django_assert_max_num_queries(25):
        response = client.get("/national/")
    assert response.status_code == 200
    page = response.content.decode()
    assert rows_of(page) == 37
    for name in ("吉林省", "大连市", "深圳市", "新疆生产建设兵团", "北京市"):
        assert name in page
    overview = national_module.overview(2022)
    jilin = next(r for r in overview.rows if r.region.code == "220000")
    assert [jilin.scores[p] for p in ("rental", "renovation", "shantytown")] == [88, 85, 93]
    assert [r.rank for r in overview.rows] == sorted(r.rank for r in overview.rows if r.rank is not None)
    assert overview.rows[0].rank == 1 and overview.evaluated == 37
    # Jilin's demo cycle was in the database already (not yet signed): it is kept as it is.
    assert Cycle.objects.get(region_id="220000", year=2022).signed_at is None
    assert overview.submitted == sum(r.submitted_at is not None for r in national.regions if r.code != "220000") == 33
    assert "未报送" in page
    assert all(sum(counts[i] for _, counts in overview.distribution) == 37 for i in range(3))
    assert 'data-testid="nav-national"' in page


def test_housing_ministry_reads_the_dashboard_but_runs_nothing(national: NationalResult) -> None:
    client = client_for("mohurd")
    assert rows_of(client.get("/national/").content.decode()) == 37
    mohurd = get_user_model().objects.get(username="mohurd")
    mof = get_user_model().objects.get(username="mof")
    liaoning = Region.objects.get(pk="210000")
    assert has(mof, "allocations.run_allocation", liaoning)
    assert not has(mohurd, "allocations.run_allocation", liaoning)
    assert not has(mof, "reviews.run_evaluation", liaoning) and not has(mof, "submissions.approve_submission", liaoning)
    cycle = Cycle.objects.get(region_id="210000", year=2022)
    assert client.get(f"/cycles/{cycle.pk}/dashboard/").status_code == 200  # reads any region
    assert client.post(f"/cycles/{cycle.pk}/evaluation/run/").status_code == 403


@pytest.mark.parametrize("username", ["evaluator-finance", "supervisor", "clerk-220122", "reviewer-220100"])
def test_provincial_roles_are_refused_the_national_dashboard(national: NationalResult, username: str) -> None:
    response = client_for(username).get("/national/")
    assert response.status_code == 403
    assert 'data-testid="nav-national"' not in client_for(username).get("/frameworks/").content.decode()


def test_anonymous_is_sent_to_login(db: None, client: Any) -> None:
    response = client.get("/national/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_supervision_bureau_of_a_planned_city_is_scoped_to_it(national: NationalResult) -> None:
    user = get_user_model().objects.create_user(username="dalian-bureau", password=DEMO_PASSWORD)
    assign_role(user, Role.supervision_reviewer, Region.objects.get(pk="210200"), department="财政部大连监管局")
    client = client_for("dalian-bureau")
    dalian = Cycle.objects.get(region_id="210200", year=2022)
    liaoning = Cycle.objects.get(region_id="210000", year=2022)
    assert client.get(f"/cycles/{dalian.pk}/dashboard/").status_code == 200
    assert client.get(f"/cycles/{liaoning.pk}/dashboard/").status_code == 404
    assert client.get("/national/").status_code == 403
    with pytest.raises(RoleError):  # a county is not where a 监管局 sits
        assign_role(user, Role.supervision_reviewer, Region.objects.get(pk="210281"))


def test_open_findings_and_reload(national: NationalResult) -> None:
    cycle = Cycle.objects.get(region_id="440300", year=2022)
    Comment.objects.create(cycle=cycle, text="请补充深圳市保障性租赁住房筹集的佐证材料", author=get_user_model().objects.get(username="mof"))
    row = next(r for r in national_module.overview(2022).rows if r.region.code == "440300")
    assert row.open_findings == 1
    before = Cycle.objects.filter(year=2022).count()
    _, created = national_module.load_national(NATIONAL)
    assert created == 0 and Cycle.objects.filter(year=2022).count() == before  # loading again keeps the cycles


def test_load_national_command_is_fast(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    call_command("load_national", str(NATIONAL))
    assert time.perf_counter() - started < 60
    out = capsys.readouterr().out
    assert "37 个地区" in out and "/national/" in out
    assert Cycle.objects.filter(year=2022, region__parent__isnull=True).count() == 37

"""No lost input (review M7, M8, m8): 提交 with unsaved edits saves them first; a refused save keeps
what was typed beside what the other stored; judgements carry versions and refuse stale writes (page
and API); the API requires ``version``; a PUT without ``evidence`` keeps the evidence list."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from anju_web.reviews.models import Judgement
from anju_web.submissions.models import Status

from .conftest import client_for, stored, unit

pytestmark = pytest.mark.django_db

ITEM = "/judgements/renovation/outputs.policies"


def test_submit_with_unsaved_edits_saves_them_first(cycle):
    sub = unit(cycle, "220182")  # 榆树市, the clerk-220182 of the review
    clerk = client_for("clerk-220182")
    old = stored(sub, "rental", "central_budget")
    new = str(Decimal(old) + 1)
    # what the page's script posts when 提交 is pressed with edits: the form, then=submit
    response = clerk.post(f"/submissions/{sub.pk}/save/", {"version": sub.version, "then": "submit",
                                                           "f-rental-central_budget": new}, follow=True)
    sub.refresh_from_db()
    assert stored(sub, "rental", "central_budget") == new
    text = response.content.decode()
    assert "已先保存您的修改" in text
    # whether it could also be submitted depends on validation; either way nothing typed is lost
    assert sub.status in (Status.submitted, Status.draft)
    page = clerk.get(f"/submissions/{sub.pk}/").content.decode()
    assert "data-save-first" in page or sub.status != Status.draft


def test_a_refused_save_keeps_the_typed_values_beside_the_stored_ones(cycle):
    sub = unit(cycle, "220122")
    tab_a, tab_b = client_for("clerk-220122"), client_for("clerk-220122")
    version = sub.version
    assert tab_a.post(f"/submissions/{sub.pk}/save/", {"version": version, "f-rental-violations": "4"}).status_code == 302
    response = tab_b.post(f"/submissions/{sub.pk}/save/", {"version": version, "f-rental-violations": "5"})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="f-rental-violations" value="5"' in page
    assert "他人已保存：4" in page
    sub.refresh_from_db()
    assert stored(sub, "rental", "violations") == "4"
    assert f'name="version" value="{sub.version}"' in page
    # saving the shown form again keeps the typed value
    assert tab_b.post(f"/submissions/{sub.pk}/save/", {"version": sub.version, "f-rental-violations": "5"}).status_code == 302
    sub.refresh_from_db()
    assert stored(sub, "rental", "violations") == "5"


def test_two_evaluators_cannot_overwrite_each_other(cycle):
    finance, housing = client_for("evaluator-finance"), client_for("evaluator-housing")
    judgement = Judgement.objects.get(cycle=cycle, program="renovation", item_path="outputs.policies")
    opened = judgement.version
    url = f"/cycles/{cycle.pk}{ITEM}/"
    first = finance.post(url, {"version": opened, "points": "1", "reason": "财政厅：缺物业管理细则"}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    second = housing.post(url, {"version": opened, "points": "2", "reason": ""}, HTTP_HX_REQUEST="true")
    assert second.status_code == 422
    assert "已被孙伟" in second.content.decode() and "未保存" in second.content.decode()
    judgement.refresh_from_db()
    assert (judgement.points, judgement.reason, judgement.version) == (Decimal(1), "财政厅：缺物业管理细则", opened + 1)
    # the API: version required, a stale one refused with 409, the right one accepted
    api = f"/api/cycles/{cycle.pk}{ITEM}"
    missing = housing.put(api, data=json.dumps({"points": "2"}), content_type="application/json")
    assert missing.status_code == 422
    stale = housing.put(api, data=json.dumps({"version": opened, "points": "2"}), content_type="application/json")
    assert stale.status_code == 409 and "已被" in stale.json()["detail"]
    # a PUT without evidence keeps the evidence list
    judgement.evidence = ["省住建厅文件"]
    judgement.save()
    ok = housing.put(api, data=json.dumps({"version": judgement.version, "points": "2"}), content_type="application/json")
    assert ok.status_code == 200, ok.content
    judgement.refresh_from_db()
    assert judgement.evidence == ["省住建厅文件"] and judgement.points == Decimal(2)
    assert ok.json()["version"] == judgement.version


def test_the_api_requires_the_submission_version(cycle):
    sub = unit(cycle, "220122")
    clerk = client_for("clerk-220122")
    body = {"figures": [{"program": "rental", "figure": "violations", "value": "3"}]}
    assert clerk.put(f"/api/submissions/{sub.pk}/figures", data=json.dumps(body), content_type="application/json").status_code == 422
    stale = clerk.put(f"/api/submissions/{sub.pk}/figures", data=json.dumps({**body, "version": sub.version - 1}),
                      content_type="application/json")
    assert stale.status_code == 409
    assert stored(sub, "rental", "violations") != "3"


def test_an_upload_from_an_older_download_is_refused(cycle):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sub = unit(cycle, "220122")
    clerk = client_for("clerk-220122")
    old_file = clerk.get(f"/submissions/{sub.pk}/template.xlsx").content
    assert clerk.post(f"/submissions/{sub.pk}/save/", {"version": sub.version, "f-rental-violations": "6"}).status_code == 302
    response = clerk.post(f"/submissions/{sub.pk}/upload/", {"workbook": SimpleUploadedFile("农安县.xlsx", old_file)},
                          follow=True)
    assert "该文件下载之后，本单位数据已被修改" in response.content.decode()
    assert stored(sub, "rental", "violations") == "6"
    sub.refresh_from_db()
    new_file = clerk.get(f"/submissions/{sub.pk}/template.xlsx").content
    response = clerk.post(f"/submissions/{sub.pk}/upload/", {"workbook": SimpleUploadedFile("农安县.xlsx", new_file)},
                          follow=True)
    assert "已保存" in response.content.decode()

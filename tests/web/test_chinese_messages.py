"""Chinese where a user reads (review M12): the 修改记录 names fields by their labels, and the API's
own refusals (401, CSRF) are Chinese in the declared error shape."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from anju_web.demo import DEMO_PASSWORD
from anju_web.submissions.models import Submission

from .conftest import client_for, rows, unit, user

pytestmark = pytest.mark.django_db


def test_history_names_fields_in_chinese(cycle):
    from anju_web.submissions.services import save_figures

    sub = unit(cycle, "220122")
    save_figures(user("clerk-220122"), sub, rows(rental__violations="2"))
    page = client_for("clerk-220122").get(f"/submissions/{sub.pk}/").content.decode()
    history = page[page.index("修改记录"):]
    history = history[:history.index("</table>")]
    assert "住房租赁保障 › " in history
    assert not re.search(r"<td>[a-z_]+\.[a-z_.]+</td>", history), history[:2000]


def test_api_refusals_are_chinese(cycle):
    anonymous = Client().get("/api/me")
    assert anonymous.status_code == 401
    body = anonymous.json()
    assert "请先登录" in body["detail"] and body["problems"] == []
    assert Client(HTTP_AUTHORIZATION="Bearer nonsense").get("/api/me").json()["detail"].startswith("请先登录")
    client = Client(enforce_csrf_checks=True)
    client.post("/accounts/login/", {"username": "clerk-220122", "password": DEMO_PASSWORD})
    sub = Submission.objects.get(cycle=cycle, region__pk="220122")
    refused = client.put(f"/api/submissions/{sub.pk}/figures", data=json.dumps({"version": sub.version, "figures": []}),
                         content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"] and "无效" in refused.json()["detail"]


def test_crafted_comment_forms_answer_plainly(cycle):
    """Review m3: ``submission=abc`` and an unknown item gave 500."""
    supervisor = client_for("supervisor")
    assert supervisor.post(f"/cycles/{cycle.pk}/comments/", {"text": "意见", "submission": "abc"}).status_code == 404
    assert supervisor.post(f"/cycles/{cycle.pk}/comments/", {"text": "意见", "submission": "9" * 30}).status_code == 404
    for item in ("nonexistent:", "nonexistent:x", "rental:nonexistent"):
        response = supervisor.post(f"/cycles/{cycle.pk}/comments/", {"text": "意见", "item": item}, follow=True)
        assert response.status_code == 200 and ("未知的项目" in response.content.decode()
                                                or "没有指标" in response.content.decode()), item

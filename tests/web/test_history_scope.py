"""A unit's 修改记录 lists its own events and never another unit's (review B1).

Returns, replies, comments, evidence and figure changes are made on several units in two
prefectures; then every demo account opens every submission page it may see, and each history row
must belong to that submission — and each unit must still see its own return reasons.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anju_web.audit.models import AuditEvent, AuditObject
from anju_web.demo import DEMO_ACCOUNTS
from anju_web.evidence.services import attach
from anju_web.reviews.services import add_comment
from anju_web.submissions import workflow
from anju_web.submissions.models import Submission
from anju_web.submissions.services import reply_to_return, save_figures

from .conftest import client_for, rows, unit, user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _history_html(html: str) -> str:
    start = html.index("修改记录")
    return html[start:html.index("</table>", start)]


def test_every_history_view_of_every_role_shows_only_its_own_rows(cycle):
    reviewer, evaluator = user("reviewer-220100"), user("evaluator-finance")
    marks: dict[int, str] = {}
    # 德惠市 (submitted, 长春市) returned by its prefecture, with a reply from nobody yet.
    dehui = unit(cycle, "220183")
    workflow.return_items(reviewer, dehui, [workflow.ReturnItem("rental", "subsidy_paid", "德惠市专属理由甲")])
    marks[dehui.pk] = "德惠市专属理由甲"
    # 永吉县 (accepted, 吉林市) returned by the province, several items, then answered by the clerk.
    yongji = unit(cycle, "220221")
    workflow.return_items(evaluator, yongji, [
        workflow.ReturnItem("rental", "subsidy_paid", "永吉县专属理由乙"),
        workflow.ReturnItem("rental", "central_funds", "永吉县专属理由丙"),
    ])
    marks[yongji.pk] = "永吉县专属理由乙"
    # 农安县 (draft): a figure change with a distinctive explanation, evidence and a comment.
    nongan = unit(cycle, "220122")
    clerk = user("clerk-220122")
    save_figures(clerk, nongan, rows(rental__violations="0"))
    attach(clerk, cycle, nongan.region, SimpleUploadedFile("农安县专属台账.pdf", PDF), title="农安县专属台账")
    add_comment(user("supervisor"), cycle, "农安县专属意见丁", submission=nongan)
    marks[nongan.pk] = "农安县专属台账"
    for item in yongji.returns.all():
        reply_to_return(evaluator, item, "永吉县专属回复戊")

    # Recording: every event about a unit names that unit's submission.
    for event in AuditEvent.objects.filter(object_type__in=[AuditObject.submission, AuditObject.item_return,
                                                            AuditObject.figure], cycle_id=cycle.pk):
        assert event.submission_id is not None, event
        owner = Submission.objects.get(pk=event.submission_id)
        assert owner.region_id == event.region_id, event

    foreign_marks = set(marks.values()) | {"永吉县专属理由丙", "永吉县专属回复戊", "农安县专属意见丁"}
    own = {dehui.pk: {"德惠市专属理由甲"}, yongji.pk: {"永吉县专属理由乙", "永吉县专属理由丙", "永吉县专属回复戊"},
           nongan.pk: {"农安县专属台账", "农安县专属意见丁"}}
    submissions = list(Submission.objects.filter(cycle=cycle).select_related("region"))
    seen_pages = 0
    for account in DEMO_ACCOUNTS:
        client = client_for(account.username)
        for sub in submissions:
            response = client.get(f"/submissions/{sub.pk}/")
            if response.status_code in (403, 404):
                continue
            assert response.status_code == 200, (account.username, sub.pk)
            seen_pages += 1
            for event in response.context["history"]:  # the rows the page shows, as read
                assert event["submission_id"] == sub.pk, (account.username, sub, event)
                assert event["region_id"] == sub.region_id, (account.username, sub, event)
            history = _history_html(response.content.decode())
            for mark in foreign_marks - own.get(sub.pk, set()):
                assert mark not in history, (account.username, sub, mark)
            for mark in own.get(sub.pk, set()):
                assert mark in history, (account.username, sub, mark)
    # Every role saw something: the clerks their unit, the reviewers their prefecture, the province all.
    assert seen_pages >= len(submissions) * 4


def test_the_history_link_opens_the_audit_log_of_that_unit_only(cycle):
    client = client_for("reviewer-220100")
    sub = unit(cycle, "220183")
    page = client.get(f"/submissions/{sub.pk}/").content.decode()
    link = re.search(r'href="(/audit/\?region=\d+)"', page)
    assert link is not None
    assert client.get(link.group(1)).status_code == 200

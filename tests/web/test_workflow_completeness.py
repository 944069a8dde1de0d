"""Workflow completeness (issue 16 item 7): 撤回 before review, reopening after 审定 saying that the
province's 审定 is revoked, no evaluation run after 审定, batch 审核/审定 with one 审核意见, the 待办
list, comment threads, cover fields, the printable 填报表, 上次提交 and evidence withdrawal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from anju_web.accounts.services import issue_token
from anju_web.audit.models import AuditAction, AuditEvent, AuditObject
from anju_web.reviews import services
from anju_web.reviews.models import EvaluationRun
from anju_web.submissions import workflow
from anju_web.submissions.models import Status, Submission

from .conftest import unit

pytestmark = pytest.mark.django_db


def _sign(cycle, evaluator):
    Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).update(status=Status.approved)
    services.sign_cycle(evaluator, cycle)
    cycle.refresh_from_db()
    assert cycle.signed_at is not None


# --- 撤回 ---------------------------------------------------------------------------------------


def test_clerk_withdraws_before_review_and_it_is_audited(cycle, users):
    clerk = users["county_clerk"]
    sub = unit(cycle, "220122")
    workflow.submit(clerk, sub)
    workflow.withdraw(clerk, sub)
    sub.refresh_from_db()
    assert sub.status == Status.draft and sub.submitted_at is None
    event = AuditEvent.objects.filter(object_type=AuditObject.submission, object_id=str(sub.pk)).latest("pk")
    assert (event.action, event.old_value, event.new_value) == (AuditAction.withdrawn, "已提交", "草稿")
    assert event.get_action_display() == "撤回"


def test_withdraw_is_refused_after_review_and_to_other_roles(cycle, users):
    clerk, reviewer = users["county_clerk"], users["prefecture_reviewer"]
    sub = unit(cycle, "220122")
    workflow.submit(clerk, sub)
    with pytest.raises(PermissionDenied):
        workflow.withdraw(reviewer, sub)
    with pytest.raises(PermissionDenied):
        workflow.withdraw(users["province_evaluator"], sub)
    workflow.accept(reviewer, sub)
    with pytest.raises(workflow.TransitionError, match="不能撤回（须在“已提交”状态）"):
        workflow.withdraw(clerk, sub)
    sub.refresh_from_db()
    assert sub.status == Status.accepted


def test_withdraw_through_the_page_by_the_clerk_only(cycle, users, clients):
    sub = unit(cycle, "220122")
    workflow.submit(users["county_clerk"], sub)
    assert 'data-testid="do-withdraw"' not in clients["prefecture_reviewer"].get(f"/submissions/{sub.pk}/").content.decode()
    assert clients["prefecture_reviewer"].post(f"/submissions/{sub.pk}/withdraw/").status_code == 403
    sub.refresh_from_db()
    assert sub.status == Status.submitted
    client = clients["county_clerk"]
    assert 'data-testid="do-withdraw"' in client.get(f"/submissions/{sub.pk}/").content.decode()
    response = client.post(f"/submissions/{sub.pk}/withdraw/", follow=True)
    assert "已撤回提交" in response.content.decode()
    sub.refresh_from_db()
    assert sub.status == Status.draft


# --- 重新打开 after 审定 ------------------------------------------------------------------------


def test_reopen_after_signing_says_the_signature_is_revoked(cycle, users, clients):
    evaluator = users["province_evaluator"]
    _sign(cycle, evaluator)
    sub = unit(cycle, "220122")
    client = clients["province_evaluator"]
    page = client.get(f"/submissions/{sub.pk}/").content.decode()
    assert 'data-testid="reopen-revokes"' in page and "撤销省级对全省评价结果的审定" in page
    assert "撤销审定并重新打开" in page
    refused = client.post(f"/submissions/{sub.pk}/reopen/", {"reason": "  "}, follow=True).content.decode()
    assert "重新打开须说明理由" in refused
    sub.refresh_from_db()
    assert sub.status == Status.locked
    done = client.post(f"/submissions/{sub.pk}/reopen/", {"reason": "监管局复核发现补贴户数有误"}, follow=True)
    text = done.content.decode()
    assert "全省评价结果的省级审定已撤销" in text
    cycle.refresh_from_db()
    assert cycle.signed_at is None
    sub.refresh_from_db()
    assert sub.status == Status.draft and sub.reopen_reason == "监管局复核发现补贴户数有误"
    # The clerk sees the reason as something to fix, until the unit submits again.
    clerk_page = clients["county_clerk"].get(f"/submissions/{sub.pk}/").content.decode()
    assert 'data-testid="reopen-reason"' in clerk_page and "监管局复核发现补贴户数有误" in clerk_page
    workflow.submit(users["county_clerk"], sub)
    sub.refresh_from_db()
    assert sub.reopen_reason == ""


def test_reopen_before_signing_does_not_speak_of_revoking(cycle, clients):
    sub = unit(cycle, "220221")
    Submission.objects.filter(pk=sub.pk).update(status=Status.approved)
    page = clients["province_evaluator"].get(f"/submissions/{sub.pk}/").content.decode()
    assert 'data-testid="reopen-form"' in page and 'data-testid="reopen-revokes"' not in page
    text = clients["province_evaluator"].post(f"/submissions/{sub.pk}/reopen/", {"reason": "数据更正"}, follow=True).content.decode()
    assert "已重新打开" in text and "审定已撤销" not in text


def test_only_the_province_reopens(cycle, users, clients):
    sub = unit(cycle, "220221")
    Submission.objects.filter(pk=sub.pk).update(status=Status.approved)
    for role in ("county_clerk", "prefecture_reviewer", "supervision_reviewer", "administrator"):
        response = clients[role].post(f"/submissions/{sub.pk}/reopen/", {"reason": "试图重新打开"})
        assert response.status_code in (403, 404), role
    sub.refresh_from_db()
    assert sub.status == Status.approved


# --- no evaluation run after 审定 ---------------------------------------------------------------


def test_running_after_signing_is_refused_everywhere(cycle, users, clients):
    evaluator = users["province_evaluator"]
    _sign(cycle, evaluator)
    runs = EvaluationRun.objects.count()
    with pytest.raises(services.ReviewError, match=r"已于.*审定，不能再运行评价"):
        services.run_evaluation(evaluator, cycle)
    page = clients["province_evaluator"].post(f"/cycles/{cycle.pk}/evaluation/run/", follow=True).content.decode()
    assert "不能再运行评价" in page
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(evaluator, '测试')}")
    response = api.post(f"/api/cycles/{cycle.pk}/evaluations", content_type="application/json")
    assert response.status_code == 409
    assert "不能再运行评价" in response.json()["detail"]
    assert EvaluationRun.objects.count() == runs
    # The run button is not offered any more.
    assert f'action="/cycles/{cycle.pk}/evaluation/run/"' not in clients["province_evaluator"].get(
        f"/cycles/{cycle.pk}/evaluation/").content.decode()


# --- 待办 ----------------------------------------------------------------------------------------


def test_todo_lists_what_waits_for_each_role(cycle, users, clients):
    from anju_web.reports.todo import todo_groups

    reviewer, evaluator = users["prefecture_reviewer"], users["province_evaluator"]
    clerk_sub = unit(cycle, "220122")
    workflow.submit(users["county_clerk"], clerk_sub)
    workflow.return_items(reviewer, clerk_sub, [workflow.ReturnItem("rental", "subsidy_paid", "与台账不符")])
    groups = {g.key: g for g in todo_groups(users["county_clerk"], cycle)}
    assert [i.where for i in groups["fill"].items] == ["农安县"]
    assert "与台账不符" in groups["fill"].items[0].text and "待修改并回复" in groups["fill"].items[0].text
    # 长春's reviewer: 德惠市 and 公主岭市 are submitted in the demo; nothing of 吉林市.
    review = {g.key: g for g in todo_groups(reviewer, cycle)}["review"]
    assert sorted(i.where for i in review.items) == ["公主岭市", "德惠市"] and review.batch_verb == "accept"
    assert all(g.key != "review" for g in todo_groups(users["county_clerk"], cycle))
    # The province: 永吉县 and 蛟河市 accepted; open comments with their indicator named.
    services.add_comment(users["supervision_reviewer"], cycle, "资金分配依据不足", program_id="rental",
                         item_path="fund_management.fund_distribution")
    province = {g.key: g for g in todo_groups(evaluator, cycle)}
    assert sorted(i.where for i in province["approve"].items) == ["永吉县", "蛟河市"]
    [comment] = province["comments"].items
    assert comment.where == "全省评价结果 › 住房租赁保障 › 资金管理 › 资金分配" and "待答复" in comment.text
    assert all(g.key not in ("approve", "comments") for g in todo_groups(reviewer, cycle))
    # The bureau sees nothing of the units' review.
    bureau = {g.key for g in todo_groups(users["supervision_reviewer"], cycle)}
    assert not bureau & {"fill", "review", "approve"}
    # The page and the menu link, in Chinese, without internal ids.
    page = clients["province_evaluator"].get(f"/cycles/{cycle.pk}/todo/").content.decode()
    assert "待审定的单位" in page and "资金分配依据不足" in page and "fund_management" not in page
    assert f'href="/cycles/{cycle.pk}/todo/"' in clients["county_clerk"].get(f"/submissions/{clerk_sub.pk}/").content.decode()
    assert "暂无待办事项" in clients["administrator"].get(f"/cycles/{cycle.pk}/todo/").content.decode()


# --- 批量审核 / 审定 -----------------------------------------------------------------------------


def test_batch_accept_with_one_opinion_each_audited(cycle, clients):
    subs = [unit(cycle, "220183"), unit(cycle, "220184")]
    response = clients["prefecture_reviewer"].post(f"/cycles/{cycle.pk}/todo/batch/", {
        "verb": "accept", "submission": [s.pk for s in subs], "reason": "数据与台账一致，同意上报"}, follow=True)
    assert "已审核通过 2 个单位" in response.content.decode()
    for sub in subs:
        sub.refresh_from_db()
        assert sub.status == Status.accepted
        event = AuditEvent.objects.filter(object_type=AuditObject.submission, object_id=str(sub.pk)).latest("pk")
        assert (event.action, event.note) == (AuditAction.accepted, "数据与台账一致，同意上报")
    # The unit reads the opinion at the top of its page.
    page = clients["prefecture_reviewer"].get(f"/submissions/{subs[0].pk}/").content.decode()
    assert 'data-testid="opinions"' in page and "数据与台账一致，同意上报" in page


def test_batch_refuses_what_the_role_may_not_do_and_reports_each_unit(cycle, clients):
    mine, other = unit(cycle, "220183"), unit(cycle, "220221")  # 德惠市 (长春), 永吉县 (吉林市, accepted)
    # The clerk may not review at all; 长春's reviewer never reaches 吉林市's unit.
    clients["county_clerk"].post(f"/cycles/{cycle.pk}/todo/batch/", {"verb": "accept", "submission": [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == Status.submitted
    clients["prefecture_reviewer"].post(f"/cycles/{cycle.pk}/todo/batch/", {"verb": "approve", "submission": [mine.pk, other.pk]})
    other.refresh_from_db()
    assert other.status == Status.accepted
    text = clients["prefecture_reviewer"].post(f"/cycles/{cycle.pk}/todo/batch/", {
        "verb": "approve", "submission": [mine.pk]}, follow=True).content.decode()
    assert "德惠市未能审定" in text
    # The province approves 永吉县 and 蛟河市 together; 德惠市 (not yet accepted) is refused with its reason.
    both = [unit(cycle, "220221"), unit(cycle, "220281")]
    text = clients["province_evaluator"].post(f"/cycles/{cycle.pk}/todo/batch/", {
        "verb": "approve", "submission": [s.pk for s in [*both, mine]], "reason": "同意"}, follow=True).content.decode()
    assert "已审定 2 个单位" in text and "德惠市未能审定" in text
    assert {s.status for s in Submission.objects.filter(pk__in=[s.pk for s in both])} == {Status.approved}
    mine.refresh_from_db()
    assert mine.status == Status.submitted
    assert "批量操作只能是" in clients["province_evaluator"].post(
        f"/cycles/{cycle.pk}/todo/batch/", {"verb": "reopen", "submission": [both[0].pk]}, follow=True).content.decode()


# --- comment threads ----------------------------------------------------------------------------


def test_indicator_comment_is_answered_closed_and_holds_signing(cycle, users, clients):
    supervisor, evaluator = users["supervision_reviewer"], users["province_evaluator"]
    comment = services.add_comment(supervisor, cycle, "资金分配依据不足", program_id="rental",
                                   item_path="fund_management.fund_distribution")
    page = clients["province_evaluator"].get(f"/cycles/{cycle.pk}/evaluation/").content.decode()
    assert f'action="/comments/{comment.pk}/resolve/"' in page and f'action="/comments/{comment.pk}/reply/"' in page
    # The bureau may reply but not close; the clerk and the prefecture may do neither.
    assert f'action="/comments/{comment.pk}/resolve/"' not in clients["supervision_reviewer"].get(
        f"/cycles/{cycle.pk}/evaluation/").content.decode()
    assert clients["county_clerk"].post(f"/comments/{comment.pk}/reply/", {"text": "试图回复"}).status_code in (403, 404)
    assert clients["prefecture_reviewer"].post(f"/comments/{comment.pk}/reply/", {"text": "试图回复"}).status_code in (403, 404)
    assert clients["supervision_reviewer"].post(f"/comments/{comment.pk}/resolve/").status_code == 403
    clients["province_evaluator"].post(f"/comments/{comment.pk}/reply/", {"text": "已补充资金分配文件"})
    clients["supervision_reviewer"].post(f"/comments/{comment.pk}/reply/", {"text": "收到，同意"})
    assert list(comment.replies.values_list("text", flat=True)) == ["已补充资金分配文件", "收到，同意"]
    assert AuditEvent.objects.filter(action=AuditAction.comment_replied, object_id=str(comment.pk)).count() == 2
    # The bureau's 待办 shows the province's answer while the last word is the province's.
    from anju_web.reports.todo import todo_groups

    comment.replies.filter(text="收到，同意").delete()
    answered = {g.key: g for g in todo_groups(supervisor, cycle)}["answered"]
    assert "已补充资金分配文件" in answered.items[0].text
    # 审定 waits for the open comment.
    Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).update(status=Status.approved)
    with pytest.raises(services.ReviewError, match="还有 1 条意见未办结"):
        services.sign_cycle(evaluator, cycle)
    text = clients["province_evaluator"].post(f"/comments/{comment.pk}/resolve/", follow=True).content.decode()
    assert "意见已办结" in text
    comment.refresh_from_db()
    assert comment.resolved_at is not None
    assert "该意见已办结" in clients["supervision_reviewer"].post(
        f"/comments/{comment.pk}/reply/", {"text": "再补充"}, follow=True).content.decode()
    services.sign_cycle(evaluator, cycle)
    cycle.refresh_from_db()
    assert cycle.signed_at is not None


# --- cover fields ---------------------------------------------------------------------------------


def test_cover_fields_are_kept_shown_and_audited(cycle, users, clients):
    sub = unit(cycle, "220122")
    client = clients["county_clerk"]
    page = client.get(f"/submissions/{sub.pk}/").content.decode()
    response = client.post(f"/submissions/{sub.pk}/save/", {
        "version": sub.version, "cover-reporter": "李明", "cover-phone": "0431-8888 6666",
        "cover-report_date": "2023-01-10", "cover-unit_head": "张华"}, follow=True)
    assert "封面信息已保存（修改了 4 项）" in response.content.decode() and 'data-testid="cover"' in page
    sub.refresh_from_db()
    assert (sub.reporter, sub.phone, str(sub.report_date), sub.unit_head) == ("李明", "0431-8888 6666", "2023-01-10", "张华")
    fields = set(AuditEvent.objects.filter(action=AuditAction.cover_changed, submission_id=sub.pk).values_list("field", flat=True))
    assert fields == {"封面.填报人", "封面.联系电话", "封面.填报日期", "封面.单位负责人"}
    # A bad phone number or date is refused with a Chinese message naming the field; nothing changes.
    text = client.post(f"/submissions/{sub.pk}/save/", {"version": sub.version, "cover-phone": "call me",
                                                        "cover-report_date": "0001-01-01"}, follow=True).content.decode()
    assert "封面信息未保存" in text and "联系电话" in text and "填报日期" in text
    sub.refresh_from_db()
    assert sub.phone == "0431-8888 6666"
    # Shown read-only to the reviewer, and carried into the unit's Excel template and back.
    shown = clients["prefecture_reviewer"].get(f"/submissions/{sub.pk}/").content.decode()
    assert "<td>修改封面信息</td><td>封面 › 单位负责人</td>" in shown
    assert "填报人：李明" in shown and "单位负责人：张华" in shown and "2023年1月10日" in shown
    from anju_web.submissions.units import unit_report

    report = unit_report(sub)
    assert (report.reporter, report.phone, str(report.submitted_at)) == ("李明", "0431-8888 6666", "2023-01-10")
    # Others may not write the cover.
    refused = clients["prefecture_reviewer"].post(f"/submissions/{sub.pk}/save/", {"version": sub.version, "cover-reporter": "他人"})
    assert refused.status_code == 403
    sub.refresh_from_db()
    assert sub.reporter == "李明"


def test_cover_comes_in_with_an_excel_upload(cycle, users):
    from anju_web.submissions.services import save_unit_report
    from anju_web.submissions.units import unit_report

    sub = unit(cycle, "220122")
    report = unit_report(sub).model_copy(update={"reporter": "王五", "phone": "13800000000"})
    save_unit_report(users["county_clerk"], sub, report, source="Excel 导入：测试.xlsx")
    sub.refresh_from_db()
    assert (sub.reporter, sub.phone) == ("王五", "13800000000")
    assert AuditEvent.objects.filter(action=AuditAction.cover_changed, submission_id=sub.pk, new_value="王五").exists()


# --- 上次提交 -------------------------------------------------------------------------------------


def test_previous_submission_column_shows_what_changed(cycle, users, clients):
    from anju_web.submissions.services import reply_to_return, save_figures

    from .conftest import rows, stored

    clerk, reviewer = users["county_clerk"], users["prefecture_reviewer"]
    sub = unit(cycle, "220122")
    page = clients["county_clerk"].get(f"/submissions/{sub.pk}/").content.decode()
    assert "上次提交" not in page  # never submitted: nothing to compare with
    old = stored(sub, "rental", "subsidy_paid")
    workflow.submit(clerk, sub)
    workflow.return_items(reviewer, sub, [workflow.ReturnItem("rental", "subsidy_paid", "与台账不符")])
    new = str(int(old) - 1)
    save_figures(clerk, sub, rows(rental__subsidy_paid=new))
    page = clients["county_clerk"].get(f"/submissions/{sub.pk}/").content.decode()
    assert 'data-testid="prev-rental-subsidy_paid" title="与上次提交不同">' + old in page
    assert "与上次提交相比有 1 个数据项不同" in page
    reply_to_return(clerk, sub.returns.get(), "已改正")
    workflow.submit(clerk, sub)
    # The reviewer sees the resubmission against the submission before.
    page = clients["prefecture_reviewer"].get(f"/submissions/{sub.pk}/").content.decode()
    assert 'data-testid="prev-rental-subsidy_paid" title="与上次提交不同">' + old in page
    assert f'data-figure="rental.subsidy_paid">{new}<' in page
    assert "与上次提交相比有 1 个数据项不同" in page


# --- evidence tied to an indicator, replaced, withdrawn -------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, cycle, region, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"region": region, "next": "/", "file": SimpleUploadedFile(fields.pop("name", "拨付文件.pdf"), PDF,
                                                                       "application/pdf"), **fields}
    return client.post(f"/cycles/{cycle.pk}/evidence/upload/", data, follow=True)


def test_unit_evidence_is_tied_replaced_and_withdrawn_never_deleted(cycle, clients):
    from anju_web.evidence.models import EvidenceFile

    sub = unit(cycle, "220122")
    client = clients["county_clerk"]
    page = client.get(f"/submissions/{sub.pk}/").content.decode()
    assert 'name="item"' in page and "住房租赁保障 › 资金管理 › 资金分配" in page
    _upload(client, cycle, "220122", title="资金拨付文件", item="rental:fund_management.fund_distribution")
    first = EvidenceFile.objects.filter(cycle=cycle, region="220122").latest("pk")
    assert (first.program, first.item_path) == ("rental", "fund_management.fund_distribution")
    shown = client.get(f"/submissions/{sub.pk}/").content.decode()
    assert "住房租赁保障 › 资金管理 › 资金分配" in shown and "fund_management" not in shown.split('data-testid="evidence-files"')[1].split("</table>")[0]
    # Replace: a new file in its place, the old one withdrawn and kept.
    text = _upload(client, cycle, "220122", name="拨付文件（盖章版）.pdf", replaces=first.pk).content.decode()
    assert "已用新文件替换" in text
    second = EvidenceFile.objects.filter(cycle=cycle, region="220122").latest("pk")
    first.refresh_from_db()
    assert second.replaces == first and first.is_withdrawn and "替换" in first.withdraw_reason
    assert (second.program, second.item_path, second.title) == ("rental", "fund_management.fund_distribution", "资金拨付文件")
    assert AuditEvent.objects.filter(action=AuditAction.evidence_replaced, object_id=str(first.pk), submission_id=sub.pk).exists()
    # Withdraw needs a reason; it is recorded and the file leaves the official list but not the database.
    assert "须说明理由" in client.post(f"/evidence/{second.pk}/withdraw/", {"reason": " ", "next": "/"}, follow=True).content.decode()
    client.post(f"/evidence/{second.pk}/withdraw/", {"reason": "上传错了文件", "next": "/"})
    second.refresh_from_db()
    assert second.is_withdrawn and second.withdraw_reason == "上传错了文件"
    assert EvidenceFile.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert not EvidenceFile.objects.filter(cycle=cycle, region="220122").current().filter(pk__in=[first.pk, second.pk]).exists()
    assert AuditEvent.objects.filter(action=AuditAction.evidence_withdrawn, object_id=str(second.pk), note="上传错了文件").exists()
    assert client.get(f"/evidence/{second.pk}/download/").status_code == 200  # still on record
    assert "已撤回" in client.get(f"/submissions/{sub.pk}/").content.decode()
    assert "已撤回" in clients["prefecture_reviewer"].get(f"/cycles/{cycle.pk}/evidence/").content.decode()


def test_evidence_withdrawal_is_refused_to_others_and_after_submitting(cycle, users, clients):
    from anju_web.evidence.models import EvidenceFile

    sub = unit(cycle, "220122")
    _upload(clients["county_clerk"], cycle, "220122", title="台账")
    mine = EvidenceFile.objects.filter(cycle=cycle, region="220122").latest("pk")
    for role in ("prefecture_reviewer", "province_evaluator", "supervision_reviewer", "administrator"):
        assert clients[role].post(f"/evidence/{mine.pk}/withdraw/", {"reason": "试图撤回"}).status_code in (403, 404), role
    assert clients_for_other_clerk().post(f"/evidence/{mine.pk}/withdraw/", {"reason": "试图撤回"}).status_code == 404
    workflow.submit(users["county_clerk"], sub)
    text = clients["county_clerk"].post(f"/evidence/{mine.pk}/withdraw/", {"reason": "改主意", "next": "/"}, follow=True)
    assert "不在可修改状态" in text.content.decode()
    mine.refresh_from_db()
    assert not mine.is_withdrawn


def clients_for_other_clerk():
    from .conftest import client_for

    return client_for("clerk-220182")


# --- 填报表 PDF for 盖章 --------------------------------------------------------------------------


def test_unit_form_prints_with_the_sign_off_block(cycle, users, clients):
    import io

    import docx as python_docx

    from anju.adapters.report.unit_form import unit_form_docx
    from anju_web.submissions.services import save_cover
    from anju_web.submissions.views import unit_form

    sub = unit(cycle, "220122")
    save_cover(users["county_clerk"], sub, {"reporter": "李明", "phone": "0431-88886666", "report_date": "2023-01-10",
                                            "unit_head": "张华"})
    form = unit_form(sub)
    document = python_docx.Document(io.BytesIO(unit_form_docx(form)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "农安县2022年度城镇保障性安居工程绩效评价填报表" in text
    assert "填报单位（盖章）" in text and "单位负责人：张华" in text
    assert "填表人：李明" in text and "联系电话：0431-88886666" in text and "日期：2023年01月10日" in text
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "住房租赁保障" in text and "数据项" in cells and "情况说明" in cells
    from .conftest import stored

    assert stored(sub, "rental", "subsidy_paid") in cells
    assert not any("rental" in c or "_" in c for c in cells)  # no internal ids
    # The PDF through LibreOffice, for every role that sees the unit; others get 404.
    response = clients["prefecture_reviewer"].get(f"/submissions/{sub.pk}/print.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert clients_for_other_clerk().get(f"/submissions/{sub.pk}/print.pdf").status_code == 404
    assert 'data-testid="print"' in clients["county_clerk"].get(f"/submissions/{sub.pk}/").content.decode()


# --- comparison with last year --------------------------------------------------------------------


def test_form_compares_each_figure_with_last_year(cycle, clients):
    from decimal import Decimal

    from anju_web.submissions.units import unit_report

    from .conftest import stored

    sub = unit(cycle, "220122")
    now = Decimal(stored(sub, "rental", "subsidy_paid"))
    baseline = unit_report(sub).model_dump(mode="json")
    baseline["programs"]["rental"]["figures"]["subsidy_paid"] = str(now / 2)
    Submission.objects.filter(pk=sub.pk).update(baseline=baseline)
    page = clients["prefecture_reviewer"].get(f"/submissions/{sub.pk}/").content.decode()
    assert 'data-testid="vs-rental-subsidy_paid">较上年+100.0%<' in page
    same = next(k for k, v in baseline["programs"]["rental"]["figures"].items() if k != "subsidy_paid" and v not in (None, "不适用"))
    assert f'data-testid="vs-rental-{same}">与上年相同<' in page


def test_province_withdraws_its_own_evidence_before_signing(cycle, clients):
    from anju_web.evidence.models import EvidenceFile

    _upload(clients["province_evaluator"], cycle, "220000", title="省厅通知", item="rental:fund_management.fund_distribution")
    mine = EvidenceFile.objects.filter(cycle=cycle, region="220000").latest("pk")
    page = clients["province_evaluator"].get(f"/cycles/{cycle.pk}/judgements/").content.decode()
    assert f'action="/evidence/{mine.pk}/withdraw/"' in page
    assert clients["supervision_reviewer"].post(f"/evidence/{mine.pk}/withdraw/", {"reason": "x"}).status_code == 403
    clients["province_evaluator"].post(f"/evidence/{mine.pk}/withdraw/", {"reason": "通知已废止", "next": "/"})
    mine.refresh_from_db()
    assert mine.is_withdrawn
    assert f'href="/evidence/{mine.pk}/download/"' not in clients["province_evaluator"].get(
        f"/cycles/{cycle.pk}/judgements/").content.decode()


def test_menu_count_is_cheap(cycle, clients, django_assert_max_num_queries):
    client = clients["province_evaluator"]
    client.get(f"/cycles/{cycle.pk}/board/")
    with django_assert_max_num_queries(40):
        page = client.get(f"/cycles/{cycle.pk}/board/").content.decode()
    assert 'data-testid="nav-todo"' in page and "todo-count" in page


def test_home_pages_link_to_the_todo_list(cycle, clients):
    for role, landing in (("prefecture_reviewer", "board"), ("province_evaluator", "dashboard")):
        response = clients[role].get("/", follow=True)
        assert response.redirect_chain[-1][0].endswith(f"/cycles/{cycle.pk}/{landing}/"), role
        page = response.content.decode()
        assert 'data-testid="todo-banner"' in page and f'<a href="/cycles/{cycle.pk}/todo/">查看待办</a>' in page
    page = clients["county_clerk"].get("/", follow=True).content.decode()
    assert 'data-testid="todo-banner"' in page  # its draft waits to be submitted


def test_api_shows_the_cover_and_takes_withdraw_with_an_opinion(cycle, users):
    from anju_web.submissions.services import save_cover

    clerk = users["county_clerk"]
    sub = unit(cycle, "220122")
    save_cover(clerk, sub, {"reporter": "李明", "phone": "0431-88886666", "report_date": "2023-01-10", "unit_head": "张华"})
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(clerk, '对接')}")
    body = api.get(f"/api/submissions/{sub.pk}").json()
    assert (body["reporter"], body["phone"], body["report_date"], body["unit_head"]) == ("李明", "0431-88886666", "2023-01-10", "张华")
    workflow.submit(clerk, sub)
    response = api.post(f"/api/submissions/{sub.pk}/transitions", {"verb": "withdraw"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    reviewer = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(users['prefecture_reviewer'], '对接')}")
    workflow.submit(clerk, sub)
    assert reviewer.post(f"/api/submissions/{sub.pk}/transitions", {"verb": "withdraw"},
                         content_type="application/json").status_code == 403
    done = reviewer.post(f"/api/submissions/{sub.pk}/transitions", {"verb": "accept", "reason": "同意"},
                         content_type="application/json")
    assert done.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.accepted, submission_id=sub.pk, note="同意").exists()

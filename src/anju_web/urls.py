"""URL map. Every view checks permission and scope itself (anju_web.accounts.policy)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from anju_web.accounts import views as accounts
from anju_web.allocations import views as allocations
from anju_web.api.api import api
from anju_web.audit import views as audit
from anju_web.audits import views as audits
from anju_web.evidence import views as evidence
from anju_web.help import views as help_views
from anju_web.jobs import views as jobs
from anju_web.national import views as national
from anju_web.performance import views as performance
from anju_web.reports import catalogue, cycle_views
from anju_web.reports import views as reports
from anju_web.reviews import views as reviews
from anju_web.submissions import views as submissions

urlpatterns = [
    path("", reports.home, name="home"),
    path("accounts/login/", accounts.Login.as_view(), name="login"),
    path("captcha/", include("captcha.urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChange.as_view(), name="password_change"),
    path("accounts/tokens/", accounts.tokens, name="tokens"),
    path("accounts/tokens/new/", accounts.create_token, name="create_token"),
    path("accounts/tokens/<int:token_id>/revoke/", accounts.revoke_token, name="revoke_token"),
    path("national/", national.national, name="national"),
    path("national/run/", national.start_run, name="national_run"),
    path("national/allocation/", national.allocation, name="national_allocation"),
    path("national/allocation/<int:allocation_id>/<slug:kind>/", national.allocation_download,
         name="national_allocation_download"),
    path("cycles/", cycle_views.cycle_list, name="cycles"),
    path("cycles/new/", cycle_views.new_cycle, name="new_cycle"),
    path("cycles/<int:cycle_id>/choose/", cycle_views.choose, name="choose_cycle"),
    path("cycles/<int:cycle_id>/archive/", cycle_views.archive, name="archive_cycle"),
    path("cycles/<int:cycle_id>/board/", reports.board, name="board"),
    path("cycles/<int:cycle_id>/todo/", reports.todo_list, name="todo"),
    path("cycles/<int:cycle_id>/todo/batch/", reports.batch, name="batch_transition"),
    path("cycles/<int:cycle_id>/deadline/", reports.set_deadline, name="set_deadline"),
    path("cycles/<int:cycle_id>/dashboard/", reports.dashboard, name="dashboard"),
    path("cycles/<int:cycle_id>/documents/", reports.document_list, name="documents"),
    path("cycles/<int:cycle_id>/documents/<slug:kind>/", reports.document_download, name="document"),
    path("cycles/<int:cycle_id>/evaluation/", reviews.evaluation, name="evaluation"),
    path("cycles/<int:cycle_id>/evaluation/run/", reviews.run, name="run_evaluation"),
    path("cycles/<int:cycle_id>/evaluation/sign/", reviews.sign, name="sign_cycle"),
    path("cycles/<int:cycle_id>/judgements/", reviews.judgements, name="judgements"),
    path("cycles/<int:cycle_id>/judgements/<str:program>/<str:path>/", reviews.save_judgement, name="save_judgement"),
    path("cycles/<int:cycle_id>/adjustments/", reviews.propose, name="propose_adjustment"),
    path("adjustments/<int:adjustment_id>/respond/", reviews.respond, name="respond_adjustment"),
    path("cycles/<int:cycle_id>/comments/", reviews.comment, name="add_comment"),
    path("comments/<int:comment_id>/resolve/", reviews.resolve, name="resolve_comment"),
    path("comments/<int:comment_id>/reply/", reviews.reply_comment, name="reply_comment"),
    path("cycles/<int:cycle_id>/evidence/", evidence.evidence_list, name="evidence_list"),
    path("cycles/<int:cycle_id>/allocations/", allocations.allocation_list, name="allocations"),
    path("cycles/<int:cycle_id>/document-audits/", audits.audit_list, name="document_audits"),
    path("cycles/<int:cycle_id>/document-audits/upload/", audits.upload, name="document_audit_upload"),
    path("cycles/<int:cycle_id>/jobs/", jobs.job_list, name="jobs"),
    path("cycles/<int:cycle_id>/jobs/evaluation/", jobs.start_evaluation, name="start_evaluation"),
    path("cycles/<int:cycle_id>/jobs/packages/", jobs.start_packages, name="start_packages"),
    path("cycles/<int:cycle_id>/jobs/audits/", jobs.start_audits, name="start_audits"),
    path("jobs/<int:job_id>/", jobs.job_detail, name="job"),
    path("jobs/<int:job_id>/status.json", jobs.status, name="job_status"),
    path("cycles/<int:cycle_id>/performance/", performance.plan, name="performance"),
    path("cycles/<int:cycle_id>/performance/upload/<slug:kind>/", performance.upload, name="performance_upload"),
    path("cycles/<int:cycle_id>/performance/board/<str:day>/", performance.board, name="performance_board"),
    path("cycles/<int:cycle_id>/performance/mine/", performance.mine, name="performance_mine"),
    path("cycles/<int:cycle_id>/performance/report/<str:day>/<str:code>/", performance.unit_report,
         name="performance_unit_report"),
    path("cycles/<int:cycle_id>/performance/report/<str:day>/<str:code>/return/", performance.unit_return,
         name="performance_unit_return"),
    path("cycles/<int:cycle_id>/performance/selfreport/", performance.selfreport, name="performance_selfreport"),
    path("document-audits/<int:audit_id>/", audits.audit_detail, name="document_audit"),
    path("document-audits/<int:audit_id>/annotated/", audits.annotated, name="document_audit_annotated"),
    path("document-audits/<int:audit_id>/original/", audits.original, name="document_audit_original"),
    path("allocations/<int:allocation_id>/", allocations.allocation_detail, name="allocation"),
    path("allocations/<int:allocation_id>/<slug:kind>/", allocations.allocation_download, name="allocation_download"),
    path("cycles/<int:cycle_id>/evidence/upload/", evidence.upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/download/", evidence.download, name="evidence_download"),
    path("evidence/<int:evidence_id>/withdraw/", evidence.withdraw_file, name="evidence_withdraw"),
    path("submissions/<int:submission_id>/", submissions.detail, name="submission"),
    path("submissions/<int:submission_id>/save/", submissions.save, name="save_figures"),
    path("submissions/<int:submission_id>/template.xlsx", submissions.template, name="submission_template"),
    path("submissions/<int:submission_id>/print.pdf", submissions.print_form, name="submission_print"),
    path("submissions/<int:submission_id>/upload/", submissions.upload, name="submission_upload"),
    path("submissions/<int:submission_id>/<slug:verb>/", submissions.transition, name="transition"),
    path("returns/<int:return_id>/reply/", submissions.reply, name="reply_return"),
    path("frameworks/", catalogue.framework_list, name="frameworks"),
    path("frameworks/diff/", catalogue.framework_diff, name="framework_diff"),
    path("frameworks/<str:framework_id>/", catalogue.framework_detail, name="framework"),
    path("help/", help_views.index, name="help"),
    path("help/<slug:slug>/", help_views.page, name="help_page"),
    path("audit/", audit.event_list, name="audit"),
    path("audit/export.<str:fmt>", audit.export, name="audit_export"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "anju_web.errors.forbidden"
handler404 = "anju_web.errors.not_found"
handler500 = "anju_web.errors.server_error"

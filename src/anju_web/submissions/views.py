"""Pages of a unit's submission: the figure form, validation, returns and their threads, actions."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anju.adapters.report.pdf import PdfError, PdfUnavailable
from anju.adapters.report.unit_form import FormProgram, UnitForm, unit_form_pdf
from anju.adapters.report.unit_form import FormRow as PrintRow
from anju.collect.rows import EntryRow
from anju.dataset.models import BLANK_TEXT
from anju.framework.describe import item_label
from anju.framework.models import FigureSpec
from anju.problems import Problem, Severity
from anju_web.accounts.policy import has
from anju_web.audit.models import AuditAction
from anju_web.audit.services import submission_history
from anju_web.shortcuts import get_submission, is_htmx, post_text
from anju_web.submissions import workflow
from anju_web.submissions.frameworks import figure_label, program_label
from anju_web.submissions.inputs import RowInput
from anju_web.submissions.models import EntryState, FigureEntry, ItemReturn, ReturnStatus, Submission
from anju_web.submissions.services import (
    COVER_FIELDS,
    CoverErrors,
    FigureErrors,
    NotEditable,
    StaleVersion,
    reply_to_return,
    save_cover,
    save_figures,
    save_unit_report,
)
from anju_web.submissions.units import (
    baseline_texts,
    entries_of,
    figure_value_text,
    program_rows,
    unexplained,
)
from anju_web.submissions.units import stored as stored_problems
from anju_web.submissions.workbooks import XLSX, WorkbookRefused, read_workbook, template_file

RETURN_FORM_ROWS = 3
"""Empty return rows the form offers at once."""
MAX_RETURN_ITEMS = 10
"""Return rows read from one post."""
HISTORY_SHOWN = 40
OPINIONS_SHOWN = 5
"""审核意见 (of 审核通过 and 审定) shown at the top of a unit's page."""


@dataclass
class FormRow:
    program: str
    row: EntryRow
    entry: FigureEntry | None
    text: str
    not_applicable: bool
    explanation: str
    error: str = ""
    returned: list[ItemReturn] = field(default_factory=list)
    issues: list[Problem] = field(default_factory=list)
    last_year: str = ""
    """Last year's value (the baseline copied when the cycle was opened), as the form shows it."""
    conflict: str = ""
    """After a refused save: the value another user stored meanwhile (the row shows the typed one)."""
    last_submitted: str | None = None
    """The value at the submission before (上次提交; None: there was none to compare with)."""

    @property
    def vs_last_year(self) -> str:
        """How the stored figure compares with last year's (较上年 +12.5%), when both are numbers."""
        if self.entry is None or self.entry.state != EntryState.value or self.entry.value is None:
            return ""
        try:
            before = Decimal(self.last_year)
        except (InvalidOperation, ValueError):
            return ""
        now = self.entry.value
        if now == before:
            return "与上年相同"
        if before == 0:
            return "上年为 0"
        change = ((now - before) * 100 / abs(before)).quantize(Decimal("0.1"))
        return f"较上年{'+' if change > 0 else ''}{change}%"

    @property
    def changed_since_submitted(self) -> bool:
        current = self.entry.display if self.entry is not None and self.entry.state != EntryState.blank else ""
        return self.last_submitted is not None and self.last_submitted != current

    @property
    def spec(self) -> FigureSpec:
        return self.row.spec

    @property
    def name(self) -> str:
        return f"f-{self.program}-{self.spec.id}"

    @property
    def na_name(self) -> str:
        return f"na-{self.program}-{self.spec.id}"

    @property
    def note_name(self) -> str:
        return f"note-{self.program}-{self.spec.id}"

    @property
    def hint(self) -> str:
        return self.row.requirement

    @property
    def display(self) -> str:
        return self.entry.display if self.entry is not None else BLANK_TEXT


@dataclass
class ProgramBlock:
    id: str
    label: str
    no_task: bool
    rows: list[FormRow]


def _returns(submission: Submission) -> list[ItemReturn]:
    """The unit's returns, newest first, with their threads: read once per request for the form's
    rows and the page's list (kept on the instance, which lives for one request)."""
    cached: list[ItemReturn] | None = submission.__dict__.get("_page_returns")
    if cached is None:
        cached = list(submission.returns.select_related("created_by", "resolved_by")
                      .prefetch_related("messages__author").order_by("-created_at", "-pk"))
        submission.__dict__["_page_returns"] = cached
    return cached


def _rows(submission: Submission, posted: dict[tuple[str, str], RowInput] | None = None,
          errors: dict[tuple[str, str], str] | None = None, no_task: set[str] | None = None) -> list[ProgramBlock]:
    stored = entries_of(submission)
    switches = no_task if no_task is not None else set(submission.no_task)
    open_returns: dict[tuple[str, str], list[ItemReturn]] = {}
    for item in reversed(_returns(submission)):
        if item.status == ReturnStatus.open:
            open_returns.setdefault((item.program, item.figure_id), []).append(item)
    issues_by_where: dict[tuple[str, str], list[Problem]] = {}
    for issue in stored_problems(submission.issues):
        issues_by_where.setdefault((issue.where.program or "", issue.where.figure or ""), []).append(issue)
    last_year = baseline_texts(submission)
    compared = compared_values(submission)
    blocks = []
    for program, entry_rows in program_rows(submission):
        pid = program.id
        rows = []
        for row in entry_rows:
            key = (pid, row.spec.id)
            entry = stored.get(key)
            if posted is not None and key in posted:
                given = posted[key]
                text, na, note = given.text or "", given.not_applicable, given.explanation or ""
            elif entry is None:
                text, na, note = "", False, ""
            else:
                na = entry.state == EntryState.not_applicable
                answer = entry.answer
                text = ("是" if answer else "否") if answer is not None else figure_value_text(entry.figure_value)
                note = entry.explanation
            form_row = FormRow(pid, row, entry, text, na, note, (errors or {}).get(key, ""),
                               open_returns.get(key, []), issues_by_where.get(key, []), last_year.get(key, ""))
            if compared:
                form_row.last_submitted = compared.get(f"{pid}.{row.spec.id}", "")
            rows.append(form_row)
        blocks.append(ProgramBlock(pid, program.label, pid in switches, rows))
    return blocks


def evidence_items(framework: Any, program_ids: list[str]) -> list[tuple[str, str]]:
    """The indicators a unit's evidence file can be tied to (value ``program:path``, label in Chinese)."""
    out = []
    for pid in program_ids:
        for path, _item in framework.program(pid).items():
            out.append((f"{pid}:{path}", item_label(framework, pid, path)))
    return out


def compared_values(submission: Submission) -> dict[str, str]:
    """What the 上次提交 column shows: while the unit edits, what it last submitted; once it has
    submitted again, the submission before, so reviewers see what changed (empty: nothing to compare)."""
    values = submission.submitted_values if submission.is_editable else submission.previous_values
    return {str(k): str(v) for k, v in (values or {}).items()}


def _context(request: HttpRequest, submission: Submission, blocks: list[ProgramBlock],
             import_problems: list[str] | None = None) -> dict[str, Any]:
    framework = submission.cycle.framework
    user = request.user
    returns = _returns(submission)
    for item in returns:
        item.figure_label = figure_label(framework, item.program, item.figure_id)  # type: ignore[attr-defined]
    can_fill = submission.is_editable and has(user, "submissions.fill_submission", submission.region)
    figure_choices = [(f"{b.id}:{r.spec.id}", f"{b.label} › {r.row.label}") for b in blocks for r in b.rows]
    history = submission_history(submission.pk)
    problems = stored_problems(submission.issues)
    warnings = [p for p in problems if p.severity is Severity.warning]
    return {
        "submission": submission,
        "cycle": submission.cycle,
        "has_baseline": bool(submission.baseline),
        "has_previous": bool(compared_values(submission)),
        "changed_since": sum(1 for b in blocks for r in b.rows if r.changed_since_submitted),
        "blocks": blocks,
        "errors": [p for p in problems if p.is_error],
        "warnings": warnings,
        "unexplained": unexplained(warnings),
        "advisories": [p for p in problems if p.severity is Severity.advisory],
        "returns": returns,
        "open_returns": [r for r in returns if r.status == ReturnStatus.open],
        "transitions": workflow.available(user, submission),
        "can_fill": can_fill,
        "can_reply": has(user, "submissions.fill_submission", submission.region)
        or has(user, "submissions.review_submission", submission.region)
        or has(user, "submissions.approve_submission", submission.region),
        "can_comment": has(user, "reviews.add_comment", submission.region),
        "can_upload": can_fill and has(user, "evidence.add_evidencefile", submission.region),
        "figure_choices": figure_choices,
        "return_rows": range(RETURN_FORM_ROWS),
        "evidence": submission.cycle.evidence.filter(region=submission.region).select_related(
            "region", "cycle", "uploaded_by", "withdrawn_by"),
        "evidence_items": evidence_items(framework, [b.id for b in blocks]),
        "comments": submission.comments.select_related("author", "resolved_by").prefetch_related("replies__author"),
        "can_reply_comments": has(user, "reviews.add_comment", submission.region)
        or has(user, "reviews.resolve_comment", submission.region),
        "can_resolve": has(user, "reviews.resolve_comment", submission.region),
        "history": _labelled(framework, list(history.order_by("-at", "-pk").values(*HISTORY_FIELDS)[:HISTORY_SHOWN])),
        "opinions": list(history.filter(action__in=[AuditAction.accepted, AuditAction.approved]).exclude(note="")
                         .order_by("-at", "-pk")[:OPINIONS_SHOWN]),
        "import_problems": import_problems or [],
    }


def field_label(framework: Any, field_name: str) -> str:
    """An audit field as people read it: ``rental.county_funds.情况说明`` → 住房租赁保障 › 市县安排财政资金 › 情况说明."""
    parts = field_name.split(".")
    program_ids = {p.id for p in framework.programs}
    if len(parts) < 2 or parts[0] not in program_ids:
        return " › ".join(parts) if parts[0] == "封面" else field_name
    out = [program_label(framework, parts[0])]
    rest = parts[1:]
    if rest and rest[0] in {f.id for f in framework.program(parts[0]).figures}:
        out.append(figure_label(framework, parts[0], rest[0]))
        rest = rest[1:]
    return " › ".join(out + rest)


HISTORY_FIELDS = ("at", "actor_label", "action", "field", "old_value", "new_value", "note", "submission_id", "region_id")
"""What the form's 修改记录 shows of each audit event (read as plain rows: the page shows 40)."""


def _labelled(framework: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for event in events:
        event["field_label"] = field_label(framework, event["field"])
    return events


@login_required
def detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission(request, submission_id)
    return render(request, "submissions/detail.html", _context(request, submission, _rows(submission)))


def _posted(request: HttpRequest, submission: Submission) -> tuple[dict[tuple[str, str], RowInput], set[str]]:
    raw: dict[tuple[str, str], RowInput] = {}
    no_task: set[str] = set()
    for program, rows in program_rows(submission):
        pid = program.id
        if request.POST.get(f"no-task-{pid}") == "1":
            no_task.add(pid)
        for row in rows:
            fid = row.spec.id
            names = (f"f-{pid}-{fid}", f"na-{pid}-{fid}", f"note-{pid}-{fid}")
            if any(n in request.POST for n in names):
                raw[(pid, fid)] = RowInput(
                    request.POST.get(names[0], ""),
                    request.POST.get(names[1]) == "1",
                    request.POST.get(names[2]) if names[2] in request.POST else None,
                )
    return raw, no_task


@login_required
@require_POST
def save(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission(request, submission_id, "submissions.fill_submission")
    raw, no_task = _posted(request, submission)
    try:
        version = int(post_text(request, "version"))
    except ValueError:
        version = None
    try:
        result = save_figures(request.user, submission, raw, no_task=no_task, expected_version=version)
    except FigureErrors as exc:
        messages.error(request, f"有 {len(exc.errors)} 个数据项填写有误，本次未保存任何数据，请按提示改正。")
        context = _context(request, submission, _rows(submission, raw, exc.errors, no_task))
        return render(request, "submissions/detail.html", context, status=400)
    except StaleVersion as exc:
        # Keep what this user typed, beside what the other saved, so nothing typed is lost: the form
        # now carries the current version, and saving it again keeps the typed values.
        submission.refresh_from_db()
        messages.error(request, f"{exc}。您填写的内容仍在下面的表中，每个与他人所存不同的数据项旁注明了他人保存的值；"
                                "核对后再次保存即以您的填写为准。")
        blocks = _rows(submission, raw, None, no_task)
        for block in blocks:
            for row in block.rows:
                current = row.entry.display if row.entry is not None else ""
                if (row.program, row.spec.id) in raw and current not in (row.text, "") and not (row.not_applicable and current == "不适用"):
                    row.conflict = current
        return render(request, "submissions/detail.html", _context(request, submission, blocks), status=409)
    except NotEditable as exc:
        messages.error(request, str(exc))
        return redirect("submission", submission_id=submission.pk)
    _report_saved(request, result.changed, result.issues)
    _save_posted_cover(request, submission)
    if post_text(request, "then") == "submit":
        # 提交 pressed with unsaved edits: they were saved first (above); now the submission.
        if result.issues and any(i.is_error for i in result.issues):
            messages.error(request, "已先保存您的修改；校验有错误，未提交。请改正后再提交。")
        else:
            try:
                workflow.perform(request.user, submission, "submit")
            except workflow.TransitionError as exc:
                messages.error(request, f"已先保存您的修改，但未能提交：{exc}")
            else:
                submission.refresh_from_db()
                messages.success(request, f"已先保存您的修改，再提交。当前状态：{submission.get_status_display()}")
    return redirect("submission", submission_id=submission.pk)


def _save_posted_cover(request: HttpRequest, submission: Submission) -> None:
    """The cover fields of the form (填报人、联系电话、填报日期、单位负责人), when posted."""
    cover = {name: post_text(request, f"cover-{name}") for name in COVER_FIELDS if f"cover-{name}" in request.POST}
    if not cover:
        return
    try:
        changed = save_cover(request.user, submission, cover)
    except CoverErrors as exc:
        messages.error(request, f"封面信息未保存：{exc}")
    else:
        if changed:
            messages.success(request, f"封面信息已保存（修改了 {changed} 项）。")


def _report_saved(request: HttpRequest, changed: int, issues: list[Problem]) -> None:
    errors = sum(1 for i in issues if i.is_error)
    warnings = unexplained(issues)
    summary = f"已保存，修改了 {changed} 处。校验结果：{errors} 个错误，{len(warnings)} 个警告尚未说明。"
    (messages.warning if errors or warnings else messages.success)(request, summary)


@login_required
def template(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The unit's Excel template, pre-filled with what is stored (the collection module's format)."""
    file_name, payload = template_file(get_submission(request, submission_id))
    response = HttpResponse(payload, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    return response


def unit_form(submission: Submission) -> UnitForm:
    """The unit's 填报表 as printed for 盖章 (what is stored, with the cover)."""
    programs = []
    for block in _rows(submission):
        rows = [PrintRow(r.row.label, r.row.unit or "", r.display if r.entry is not None and r.entry.state != EntryState.blank
                         else "", r.explanation) for r in block.rows]
        programs.append(FormProgram(block.label, rows, block.no_task))
    return UnitForm(
        title=f"{submission.region.display_name}{submission.cycle.year}年度城镇保障性安居工程绩效评价填报表",
        unit=submission.region.display_name, year=submission.cycle.year, status=submission.get_status_display(),
        reporter=submission.reporter, phone=submission.phone, unit_head=submission.unit_head,
        report_date=f"{submission.report_date:%Y年%m月%d日}" if submission.report_date else "",
        programs=programs)


@login_required
def print_form(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The unit's 填报表 as PDF, to print, sign and seal (单位负责人、填表人、联系电话、日期)."""
    submission = get_submission(request, submission_id)
    form = unit_form(submission)
    try:
        with tempfile.TemporaryDirectory(prefix="anju-form-") as tmp:
            payload = unit_form_pdf(form, Path(tmp))
    except (PdfUnavailable, PdfError) as exc:
        messages.error(request, f"无法生成填报表 PDF：{exc}")
        return redirect("submission", submission_id=submission.pk)
    response = HttpResponse(payload, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(form.title + '.pdf')}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def upload(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Import a filled template (all or nothing; see :mod:`anju_web.submissions.workbooks`)."""
    submission = get_submission(request, submission_id, "submissions.fill_submission")
    upload_file = request.FILES.get("workbook")
    if upload_file is None:
        messages.error(request, "请选择要上传的 Excel 填报表。")
        return redirect("submission", submission_id=submission.pk)
    name = (upload_file.name or "填报表.xlsx").replace("\\", "/").rsplit("/", 1)[-1]
    try:
        report, version = read_workbook(submission, upload_file.chunks(), name)
        result = save_unit_report(request.user, submission, report, source=f"Excel 导入：{name}",
                                  expected_version=version)
    except WorkbookRefused as exc:
        messages.error(request, f"Excel 填报表未导入（{len(exc.problems)} 处问题），本单位数据没有任何改动。")
        context = _context(request, submission, _rows(submission), [str(p) for p in exc.problems])
        return render(request, "submissions/detail.html", context, status=400)
    except StaleVersion:
        submission.refresh_from_db()
        messages.error(request, f"Excel 填报表未导入：该文件下载之后，本单位数据已被修改（当前版本 {submission.version}）。"
                                "为免覆盖这些修改，请重新下载填报表，在新文件中填写后再上传。本单位数据没有任何改动。")
        return redirect("submission", submission_id=submission.pk)
    except NotEditable as exc:
        messages.error(request, str(exc))
        return redirect("submission", submission_id=submission.pk)
    except FigureErrors as exc:
        messages.error(request, f"Excel 填报表未导入：{exc}")
        return redirect("submission", submission_id=submission.pk)
    _report_saved(request, result.changed, result.issues)
    return redirect("submission", submission_id=submission.pk)


@login_required
@require_POST
def transition(request: HttpRequest, submission_id: int, verb: str) -> HttpResponse:
    submission = get_submission(request, submission_id)
    items = _posted_returns(request)
    if items is None:
        messages.error(request, "请为每条退回理由选择对应的数据项。")
        return redirect("submission", submission_id=submission.pk)
    revokes = workflow.signature_revoked_by(verb, submission)
    try:
        workflow.perform(request.user, submission, verb, reason=post_text(request, "reason"), items=items)
    except workflow.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        submission.refresh_from_db()
        messages.success(request, _done_message(verb, submission, revokes))
    return redirect("submission", submission_id=submission.pk)


def _done_message(verb: str, submission: Submission, revoked: bool) -> str:
    status = submission.get_status_display()
    if verb == workflow.Verb.withdraw:
        return f"已撤回提交。本单位填报恢复为“{status}”，可修改后重新提交。"
    if verb == workflow.Verb.reopen:
        text = f"已重新打开{submission.region.display_name}的填报，当前状态：{status}；理由已显示给填报单位。"
        if revoked:
            text += ("全省评价结果的省级审定已撤销：须待该单位重新报送并经审核、审定，重新运行评价后再次审定。")
        return text
    return f"操作成功：{workflow.VERB_LABELS.get(verb, verb)}。当前状态：{status}。"


def _posted_returns(request: HttpRequest) -> list[workflow.ReturnItem] | None:
    """The return rows of a post (only the 退回 form has them); None when a reason names no item."""
    items: list[workflow.ReturnItem] = []
    for index in range(MAX_RETURN_ITEMS):
        target = post_text(request, f"return-item-{index}")
        reason = post_text(request, f"return-reason-{index}")
        if not target and not reason.strip():
            continue
        program, _, figure_id = target.partition(":")
        if not program or not figure_id:
            return None
        items.append(workflow.ReturnItem(program, figure_id, reason))
    return items


@login_required
@require_POST
def reply(request: HttpRequest, return_id: int) -> HttpResponse:
    item = get_object_or_404(ItemReturn.objects.select_related("submission", "submission__region", "submission__cycle"), pk=return_id)
    submission = get_submission(request, item.submission_id)
    error = ""
    try:
        reply_to_return(request.user, item, post_text(request, "text"))
    except ValueError as exc:
        error = str(exc)
    if is_htmx(request):
        item.figure_label = figure_label(submission.cycle.framework, item.program, item.figure_id)  # type: ignore[attr-defined]
        return render(request, "submissions/_return.html", {
            "item": item, "submission": submission, "can_reply": True, "error": error,
        }, status=422 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("submission", submission_id=submission.pk)

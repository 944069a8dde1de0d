"""Pages of the document audit: upload a 说明 or 自评报告, see it with every finding highlighted in
place, download the annotated .docx (a Word comment at each error and warning) or the original."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anju.adapters.document import annotate
from anju_web.accounts.policy import authorize, has
from anju_web.audits.models import DocumentAudit
from anju_web.audits.services import ADD, VIEW, audit_upload, run_audit, stored_suffix
from anju_web.audits.storage import DocumentRejected, exists, local_copy, open_stored
from anju_web.shortcuts import get_cycle, post_text
from anju_web.submissions.models import Cycle

MARKED = ("error", "warning")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def audit_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id, VIEW)
    audits = DocumentAudit.objects.filter(cycle=cycle).select_related("uploaded_by")
    return render(request, "audits/list.html", {
        "cycle": cycle, "audits": audits, "can_add": has(request.user, ADD, cycle.region),
    })


@login_required
@require_POST
def upload(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    authorize(request.user, ADD, cycle.region)
    document = request.FILES.get("file")
    if document is None:
        messages.error(request, "请选择要核查的文件（.docx、.pdf、.txt、.md）。")
        return redirect("document_audits", cycle_id=cycle.pk)
    try:
        kept = audit_upload(request.user, cycle, document, title=post_text(request, "title"))
    except DocumentRejected as exc:
        messages.error(request, f"未核查：{exc}")
        return redirect("document_audits", cycle_id=cycle.pk)
    messages.success(request, f"已核查“{kept.title}”：错误 {kept.errors} 项，警告 {kept.warnings} 项。")
    return redirect("document_audit", audit_id=kept.pk)


def _get(request: HttpRequest, audit_id: int) -> DocumentAudit:
    kept = get_object_or_404(DocumentAudit.objects.select_related("cycle__region", "uploaded_by"), pk=audit_id)
    authorize(request.user, VIEW, kept.cycle.region)
    return kept


def paragraphs(kept: DocumentAudit) -> list[dict[str, Any]]:
    """The document's blocks cut at each finding's span, so the page shows the finding in place."""
    marks: dict[int, list[tuple[int, int, int, str]]] = {}
    for number, finding in enumerate(kept.result.get("findings", []), start=1):
        where = finding.get("location") or {}
        if finding.get("severity") in MARKED and "block" in where:
            marks.setdefault(where["block"], []).append((where["start"], where["end"], number, finding["severity"]))
    out: list[dict[str, Any]] = []
    for block in kept.blocks:
        text: str = block["text"]
        parts: list[dict[str, Any]] = []
        pos = 0
        for start, end, number, severity in sorted(marks.get(block["index"], [])):
            if start < pos:
                parts.append({"text": "", "mark": number, "severity": severity})
                continue
            parts.append({"text": text[pos:start]})
            parts.append({"text": text[start:end], "mark": number, "severity": severity})
            pos = end
        parts.append({"text": text[pos:]})
        out.append({"index": block["index"], "page": block.get("page"), "cell": block.get("cell"), "parts": parts})
    return out


@login_required
def audit_detail(request: HttpRequest, audit_id: int) -> HttpResponse:
    kept = _get(request, audit_id)
    findings = [dict(f, number=n) for n, f in enumerate(kept.result.get("findings", []), start=1)]
    return render(request, "audits/detail.html", {
        "cycle": kept.cycle, "kept": kept, "findings": findings, "paragraphs": paragraphs(kept),
        "programs": kept.result.get("programs", []), "coverage": kept.result.get("coverage", {}),
    })


@login_required
def annotated(request: HttpRequest, audit_id: int) -> FileResponse:
    kept = _get(request, audit_id)
    suffix = stored_suffix(kept)
    if not exists(kept.sha256, suffix):
        raise Http404("文件已不在存储中")
    folder = Path(tempfile.mkdtemp(prefix="anju-annotated-"))
    target = folder / "annotated.docx"
    with local_copy(kept.sha256, suffix) as source:
        try:
            result = run_audit(source)
        except DocumentRejected as exc:
            raise Http404(str(exc)) from None
        annotate(result, source, target)
    name = f"{Path(kept.original_name).stem}.批注.docx"
    return _attachment(target.open("rb"), name, DOCX_TYPE)


@login_required
def original(request: HttpRequest, audit_id: int) -> FileResponse:
    kept = _get(request, audit_id)
    suffix = stored_suffix(kept)
    if not exists(kept.sha256, suffix):
        raise Http404("文件已不在存储中")
    return _attachment(open_stored(kept.sha256, suffix), kept.original_name, "application/octet-stream")


def _attachment(handle: Any, name: str, content_type: str) -> FileResponse:
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

"""Evidence upload, list and download. Files are always served as attachments, never inline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from anju_web.accounts.policy import authorize, region_scope_q
from anju_web.evidence.models import EvidenceFile
from anju_web.evidence.services import attach, withdraw
from anju_web.evidence.storage import EvidenceRejected, evidence_storage, name_for
from anju_web.regions.models import Region
from anju_web.shortcuts import get_cycle_for_units, post_text
from anju_web.submissions.models import Cycle

SHA_SHOWN = 12
"""Characters of a file's SHA-256 quoted in the confirmation."""


@login_required
def evidence_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for_units(request, cycle_id, "evidence.view_evidencefile")
    files = EvidenceFile.objects.filter(cycle=cycle).filter(region_scope_q(request.user, "region__")).select_related(
        "region", "uploaded_by", "cycle", "withdrawn_by"
    )
    return render(request, "evidence/list.html", {"cycle": cycle, "files": files})


@login_required
@require_POST
def upload(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    region = get_object_or_404(Region, pk=post_text(request, "region"))
    authorize(request.user, "evidence.add_evidencefile", region)
    upload_file = request.FILES.get("file")
    back = post_text(request, "next")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = reverse("home")
    if upload_file is None:
        messages.error(request, "请选择要上传的文件。")
        return redirect(back)
    program, _, item_path = post_text(request, "item").partition(":")
    replaces = None
    raw_replaces = post_text(request, "replaces")
    if raw_replaces:
        if not raw_replaces.isdigit() or len(raw_replaces) > 18:
            raise Http404("没有找到被替换的材料")
        replaces = get_object_or_404(EvidenceFile.objects.select_related("cycle", "region"), pk=raw_replaces,
                                     cycle=cycle, region=region)
    try:
        evidence = attach(request.user, cycle, region, upload_file, title=post_text(request, "title"),
                          program=program, item_path=item_path, replaces=replaces)
    except EvidenceRejected as exc:
        messages.error(request, f"未上传：{exc}")
    else:
        done = f"已用新文件替换“{replaces.title}”（旧文件已撤回，仍保留在案）" if replaces is not None else "已上传佐证材料"
        messages.success(request, f"{done}：“{evidence.title}”（sha256 {evidence.sha256[:SHA_SHOWN]}…）。")
    return redirect(back)


def _back(request: HttpRequest) -> str:
    back = post_text(request, "next")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return reverse("home")
    return back


@login_required
@require_POST
def withdraw_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """Withdraw a file with a reason (recorded; the file stays stored and listed as withdrawn)."""
    evidence = get_object_or_404(EvidenceFile.objects.select_related("cycle", "cycle__region", "region"), pk=evidence_id)
    authorize(request.user, "evidence.view_evidencefile", evidence.region)
    try:
        withdraw(request.user, evidence, post_text(request, "reason"))
    except EvidenceRejected as exc:
        messages.error(request, f"未撤回：{exc}")
    else:
        messages.success(request, f"已撤回佐证材料“{evidence.title}”（仍保留在案，不再列入佐证材料清单）。")
    return redirect(_back(request))


@login_required
def download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = get_object_or_404(EvidenceFile.objects.select_related("region"), pk=evidence_id)
    authorize(request.user, "evidence.view_evidencefile", evidence.region)
    storage, name = evidence_storage(), name_for(evidence.sha256)
    if not storage.exists(name):
        raise Http404("文件已不在存储中")
    response = FileResponse(storage.open(name, "rb"), as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

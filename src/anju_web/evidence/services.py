"""Attach evidence files."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from anju_web.accounts.policy import authorize
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import record
from anju_web.evidence.models import EvidenceFile
from anju_web.evidence.storage import EvidenceRejected, store
from anju_web.regions.models import Region
from anju_web.submissions.models import Cycle, Submission


def attach(user: Any, cycle: Cycle, region: Region, upload: UploadedFile, *, title: str = "",
           program: str = "", item_path: str = "") -> EvidenceFile:
    authorize(user, "evidence.add_evidencefile", region)
    # A unit's evidence comes from the unit's own clerk; the province's from its evaluators.
    authorize(user, "reviews.change_judgement" if region.pk == cycle.region_id else "submissions.fill_submission", region)
    submission: Submission | None = None
    if region.pk == cycle.region_id:
        if cycle.signed_at is not None:
            raise EvidenceRejected(f"{cycle}已审定，不能再添加省级佐证材料")
    else:
        submission = Submission.objects.filter(cycle=cycle, region=region).first()
        if submission is None or not submission.is_editable:
            raise EvidenceRejected("该单位的填报不在可修改状态，不能添加佐证材料")
    framework = cycle.framework
    if item_path and not program:
        raise EvidenceRejected(f"指标“{item_path}”未指明所属项目")
    if program:
        try:
            prog = framework.program(program)
        except KeyError:
            raise EvidenceRejected(f"未知的项目“{program}”") from None
        if item_path and item_path not in dict(prog.items()):
            raise EvidenceRejected(f"{prog.label}没有指标“{item_path}”")
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    stored = store(name, upload.chunks(), upload.size)
    with transaction.atomic():
        evidence = EvidenceFile.objects.create(
            cycle=cycle, region=region, program=program, item_path=item_path,
            title=(title.strip() or name.rsplit(".", 1)[0])[:200], original_name=name,
            content_type=stored.content_type, size=stored.size, sha256=stored.sha256, uploaded_by=user,
        )
        target = AuditTarget(AuditObject.evidence, evidence.pk, f"{cycle} › {region.display_name} › {evidence.title}",
                             region, cycle.pk, submission.pk if submission is not None else None)
        record(user, AuditAction.evidence_uploaded, target, field="文件",
               new=f"{name}（{stored.size} 字节，sha256 {stored.sha256}）")
        return evidence

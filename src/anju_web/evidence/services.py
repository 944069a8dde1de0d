"""Attach evidence files."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from anju_web.accounts.policy import authorize
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import record
from anju_web.evidence.models import EvidenceFile
from anju_web.evidence.storage import EvidenceRejected, store
from anju_web.regions.models import Region
from anju_web.submissions.cycles import ensure_not_archived
from anju_web.submissions.models import Cycle, Submission


def _may_change(user: Any, cycle: Cycle, region: Region, what: str = "添加") -> Submission | None:
    """Whether ``user`` may add, replace or withdraw the evidence of ``region`` now; the unit's submission."""
    authorize(user, "evidence.add_evidencefile", region)
    # A unit's evidence comes from the unit's own clerk; the province's from its evaluators.
    authorize(user, "reviews.change_judgement" if region.pk == cycle.region_id else "submissions.fill_submission", region)
    ensure_not_archived(cycle)
    if region.pk == cycle.region_id:
        if cycle.signed_at is not None:
            raise EvidenceRejected(f"{cycle}已审定，不能再{what}省级佐证材料")
        return None
    submission = Submission.objects.filter(cycle=cycle, region=region).first()
    if submission is None or not submission.is_editable:
        raise EvidenceRejected(f"该单位的填报不在可修改状态，不能{what}佐证材料")
    return submission


def _target(evidence: EvidenceFile, submission: Submission | None) -> AuditTarget:
    cycle, region = evidence.cycle, evidence.region
    return AuditTarget(AuditObject.evidence, evidence.pk, f"{cycle} › {region.display_name} › {evidence.title}",
                       region, cycle.pk, submission.pk if submission is not None else None)


def withdraw(user: Any, evidence: EvidenceFile, reason: str) -> EvidenceFile:
    """Take a file out of use with a reason; it stays stored and listed as withdrawn (never deleted)."""
    submission = _may_change(user, evidence.cycle, evidence.region, "撤回")
    if not reason.strip():
        raise EvidenceRejected("撤回佐证材料须说明理由")
    with transaction.atomic():
        row = EvidenceFile.objects.select_for_update().get(pk=evidence.pk)
        if row.withdrawn_at is not None:
            raise EvidenceRejected(f"“{row.title}”已撤回")
        row.withdrawn_at, row.withdrawn_by, row.withdraw_reason = timezone.now(), user, reason.strip()
        row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        record(user, AuditAction.evidence_withdrawn, _target(row, submission), field="状态", old="有效", new="已撤回",
               note=row.withdraw_reason)
        evidence.refresh_from_db()
        return row


def attach(user: Any, cycle: Cycle, region: Region, upload: UploadedFile, *, title: str = "",
           program: str = "", item_path: str = "", replaces: EvidenceFile | None = None) -> EvidenceFile:
    """Store a file for ``region`` (optionally tied to an indicator); with ``replaces``, the new file
    takes the old one's place (the old one is withdrawn, kept on record)."""
    submission = _may_change(user, cycle, region, "替换" if replaces is not None else "添加")
    if replaces is not None:
        if replaces.cycle_id != cycle.pk or replaces.region_id != region.pk:
            raise EvidenceRejected("被替换的材料不属于该单位")
        if replaces.withdrawn_at is not None:
            raise EvidenceRejected(f"“{replaces.title}”已撤回，不能再替换")
        if not program:
            program, item_path = replaces.program, replaces.item_path
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
            title=(title.strip() or (replaces.title if replaces is not None else name.rsplit(".", 1)[0]))[:200],
            original_name=name, content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
            uploaded_by=user, replaces=replaces,
        )
        record(user, AuditAction.evidence_uploaded, _target(evidence, submission), field="文件",
               new=f"{name}（{stored.size} 字节，sha256 {stored.sha256}）")
        if replaces is not None:
            old = EvidenceFile.objects.select_for_update().get(pk=replaces.pk)
            if old.withdrawn_at is not None:
                raise EvidenceRejected(f"“{old.title}”已撤回，不能再替换")
            old.withdrawn_at, old.withdrawn_by = timezone.now(), user
            old.withdraw_reason = f"由“{evidence.title}”（{name}）替换"
            old.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
            record(user, AuditAction.evidence_replaced, _target(old, submission), field="文件",
                   old=f"{old.original_name}（sha256 {old.sha256}）", new=f"{name}（sha256 {stored.sha256}）",
                   note=old.withdraw_reason)
        return evidence

"""Evidence files of a cycle, as the user's scope allows."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from anju_web.accounts.policy import region_scope_q
from anju_web.api.schemas import ErrorOut, EvidenceIn, EvidenceOut, ObjectId
from anju_web.evidence.models import EvidenceFile
from anju_web.evidence.services import attach
from anju_web.regions.models import Region
from anju_web.shortcuts import get_cycle_for_units
from anju_web.submissions.models import Cycle

router = Router(tags=["佐证材料"])


@router.get("/cycles/{cycle_id}/evidence", response=list[EvidenceOut], summary="佐证材料（权限范围内）")
def evidence(request: HttpRequest, cycle_id: ObjectId) -> QuerySet[EvidenceFile]:
    cycle = get_cycle_for_units(request, cycle_id, "evidence.view_evidencefile")
    return EvidenceFile.objects.filter(cycle=cycle).current().filter(region_scope_q(request.user, "region__"))


@router.post("/cycles/{cycle_id}/evidence", response={201: EvidenceOut, 422: ErrorOut},
             summary="上传佐证材料（multipart：file 文件，region 区划代码，可选 title、program、item_path）")
def upload_evidence(request: HttpRequest, cycle_id: ObjectId, meta: Form[EvidenceIn],
                    file: File[UploadedFile]) -> Status[EvidenceFile]:
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    region = get_object_or_404(Region, pk=meta.region)
    return Status(201, attach(request.user, cycle, region, file, title=meta.title, program=meta.program,
                              item_path=meta.item_path))

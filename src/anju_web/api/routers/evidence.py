"""Evidence files of a cycle, as the user's scope allows."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router

from anju_web.accounts.policy import region_scope_q
from anju_web.api.schemas import EvidenceOut
from anju_web.evidence.models import EvidenceFile
from anju_web.shortcuts import get_cycle_for_units

router = Router(tags=["佐证材料"])


@router.get("/cycles/{cycle_id}/evidence", response=list[EvidenceOut], summary="佐证材料（权限范围内）")
def evidence(request: HttpRequest, cycle_id: int) -> QuerySet[EvidenceFile]:
    cycle = get_cycle_for_units(request, cycle_id, "evidence.view_evidencefile")
    return EvidenceFile.objects.filter(cycle=cycle).current().filter(region_scope_q(request.user, "region__"))

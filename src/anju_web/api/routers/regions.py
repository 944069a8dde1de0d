"""Regions the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router

from anju_web.accounts.policy import authorize, region_scope_q
from anju_web.api.schemas import RegionOut
from anju_web.regions.models import Region

router = Router(tags=["区划"])


@router.get("/regions", response=list[RegionOut], summary="权限范围内的行政区划")
def regions(request: HttpRequest) -> QuerySet[Region]:
    authorize(request.user, "regions.view_region", None)
    return Region.objects.filter(region_scope_q(request.user))

"""Small helpers shared by the views: fetching objects through the policy, htmx detection."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from anju_web.accounts.policy import authorize
from anju_web.submissions.models import Cycle, Submission


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def get_cycle(request: HttpRequest, cycle_id: int, permission: str | None = "submissions.view_cycle") -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    authorize(request.user, permission, cycle.region)
    return cycle


def get_submission(request: HttpRequest, submission_id: int, permission: str | None = "submissions.view_submission") -> Submission:
    submission = get_object_or_404(Submission.objects.select_related("cycle", "region", "cycle__region"), pk=submission_id)
    authorize(request.user, permission, submission.region)
    return submission


def post_text(request: HttpRequest, name: str) -> str:
    value: Any = request.POST.get(name, "")
    return str(value)

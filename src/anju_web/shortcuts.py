"""Shortcuts for the views and the API (in the manner of :mod:`django.shortcuts`): fetch a cycle
or a submission through the policy (404 outside the user's scope, 403 without the permission),
detect htmx requests, read a posted text field."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from anju.text import clean_text
from anju_web.accounts.policy import authorize, region_scope_q
from anju_web.submissions.models import Cycle, Submission


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _seen(request: HttpRequest, kind: str, pk: int, cycle: Cycle) -> None:
    """Remember a cycle the user was allowed to open, so that the menu (context_processors) need
    not read and check it again."""
    seen: dict[tuple[str, int], Cycle] = request.__dict__.setdefault("anju_seen_cycles", {})
    seen.setdefault((kind, pk), cycle)


def seen_cycle(request: HttpRequest, kind: str, pk: int) -> Cycle | None:
    """The cycle of the ``kind`` ("cycle" or "submission") ``pk`` this request already opened."""
    seen: dict[tuple[str, int], Cycle] = request.__dict__.get("anju_seen_cycles", {})
    return seen.get((kind, pk))


def get_cycle(request: HttpRequest, cycle_id: int, permission: str | None = "submissions.view_cycle") -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    authorize(request.user, permission, cycle.region)
    _seen(request, "cycle", cycle.pk, cycle)
    return cycle


def get_cycle_for_units(request: HttpRequest, cycle_id: int, permission: str = "submissions.view_submission") -> Cycle:
    """A cycle seen through the units of it the user may see (404 when there are none)."""
    cycle = get_object_or_404(Cycle.objects.select_related("region"), pk=cycle_id)
    authorize(request.user, permission, None)
    if not Submission.objects.filter(cycle=cycle).filter(region_scope_q(request.user, "region__")).exists():
        raise Http404("不在您的权限范围内")
    _seen(request, "cycle", cycle.pk, cycle)
    return cycle


def get_submission(request: HttpRequest, submission_id: int, permission: str | None = "submissions.view_submission") -> Submission:
    submission = get_object_or_404(Submission.objects.select_related("cycle", "region", "cycle__region"), pk=submission_id)
    authorize(request.user, permission, submission.region)
    _seen(request, "submission", submission.pk, submission.cycle)
    return submission


def post_text(request: HttpRequest, name: str) -> str:
    value: Any = request.POST.get(name, "")
    return clean_text(str(value))

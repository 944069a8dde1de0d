"""Template context for every page: the signed-in user's role and region, and the cycle the menu
links to. Project-level (like the URL map) because it reads more than one app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from anju_web.accounts.policy import profile_of
from anju_web.reports.todo import todo_count
from anju_web.shortcuts import seen_cycle
from anju_web.submissions.cycles import current_cycle, visible_cycles
from anju_web.submissions.models import Submission


def role_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    profile = profile_of(user)
    nav_cycle = None
    if getattr(user, "is_authenticated", False):
        # The cycle of the page shown (its URL names it), else the one chosen, else the newest open one.
        match = getattr(request, "resolver_match", None)
        cycle_id = match.kwargs.get("cycle_id") if match is not None else None
        submission_id = match.kwargs.get("submission_id") if match is not None else None
        # A cycle the view has already opened through the policy needs no second look.
        if cycle_id is not None:
            nav_cycle = seen_cycle(request, "cycle", cycle_id)
        elif submission_id is not None:
            nav_cycle = seen_cycle(request, "submission", submission_id)
        if nav_cycle is None and cycle_id is None and submission_id is not None:
            cycle_id = Submission.objects.filter(pk=submission_id).values_list("cycle_id", flat=True).first()
        if nav_cycle is None and cycle_id is not None:
            nav_cycle = visible_cycles(user).filter(pk=cycle_id).first()
        if nav_cycle is None:
            nav_cycle = current_cycle(request)
    # The years the user may see, for the year selectors (read only by the pages that show one).
    cycles = SimpleLazyObject(lambda: list(visible_cycles(user)))
    todo = SimpleLazyObject(lambda: todo_count(user, nav_cycle) if nav_cycle is not None else 0)
    return {"todo_count": todo, "visible_cycles": cycles, "current_profile": profile, "current_role": profile.role if profile else None, "nav_cycle": nav_cycle}

"""Template context for every page: the signed-in user's role and region, and the cycle the menu
links to. Project-level (like the URL map) because it reads more than one app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from anju_web.accounts.policy import profile_of
from anju_web.submissions.models import Cycle


def role_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    profile = profile_of(user)
    nav_cycle = Cycle.objects.first() if getattr(user, "is_authenticated", False) else None
    return {"current_profile": profile, "current_role": profile.role if profile else None, "nav_cycle": nav_cycle}

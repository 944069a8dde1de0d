"""帮助: every signed-in user reads every manual; the reader's own role comes first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.safestring import mark_safe

from anju_web.accounts.policy import profile_of
from anju_web.help.manuals import BY_SLUG, IMAGE_STATIC_PREFIX, headings, manuals_for, ordered_for
from anju_web.help.manuals import render as render_manual


def _role(request: HttpRequest) -> str | None:
    profile = profile_of(request.user)
    return profile.role if profile is not None else None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    role = _role(request)
    manuals = [(manual, headings(manual)) for manual in ordered_for(role)]
    own = next((manual.slug for manual in manuals_for(role)), "")
    return render(request, "help/index.html", {"manuals": manuals, "own": own})


@login_required
def page(request: HttpRequest, slug: str) -> HttpResponse:
    manual = BY_SLUG.get(slug)
    if manual is None:
        raise Http404("没有这份手册")
    body = render_manual(manual, lambda name: static(IMAGE_STATIC_PREFIX + name))
    return render(request, "help/page.html", {
        "manual": manual, "body": mark_safe(body),  # markdown-it renders with raw HTML off
        "manuals": ordered_for(_role(request)),
    })

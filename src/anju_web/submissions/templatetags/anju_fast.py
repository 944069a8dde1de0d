"""Hot loops rendered with Jinja2 inside Django templates.

A page such as the unit's form repeats a 60-row table; Django's template engine spends most of
the request there (about 30 µs per node). ``{% jinja "submissions/_figures.html" blocks=blocks %}``
renders that part with the Jinja2 engine configured in settings (templates under
``anju_web/jinja2/``, autoescaped) and inserts the result; the rest of the page stays a Django
template.
"""

from __future__ import annotations

from typing import Any

import jinja2
from django import template
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def jinja(name: str, **context: Any) -> SafeString:
    """Render the Jinja2 template ``name`` with exactly the given variables."""
    backend = engines["jinja2"]
    assert isinstance(backend, Jinja2)
    environment: jinja2.Environment = backend.env
    rendered = environment.get_template(name).render(context)
    return mark_safe(rendered)  # Jinja2 autoescapes every variable

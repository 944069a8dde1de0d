"""The Jinja2 environment for the hot loops that pages render with ``{% jinja %}``
(submissions/templatetags/anju_fast.py): Django's filters these loops need, with the same output."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.text import Truncator
from jinja2 import Environment

from anju_web.audit.models import AuditAction

_ACTIONS = dict(AuditAction.choices)


def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """Like Django's ``|date:"Y-m-d H:i:s"``: the time in the site's time zone (Beijing)."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime(fmt) if timezone.is_aware(value) else value.strftime(fmt)


def truncatechars(value: Any, length: int) -> str:
    """Django's ``|truncatechars`` (an ellipsis counts as one of the characters)."""
    return Truncator(str(value)).chars(length)


def action_label(action: str) -> str:
    """What an audit action reads as (修改数据, 提交 …), as ``get_action_display`` gives it."""
    return str(_ACTIONS.get(action, action))


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # the settings turn autoescape on
    env.filters.update(local_time=local_time, truncatechars=truncatechars, action_label=action_label)
    return env

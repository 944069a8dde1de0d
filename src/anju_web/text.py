"""User text on its way into the database: every text and JSON field of the web system's models
passes :func:`anju.text.clean_text` before it is saved, whichever path wrote it (page, API, Excel,
command, admin). Writers clean again (:mod:`anju_web.exports`, the unit template), so text stored
before this rule existed cannot break an export either."""

from __future__ import annotations

from typing import Any

from django.db import models

from anju.text import clean_text

CLEANED_APPS = {"accounts", "audit", "submissions", "reviews", "evidence", "allocations", "audits", "regions"}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k) if isinstance(k, str) else k: _clean(v) for k, v in value.items()}
    return value


def clean_model_text(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """``pre_save`` receiver."""
    if sender._meta.app_label not in CLEANED_APPS or kwargs.get("raw"):
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
            value = getattr(instance, field.attname)
            cleaned = _clean(value)
            if cleaned != value:
                setattr(instance, field.attname, cleaned)

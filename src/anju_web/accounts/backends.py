"""Django's model backend, reading the signed-in user with its profile and region in one query:
every page reads them (role, scope, menu)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("profile__region").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

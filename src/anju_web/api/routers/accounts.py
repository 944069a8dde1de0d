"""The signed-in user."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from ninja import Router

from anju_web.api.schemas import Me

router = Router(tags=["用户"])


@router.get("/me", response=Me, summary="当前用户与角色")
def me(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    return request.user

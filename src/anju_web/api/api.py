"""JSON API (OpenAPI at /api/openapi.json, interactive docs at /api/docs).

Same services, same permissions and same object scope as the pages: every endpoint fetches its
objects through :mod:`anju_web.shortcuts` (or the service it calls checks them with
:func:`anju_web.accounts.policy.authorize`). Authentication: the browser session (with CSRF for
writes) or ``Authorization: Bearer <token>``. One router per area (:mod:`anju_web.api.routers`);
what goes in and out is declared in :mod:`anju_web.api.schemas`. Every refusal is an
:class:`~anju_web.api.schemas.ErrorOut`: a Chinese ``detail`` and, where several things are wrong,
the ``problems`` in the one problem vocabulary.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from anju.problems import ProblemsError
from anju.scoring import EvaluationError
from anju_web.accounts.services import user_for_token
from anju_web.api.routers import accounts, audit, evidence, regions, reviews, submissions
from anju_web.api.schemas import ErrorOut, error
from anju_web.reviews.assembly import AssemblyError
from anju_web.reviews.services import ReviewError
from anju_web.submissions.services import FigureErrors, NotEditable, StaleVersion
from anju_web.submissions.workflow import TransitionError


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="安居 绩效评价系统 接口",
    version="1.0",
    description="填报、审核、评价、复核与审计日志的 JSON 接口。权限与网页相同：对象不在权限范围内返回 404，无权操作返回 403。",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)

for module in (accounts, regions, submissions, reviews, audit, evidence):
    api.add_router("", module.router)


def _respond(request: HttpRequest, body: ErrorOut, status: int) -> HttpResponse:
    return api.create_response(request, body.model_dump(mode="json"), status=status)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, error(str(exc) or "无权执行此操作"), 403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, error("没有找到该对象，或不在您的权限范围内"), 404)


@api.exception_handler(NotEditable)
@api.exception_handler(StaleVersion)
@api.exception_handler(TransitionError)
@api.exception_handler(ReviewError)
def _conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, error(str(exc)), 409)


@api.exception_handler(FigureErrors)
def _figure_errors(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, ProblemsError)
    return _respond(request, error("数据项填写有误，未保存任何数据", exc.problems), 422)


@api.exception_handler(AssemblyError)
def _assembly_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, ProblemsError)
    return _respond(request, error("各单位的填报汇总后无法计分", exc.problems), 409)


@api.exception_handler(EvaluationError)
def _evaluation_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, ProblemsError)
    return _respond(request, error("有指标无法计分", exc.problems), 409)

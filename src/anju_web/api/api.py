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

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, django_auth

from anju.problems import LoadCode, Problem, ProblemsError, Severity
from anju.scoring import EvaluationError
from anju_web.accounts.services import user_for_token
from anju_web.api.routers import accounts, audit, evidence, regions, reviews, submissions
from anju_web.api.schemas import ErrorOut, error
from anju_web.evidence.storage import EvidenceRejected
from anju_web.reviews.assembly import AssemblyError
from anju_web.reviews.services import ReviewError
from anju_web.submissions.services import FigureErrors, NotEditable, ReplyRefused, StaleVersion
from anju_web.submissions.workflow import TransitionError


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


ERROR_RESPONSES = {
    400: "请求内容无法解析（应为 UTF-8 编码的 JSON 或表单）",
    401: "未登录，或接口令牌无效、已过期、已吊销",
    403: "无权执行此操作（或 CSRF 校验失败）",
    404: "没有找到该对象，或它不在您的权限范围内",
    409: "与当前状态冲突（版本已变、流程不允许等），未做任何修改",
    422: "请求内容不符合接口说明（problems 逐项列出），未做任何修改",
}


class BeijingTimeEncoder(NinjaJSONEncoder):
    """Times as the pages show them: Beijing time with its offset (2022-07-01T09:30:00+08:00)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat(timespec="seconds")
        return super().default(o)


class BeijingTimeRenderer(JSONRenderer):
    encoder_class = BeijingTimeEncoder


class AnjuApi(NinjaAPI):
    """The API whose OpenAPI names every refusal: each operation answers 400/401/403/404/409/422 with
    :class:`~anju_web.api.schemas.ErrorOut` (the body every error handler below writes)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, text in ERROR_RESPONSES.items():
                    if code not in responses and str(code) not in responses:
                        responses[code] = {"description": text, "content": {"application/json": {"schema": ref}}}
        return schema


api = AnjuApi(
    title="安居 绩效评价系统 接口",
    version="1.0",
    description="填报、审核、评价、复核与审计日志的 JSON 接口。权限与网页相同：对象不在权限范围内返回 404，无权操作返回 403。",
    auth=[BearerToken(), django_auth],
    renderer=BeijingTimeRenderer(),
    urls_namespace="api",
)

for module in (accounts, regions, submissions, reviews, audit, evidence):
    api.add_router("", module.router)


def _respond(request: HttpRequest, body: ErrorOut, status: int) -> HttpResponse:
    return api.create_response(request, body.model_dump(mode="json"), status=status)


FIELD_MESSAGES = {
    "missing": "缺少此项",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
}
"""What the request's schema says of a field, in Chinese (pydantic's own words otherwise)."""
SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def field_problem(error_entry: dict[str, Any]) -> Problem:
    """One field of a request that does not fit its schema, as a problem naming the field."""
    loc = [str(part) for part in error_entry.get("loc", ())]
    if loc and loc[0] in SOURCES:
        loc = loc[2:] if len(loc) > 2 else loc[1:]  # drop the source and the parameter's own name
    template = FIELD_MESSAGES.get(str(error_entry.get("type")))
    ctx = dict(error_entry.get("ctx") or {})
    if "expected" in ctx:  # pydantic lists choices as "'a', 'b' or 'c'"
        ctx["expected"] = str(ctx["expected"]).replace("' or '", "、").replace("', '", "、").strip("'")
    try:
        text = template.format(**ctx) if template else str(error_entry.get("msg", ""))
    except (KeyError, IndexError):
        text = str(error_entry.get("msg", ""))
    field = ".".join(loc)
    return Problem(LoadCode.FIELD_INVALID, Severity.error, f"“{field}”{text}" if field else text)


HTTP_MESSAGES = {
    400: "请求内容无法解析：应为 UTF-8 编码的 JSON（或上传文件时的 multipart 表单）",
    401: "请先登录，或在请求头 Authorization: Bearer 中提供有效的接口令牌（令牌可能已过期或已吊销）",
    403: "您的角色无权执行此操作",
    404: "没有找到该对象，或它不在您的权限范围内",
    405: "该地址不支持此请求方法",
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Ninja's own refusals (no credentials, a failed CSRF check) in Chinese, in the declared shape."""
    assert isinstance(exc, HttpError)
    status = exc.status_code
    if status == 403 and "CSRF" in str(exc):
        detail = "表单校验令牌（CSRF）无效或缺失：网页会话调用接口须带 X-CSRFToken 请求头，或改用接口令牌"
    else:
        detail = HTTP_MESSAGES.get(status, "请求无法处理")
    return _respond(request, error(detail), status)


@api.exception_handler(ValidationError)
def _invalid_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    assert isinstance(exc, ValidationError)
    return _respond(request, error("请求内容不符合接口说明", [field_problem(e) for e in exc.errors]), 422)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, error(str(exc) or "无权执行此操作"), 403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, error("没有找到该对象，或不在您的权限范围内"), 404)


@api.exception_handler(EvidenceRejected)
def _evidence_rejected(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(request, error(f"未上传：{exc}"), 422)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A number the database cannot hold (a last line of defence: the schemas bound ids and offsets)."""
    return _respond(request, error("请求中的数值超出允许范围"), 422)


@api.exception_handler(ReplyRefused)
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

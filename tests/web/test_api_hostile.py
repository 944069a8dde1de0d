"""No 500 anywhere in the API (review m2, m3, m11): every operation of the OpenAPI, for a clerk and an
evaluator, with hostile path and query parameters (huge integers, text for numbers, unknown
programs and items, very long strings) and hostile bodies. Every refusal is JSON in the declared
ErrorOut shape; a 422 lists its problems in Chinese."""

from __future__ import annotations

import itertools
import json
import re

import jsonschema_rs
import pytest
from django.test import Client

from anju_web.accounts.services import issue_token
from anju_web.api.api import api as ninja_api

from .conftest import unit, user

pytestmark = pytest.mark.django_db

HOSTILE_IDS = ["0", "-1", "abc", "99999999999999999999", "9223372036854775808", "1.5", "%20", "999999"]
HOSTILE_TEXT = ["nonexistent", "rental", "x" * 300, "..", "%00", "外"]
HOSTILE_QUERIES = [
    {"offset": "99999999999999999999"}, {"offset": "-1"}, {"limit": "abc"}, {"limit": "0"}, {"limit": "100000"},
    {"cycle": "abc"}, {"cycle": "99999999999999999999"}, {"object_type": "nonexistent"}, {"region": "x" * 500},
]
HOSTILE_BODIES = [
    "", "{", "[]", "null", json.dumps({}),
    json.dumps({"version": 2**70, "figures": [{"program": "rental", "figure": "violations", "value": "1_328"}]}),
    json.dumps({"version": "abc", "figures": "x"}),
    json.dumps({"version": 0, "figures": [{"program": "nonexistent", "figure": "x", "value": "1e999999"}],
                "no_task": ["nonexistent"]}),
    json.dumps({"verb": "nonexistent"}), json.dumps({"verb": "return", "items": [{"program": "x", "figure": "y",
                                                                                  "reason": ""}]}),
    json.dumps({"program": "nonexistent", "item_path": "x", "proposed_score": "NaN", "reason": "x"}),
    json.dumps({"program": "rental", "item_path": "fund_management", "proposed_score": "1_0", "reason": "x"}),
    json.dumps({"text": "x", "submission": 99999999999999999999, "program": "nonexistent", "item_path": "x"}),
    json.dumps({"version": 0, "points": "Infinity", "clauses": {"x": "abc"}}),
    json.dumps({"accept": "maybe"}), json.dumps({"text": "\u0000\u000b"}),
]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/ErrorOut",
                  "components": ninja_api.get_openapi_schema()["components"]}


def _operations(client: Client) -> list[tuple[str, str, dict[str, object]]]:
    schema = client.get("/api/openapi.json").json()
    return [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def _fill(path: str, op: dict[str, object], values: dict[str, str]) -> str:
    for parameter in op.get("parameters", []):  # type: ignore[attr-defined]
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", values.get(parameter["name"], "1"))
    return path


def _check(response, what: str) -> None:
    assert response.status_code < 500, f"{what} → {response.status_code}"
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), what
        body = response.json()
        jsonschema_rs.validate(PROBLEM_SCHEMA, body)  # the declared problem schema (schemathesis brings the validator)
        assert CHINESE.search(body["detail"]), f"{what}: {body['detail']}"
        for problem in body["problems"]:
            assert CHINESE.search(problem["message"]), f"{what}: {problem['message']}"


@pytest.mark.parametrize("username", ["clerk-220122", "evaluator-finance"])
def test_every_operation_survives_hostile_parameters(cycle, username):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user(username), '模糊测试')}")
    real = {"cycle_id": str(cycle.pk), "submission_id": str(unit(cycle, "220122").pk)}
    checked = 0
    for method, path, op in _operations(api):
        names = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]  # type: ignore[attr-defined]
        combos: list[dict[str, str]] = [dict(real)]
        for name in names:
            pool = HOSTILE_TEXT if name in {"program", "item_path"} else HOSTILE_IDS
            combos += [{**real, name: value} for value in pool]
        queries = HOSTILE_QUERIES if method == "get" else [{}]
        bodies = HOSTILE_BODIES if method in {"put", "post"} else [None]
        for values, query, body in itertools.product(combos, queries, bodies[:1] if len(combos) > 1 else bodies):
            url = _fill(path, op, values)
            send = getattr(api, method)
            if body is None:
                response = send(url, query) if method == "get" else send(url)
            else:
                response = send(url, data=body, content_type="application/json")
            _check(response, f"{username} {method.upper()} {url} {query} {body and body[:60]}")
            checked += 1
        for body in bodies[1:] if len(combos) > 1 else []:
            url = _fill(path, op, real)
            _check(getattr(api, method)(url, data=body, content_type="application/json"),
                   f"{username} {method.upper()} {url} {body[:60]}")
            checked += 1
    assert checked > 300


def test_a_validation_error_is_chinese_and_names_the_field(cycle):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user('clerk-220122'), '对接')}")
    sub = unit(cycle, "220122")
    response = api.put(f"/api/submissions/{sub.pk}/figures", data=json.dumps({"figures": "x"}),
                       content_type="application/json")
    assert response.status_code == 422
    messages = [p["message"] for p in response.json()["problems"]]
    assert any("“version”缺少此项" in m for m in messages) and any("“figures”应为列表" in m for m in messages), messages
    huge = api.get("/api/audit", {"offset": "99999999999999999999"})
    assert huge.status_code == 422 and "offset" in huge.json()["problems"][0]["message"]


def test_openapi_documents_every_refusal_with_the_problem_schema(client):
    schema = client.get("/api/openapi.json").json()
    assert "ErrorOut" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for code in ("401", "403", "404", "409", "422"):
                declared = op["responses"].get(code)
                assert declared, f"{method} {path} {code}"
                assert declared["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}


def test_api_times_are_beijing_time(cycle):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user('evaluator-finance'), '对接')}")
    run = api.get(f"/api/cycles/{cycle.pk}/evaluations/latest").json()
    assert run["created_at"].endswith("+08:00"), run["created_at"]
    [event, *_] = api.get("/api/audit", {"limit": "1"}).json()
    assert event["at"].endswith("+08:00"), event["at"]

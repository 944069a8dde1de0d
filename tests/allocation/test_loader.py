"""Allocation methods: the built-in ones, one broken fixture per loader error (file and line), the schema."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from anju.allocation import MethodError, builtin_method, builtin_method_ids, load_method
from anju.allocation.describe import method_lines
from anju.allocation.loader import method_json_schema
from anju.allocation.models import HUNDRED, Provenance, provenances

from .helpers import FIXTURES

BROKEN = FIXTURES / "broken"
EXPECTED: dict[str, list[object]] = json.loads((BROKEN / "expected.json").read_text(encoding="utf-8"))


def test_four_builtin_methods_each_adding_up_to_100() -> None:
    assert builtin_method_ids() == ["2019", "2020", "2022", "2024"]
    for method_id in builtin_method_ids():
        method = builtin_method(method_id)
        for program in method.programs:
            assert program.task_share + program.reward_share == HUNDRED, (method_id, program.id)


def test_the_published_and_the_assumed_weights_are_tagged_so() -> None:
    for method_id in ("2019", "2020"):
        renovation = builtin_method(method_id).program("renovation")
        assert {f.provenance for f in renovation.factors} == {Provenance.official}
    for method_id in ("2022", "2024"):
        method = builtin_method(method_id)
        assumed = [f for p in method.programs for f in p.factors if len(p.factors) > 1]
        assert assumed and all(f.provenance is Provenance.assumed for f in assumed), method_id
        assert method.assumed()
        assert all(p.reward is not None and p.reward.share == 20 for p in method.programs)
        assert any("假设" in line for line in method_lines(method))


def test_every_number_has_a_provenance() -> None:
    for method_id in builtin_method_ids():
        tags = provenances(builtin_method(method_id))
        assert tags and all(isinstance(t, Provenance) for t in tags)


def test_2022_factors_use_the_2022_framework_figures() -> None:
    from anju.framework import builtin_framework

    method = builtin_method("2022")
    framework = builtin_framework("2022")
    assert method.framework == "2022"
    for program in method.programs:
        known = {f.id for f in framework.program(program.id).figures}
        assert {f.figure for f in program.factors} <= known


def test_2024_has_four_programs_and_names_the_scores_it_borrows() -> None:
    method = builtin_method("2024")
    assert method.program_ids == ["housing_security", "urban_village", "renovation", "shantytown"]
    assert method.score_programs == ["rental", "renovation", "shantytown"]
    assert method.score_label("rental") == "住房租赁保障"


def test_valid_fixture_loads() -> None:
    method = load_method(FIXTURES / "valid.yaml")
    assert method.program("renovation").task_share == Decimal(80)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_refused_with_file_and_line(name: str) -> None:
    path = BROKEN / f"{name}.yaml"
    with pytest.raises(MethodError) as info:
        load_method(path)
    text, line, code = EXPECTED[name]
    found = [p for p in info.value.problems if str(text) in p.message]
    assert found, [p.message for p in info.value.problems]
    problem = found[0]
    assert problem.where.file is not None and problem.where.file.endswith(f"{name}.yaml")
    assert problem.where.line == line, str(problem)
    assert problem.code == code
    assert f"{name}.yaml:{line}" in str(problem)


def test_every_loader_check_has_a_fixture() -> None:
    codes = {code for _, _, code in EXPECTED.values()}
    assert {"WEIGHTS_NOT_100", "FIGURE_UNDECLARED", "SCORE_WEIGHTS_NOT_100", "BANDS_INVALID", "COEFFICIENT_MISSING",
            "DUPLICATE_KEY", "YAML_SYNTAX", "FIELD_INVALID", "INCONSISTENT"} <= codes


def test_unknown_builtin_names_the_available_ones() -> None:
    with pytest.raises(MethodError) as info:
        builtin_method("1999")
    assert "2019、2020、2022、2024" in info.value.problems[0].message


def test_json_schema_describes_the_method() -> None:
    schema = json.loads(method_json_schema())
    assert schema["title"] == "FactorMethod"
    assert {"programs", "rounding", "performance_coefficient"} <= set(schema["properties"])

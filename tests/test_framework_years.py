"""Every year's framework: 2020, 2022 and 2024 load, tag every rule, and their example datasets
evaluate and report end to end with their own program count and appendix tables."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from anju.cli import app
from anju.collect.validation import builtin_rules
from anju.framework import builtin_framework, builtin_years
from anju.framework.models import Provenance

from .helpers import ROOT

runner = CliRunner()

PROGRAMS = {
    "2020": ["public_housing_shantytown", "renovation", "rental_market"],
    "2022": ["rental", "renovation", "shantytown"],
    "2024": ["housing_security", "urban_village", "renovation", "dilapidated"],
}
EXAMPLES = {
    "2020": ROOT / "examples" / "sample-2020",
    "2022": ROOT / "examples" / "jilin-2022",
    "2024": ROOT / "examples" / "sample-2024",
}
NEW_YEARS = [year for year in PROGRAMS if year != "2022"]


def test_builtin_years_are_listed() -> None:
    assert set(PROGRAMS) <= set(builtin_years())


@pytest.mark.parametrize("year", sorted(PROGRAMS))
def test_year_loads_with_its_programs_each_out_of_100(year: str) -> None:
    framework = builtin_framework(year)
    assert framework.year == int(year)
    assert [p.id for p in framework.programs] == PROGRAMS[year]
    for program in framework.programs:
        assert program.points == Decimal(100)
    assert framework.appendix.tables, "每个年度都声明附件统计表"
    assert builtin_rules(framework).rules, "每个年度都有填报校验规则"


@pytest.mark.parametrize("year", NEW_YEARS)
def test_reconstructed_years_tag_every_rule_with_a_note(year: str) -> None:
    """No official table was obtainable: nothing in a reconstructed year may claim to be official or
    read in the seed, and every rule says why its numbers are what they are."""
    framework = builtin_framework(year)
    for program in framework.programs:
        for path, item in program.items():
            assert item.provenance in (Provenance.assumed, Provenance.inferred), f"{program.id}.{path}"
            if item.rule is not None and item.rule.kind != "sum":
                assert item.rule.provenance in (Provenance.assumed, Provenance.inferred), f"{program.id}.{path}"
                assert item.rule.note, f"{program.id}.{path} 的规则没有说明"


@pytest.mark.parametrize("year", sorted(EXAMPLES))
def test_example_evaluates_and_reports_with_its_programs(year: str, tmp_path: Path) -> None:
    framework = builtin_framework(year)
    result = runner.invoke(app, ["evaluate", str(EXAMPLES[year]), "-o", str(tmp_path / "evaluation.json")])
    assert result.exit_code == 0, result.output
    totals = next(line for line in result.output.splitlines() if line.startswith("总分："))
    for program in framework.programs:
        assert program.label in totals
    result = runner.invoke(app, ["report", str(EXAMPLES[year]), "-o", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    (text,) = (tmp_path / "report").glob("*说明.txt")
    body = text.read_text(encoding="utf-8")
    numerals = "一二三四五六"
    for index, program in enumerate(framework.programs):
        assert f"{numerals[index]}、{program.label}绩效评价情况" in body
    (book,) = (tmp_path / "report").glob("*附件*统计表.xlsx")
    assert load_workbook(book).sheetnames == [table.sheet for table in framework.appendix.tables]


@pytest.mark.parametrize("year", NEW_YEARS)
def test_samples_are_labelled_as_sample_data(year: str) -> None:
    text = (EXAMPLES[year] / "dataset.yaml").read_text(encoding="utf-8")
    assert "示例数据" in text.splitlines()[0]

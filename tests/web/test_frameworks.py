"""The framework catalogue (every role reads it) and a 2024 cycle with four programs run end to end
through the web: loaded from an example dataset, scored, its evaluation page and documents."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import yaml

from anju.collect.regions import builtin_region_tree
from anju.collect.units import UnitProgram, UnitReport, UnitsFile, dump_units
from anju.dataset import load_dataset
from anju.framework import builtin_framework
from anju_web.demo import load_example
from anju_web.submissions.models import Cycle

from .conftest import ROLE_USERS, ROOT, client_for

pytestmark = pytest.mark.django_db
SAMPLE_2024 = ROOT / "examples" / "sample-2024"


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_every_role_reads_the_catalogue(role: str) -> None:
    client = client_for(ROLE_USERS[role])
    page = client.get("/frameworks/").content.decode()
    for year in ("2020", "2022", "2024"):
        assert builtin_framework(year).label in page
    detail = client.get("/frameworks/2024/").content.decode()
    assert "城市危旧房改造" in detail and "假设" in detail and builtin_framework("2024").digest in detail
    diff = client.get("/frameworks/diff/?a=2022&b=2024").content.decode()
    assert "新增项目：城市危旧房改造" in diff and "延续住房租赁保障" in diff


def test_unknown_framework_is_404() -> None:
    assert client_for(ROLE_USERS["county_clerk"]).get("/frameworks/1999/").status_code == 404


def test_the_catalogue_needs_a_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/frameworks/").status_code == 302


def _jilin_2024(tmp_path: Path) -> Path:
    """The 2024 sample as a Jilin 2024 cycle (示例数据): the province's figures reported by 长春市本级,
    every other unit 无此项任务, so the web's aggregation gives the sample's figures back."""
    text = (SAMPLE_2024 / "dataset.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["region"] = {"code": "220000", "name": "吉林省"}
    data["title"] = "吉林省2024年度绩效评价（示例数据）"
    (tmp_path / "dataset.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    dataset, framework = load_dataset(tmp_path)
    tree = builtin_region_tree("220000")
    units: dict[str, UnitReport] = {}
    for unit in tree.reporting_units(2024):
        programs: dict[str, UnitProgram] = {}
        for program in framework.programs:
            if unit.code != "220100":
                programs[program.id] = UnitProgram(no_task=True)
                continue
            figures = {}
            answers = {}
            for spec in program.figures:
                if spec.aggregation.asks_units:
                    if spec.aggregation.question:
                        answers[spec.id] = True
                    continue
                figures[spec.id] = dataset.programs[program.id].figures[spec.id]
            programs[program.id] = UnitProgram(figures=figures, answers=answers)
        units[unit.code] = UnitReport(name=unit.name, programs=programs)
    file = UnitsFile(framework="2024", region="220000", year=2024, example=True, units=units)
    (tmp_path / "units.yaml").write_text(dump_units(file), encoding="utf-8")
    return tmp_path


def test_a_2024_cycle_runs_end_to_end(tmp_path: Path) -> None:
    cycle = load_example(_jilin_2024(tmp_path))
    framework = builtin_framework("2024")
    assert cycle.framework_id == "2024" and cycle.framework_digest == framework.digest
    client = client_for(ROLE_USERS["province_evaluator"])
    response = client.post(f"/cycles/{cycle.pk}/evaluation/run/")
    assert response.status_code in (200, 302)
    page = client.get(f"/cycles/{cycle.pk}/evaluation/").content.decode()
    for program in framework.programs:
        assert program.label in page
    assert framework.label in page and framework.digest[:12] in page
    assert "财政部预算绩效评价等级" in page
    run = Cycle.objects.get(pk=cycle.pk).runs.first()
    assert run is not None and run.framework_hash == framework.digest
    assert [p["id"] for p in run.result["programs"]] == [p.id for p in framework.programs]
    book = client.get(f"/cycles/{cycle.pk}/documents/appendix/")
    assert book.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
    assert sheets == [t.sheet for t in framework.appendix.tables]
    scores = client.get(f"/cycles/{cycle.pk}/documents/score-table/")
    assert scores.status_code == 200
    assert set(openpyxl.load_workbook(io.BytesIO(scores.content)).sheetnames) >= {p.label for p in framework.programs}

"""Campaign 5: the report writer. Awkward texts (any Unicode, markup, control characters, the
longest allowed titles and names) with a write failure injected at a random step, and kills of a
real ``anju report`` process during rendering. Whatever happens: the destination holds the old
set or the complete new one — never a mix, never a 0-byte file — the staging directory does not
stay, and a failure is a :class:`FileWriteError` naming the path with a Chinese reason."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

import anju.adapters.report as report_module
from anju.adapters.report import write_report
from anju.dataset import Dataset
from anju.fields import REGION_NAME_MAX_CHARS, TITLE_MAX_CHARS
from anju.files import FileWriteError
from anju.framework import Framework
from anju.scoring import evaluate

from ..helpers import EXAMPLE
from .fuzzing import CJK, TALLY, campaign_settings

pytestmark = pytest.mark.fuzz

STEPS = ("render_charts", "write_docx", "render_markdown", "render_text", "write_score_workbook", "write_appendix_workbook")
texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=TITLE_MAX_CHARS)
names = st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=REGION_NAME_MAX_CHARS)
                  .filter(lambda t: t.strip()), st.sampled_from(["吉林省", "农安[draft]", "o[/x]", "a/b\\c", "..", "长" * 40]))


def snapshot(directory: Path) -> dict[str, str]:
    if not directory.exists():
        return {}
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.rglob("*"))
            if p.is_file()}


def staging_left(directory: Path) -> list[Path]:
    return list(directory.parent.glob(f".{directory.name}.anju-*.tmp"))


@pytest.fixture(scope="session")
def old_set(tmp_path_factory: pytest.TempPathFactory, jilin: tuple[Dataset, Framework]) -> Path:
    dataset, framework = jilin
    target = tmp_path_factory.mktemp("old") / "report"
    write_report(evaluate(framework, dataset), framework, dataset, target, charts=True)
    return target


def _failing(step: str) -> Any:
    real = getattr(report_module, step)

    def fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # the step writes (into the staging directory), then the disk fills up
        raise OSError(errno.ENOSPC, "No space left on device", str(args[-1] if args else "x"))

    return fail


@given(title=texts, region=names, narrative=texts, fault=st.sampled_from([None, None, *STEPS]), over_old=st.booleans())
@campaign_settings("report")
def test_a_report_is_written_whole_or_not_at_all(title: str, region: str, narrative: str, fault: str | None, over_old: bool,
                                                 jilin: tuple[Dataset, Framework], old_set: Path,
                                                 tmp_path_factory: pytest.TempPathFactory) -> None:
    dataset, framework = jilin
    data = dataset.programs["rental"]
    changed = dataset.model_copy(update={
        "title": title, "region": dataset.region.model_copy(update={"name": region}),
        "programs": {**dataset.programs, "rental": data.model_copy(update={"narrative": {**data.narrative,
                                                                                          "fund_management.fund_raising": narrative}})},
    })
    target = tmp_path_factory.mktemp("report") / "out"
    if over_old:
        shutil.copytree(old_set, target)
    before = snapshot(target)
    with ExitStack() as stack:
        if fault is not None:
            stack.enter_context(mock.patch.object(report_module, fault, _failing(fault)))
        try:
            files = write_report(evaluate(framework, changed), framework, changed, target, charts=True)  # every step runs
        except FileWriteError as exc:
            TALLY.record("report", f"failed at {fault}")
            assert fault is not None
            assert CJK.search(exc.problems[0].message) and "磁盘空间不足" in exc.problems[0].message
            assert snapshot(target) == before  # the old set (or nothing) stays, untouched
            assert not staging_left(target)
            return
    TALLY.record("report", "written")
    assert fault is None
    assert not staging_left(target)
    listed = [path for _label, path in files.listing()]
    for path in listed:
        assert path.is_file() and path.stat().st_size > 0, path
        assert target in path.parents
    assert Document(str(files.docx)).core_properties.title is not None
    if over_old:  # the new set replaced the old one; no chart of the old set stays beside it
        charts = {p.name for p in (target / "图表").iterdir()}
        assert charts == {c.path.name for c in files.charts}


@given(delay=st.floats(0.3, 4.0), data=st.data())
@campaign_settings("kill")
def test_a_killed_report_leaves_the_old_set_or_the_new(delay: float, data: Any, old_set: Path,
                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    target = tmp_path_factory.mktemp("kill") / "out"
    if data.draw(st.booleans()):
        shutil.copytree(old_set, target)
    before = snapshot(target)
    process = subprocess.Popen([sys.executable, "-c", "from anju.cli import main; main()", "report", str(EXAMPLE), "-o",
                                str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    time.sleep(delay)
    killed = process.poll() is None
    if killed:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    after = snapshot(target)
    TALLY.record("kill", "killed" if killed else "finished first")
    if after != before:  # the new set arrived: complete, nothing empty
        for name in after:
            assert (target / name).stat().st_size > 0, name
        assert set(after) == set(snapshot(old_set))  # every file of a complete set, nothing else
    code = subprocess.run([sys.executable, "-c", "from anju.cli import main; main()", "report", str(EXAMPLE), "-o", str(target)],
                          capture_output=True, timeout=120, check=False).returncode
    assert code == 0
    assert not staging_left(target)  # the next run removed what the killed one left

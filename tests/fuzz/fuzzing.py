"""What the fuzz campaigns share: their hypothesis settings, the tally of inputs and outcomes that
the session prints (and writes to $ANJU_FUZZ_SUMMARY), and the promises every outcome must keep.

Profiles (``ANJU_FUZZ_PROFILE``): ``ci`` — a few minutes in ``make test``, derandomized (the same
inputs every run); ``long`` — ``make fuzz``, many more inputs from the seed ``make fuzz`` passes.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from pathlib import Path

from hypothesis import HealthCheck, settings

from anju.cli.common import EXIT_CODES, EXIT_INTERNAL
from anju.problems import Problem

PROFILE = os.environ.get("ANJU_FUZZ_PROFILE", "ci")
EXAMPLES = {
    "ci": {"workbook": 80, "workbook_cli": 12, "dataset": 60, "units": 30, "framework": 40, "report": 4, "kill": 2,
           "boundary": 300},
    "long": {"workbook": 2500, "workbook_cli": 200, "dataset": 1200, "units": 500, "framework": 1500, "report": 60, "kill": 20,
             "boundary": 5000},
}[PROFILE]
HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.large_base_example]


def campaign_settings(name: str) -> settings:
    return settings(max_examples=EXAMPLES[name], deadline=None, derandomize=PROFILE == "ci", database=None,
                    suppress_health_check=HEALTH, print_blob=True)


CJK = re.compile(r"[\u4e00-\u9fff]")
LIBRARY_ENGLISH = re.compile(
    r"Traceback|Error:|Exception|Invalid value|Usage:|should be|Input should|found character|expected <|while parsing|"
    r"could not|Cannot|unacceptable|cannot|is not|not allowed|zlib|calamine|sheetData|Decimal\(|datetime\.")


class Tally:
    """Inputs tried and outcomes per campaign."""

    def __init__(self) -> None:
        self.inputs: Counter[str] = Counter()
        self.outcomes: dict[str, Counter[str]] = defaultdict(Counter)

    def record(self, campaign: str, outcome: str) -> None:
        self.inputs[campaign] += 1
        self.outcomes[campaign][outcome] += 1

    def lines(self) -> list[str]:
        return [f"{name}: {count} inputs — " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes[name].items()))
                for name, count in sorted(self.inputs.items())]

    def write(self) -> None:
        target = os.environ.get("ANJU_FUZZ_SUMMARY")
        if target:
            payload = {"profile": PROFILE, "campaigns": {n: {"inputs": c, "outcomes": dict(self.outcomes[n])}
                                                         for n, c in self.inputs.items()}}
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(target).write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


TALLY = Tally()


def check_problem(problem: Problem, file_name: str) -> None:
    """A refusal a user can act on: Chinese, no library English or reprs, naming the file."""
    text = str(problem)
    assert CJK.search(problem.message), text
    assert not LIBRARY_ENGLISH.search(problem.message), text
    assert problem.where.file is not None and file_name in problem.where.file, text


def check_cli(code: int, out: str) -> None:
    """A command's answer: a code of the contract (never 70: an internal error is a defect), no
    traceback, no library English."""
    assert code in EXIT_CODES and code != EXIT_INTERNAL, out
    assert "Traceback" not in out, out
    assert not LIBRARY_ENGLISH.search(out.replace("[OPTIONS]", "")), out

"""schemathesis over the OpenAPI against a live server on 127.0.0.1, with a clerk's and an
evaluator's token (issue 16 item 9): no 5xx, no response outside the declared schema, status
codes and content types as documented. Bounded (5 cases per operation, fixed seed) so that it
finishes in about a minute; ``make schemathesis`` runs more cases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_finds_no_server_error_and_no_schema_violation(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "api_schemathesis.py"), "--max-examples", "5",
                             "--out", str(tmp_path)], capture_output=True, text=True, timeout=300, check=False)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) == {"clerk-220122", "evaluator-finance"}, result.stderr[-2000:]
    for name, counts in summary.items():
        report = (tmp_path / f"{name}.txt").read_text(encoding="utf-8")
        assert counts["cases"] > 200, report[-3000:]
        assert counts["server_errors"] == 0 and counts["schema_violations"] == 0, report[-5000:]
        assert counts["failing_cases"] == 0 and counts["exit_code"] == 0, report[-5000:]
    assert result.returncode == 0

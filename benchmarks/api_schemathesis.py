"""Bounded schemathesis run over the web system's OpenAPI (issue 16 item 9).

Run: ``.venv/bin/python benchmarks/api_schemathesis.py`` (or ``make schemathesis``).

It creates a fresh data directory, migrates it, loads the Jilin 2022 example (demo passwords kept),
mints one API token for a county clerk and one for a provincial evaluator, starts gunicorn on
127.0.0.1 (only the loopback address is ever contacted) and runs schemathesis once per token with
a fixed seed and a bounded number of cases per operation. Checks: no server error (5xx), responses
that match the declared schema, status codes and content types the OpenAPI declares. It prints
and writes (out/schemathesis/summary.json, with each run's full output beside it) the counts per
token, and exits 1 when any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
TOKENS = """
from django.contrib.auth.models import User
from anju_web.accounts.services import issue_token
import json
print(json.dumps({name: issue_token(User.objects.get(username=name), "schemathesis")
                  for name in ("clerk-220122", "evaluator-finance")}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _counts(text: str) -> dict[str, int]:
    """Cases, failing cases, server errors and failures per check from schemathesis' summary."""
    generated = re.search(r"(\d+) generated(?:, (\d+) found (\d+) unique failures?)?", text)
    checks = {name.strip(): int(n) for name, n in re.findall(r"❌ (\w+ [^:\n]+): (\d+)", text)}
    return {
        "cases": int(generated.group(1)) if generated else 0,
        "failing_cases": int(generated.group(2) or 0) if generated else 0,
        "server_errors": sum(n for name, n in checks.items() if "Server error" in name),
        "schema_violations": sum(n for name, n in checks.items() if "schema" in name.lower()),
        "other_failures": sum(n for name, n in checks.items() if "Server error" not in name and "schema" not in name.lower()),
    }


def run(max_examples: int, seed: int, out: Path) -> dict[str, dict[str, int]]:
    data_dir = Path(tempfile.mkdtemp(prefix="anju-web-schemathesis-"))
    env = {**os.environ, "ANJU_WEB_DATA_DIR": str(data_dir), "ANJU_WEB_DEBUG": "0", "ANJU_WEB_SECURE_COOKIES": "0",
           "ANJU_WEB_ALLOWED_HOSTS": HOST, "DJANGO_SETTINGS_MODULE": "anju_web.settings"}
    for name in ("ANJU_WEB_DATABASE_URL", "DATABASE_URL", "PYTEST_VERSION"):
        env.pop(name, None)
    manage = [str(BIN / "anju-web")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo", "--keep-demo-password"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    tokens = json.loads(subprocess.run([*manage, "shell", "-v", "0", "-c", TOKENS], env=env, check=True, cwd=ROOT,
                                       capture_output=True, text=True).stdout.strip().splitlines()[-1])
    port = free_port()
    base = f"http://{HOST}:{port}"
    out.mkdir(parents=True, exist_ok=True)
    server_log = (out / "server.log").open("w", encoding="utf-8")  # the 4xx lines of every refused case
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "anju_web.wsgi:application", "-b", f"{HOST}:{port}", "-w", "2", "--threads", "2",
         "--timeout", "120", "--log-level", "warning"], env=env, cwd=ROOT, stdout=server_log, stderr=server_log)
    summary: dict[str, dict[str, int]] = {}
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/api/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("服务未能启动")
        for name, token in tokens.items():
            started = time.perf_counter()
            result = subprocess.run(
                [str(BIN / "schemathesis"), "run", f"{base}/api/openapi.json", "-H", f"Authorization: Bearer {token}",
                 "-c", CHECKS, "-n", str(max_examples), "--seed", str(seed), "-w", "1", "--no-color",
                 "--phases", "examples,coverage,fuzzing", "--generation-database", "none",
                 "--request-timeout", "30"],
                cwd=ROOT, capture_output=True, text=True, check=False)
            (out / f"{name}.txt").write_text(result.stdout + result.stderr, encoding="utf-8")
            counts = _counts(result.stdout)
            counts["exit_code"] = result.returncode
            counts["seconds"] = round(time.perf_counter() - started)
            summary[name] = counts
            print(f"{name}：{counts['cases']} 个用例，失败 {counts['failing_cases']} 个（5xx {counts['server_errors']}，"
                  f"不符合响应结构 {counts['schema_violations']}，其他 {counts['other_failures']}），"
                  f"退出码 {result.returncode}，{counts['seconds']} 秒", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server_log.close()
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description="有界的 schemathesis 接口测试（只访问 127.0.0.1）")
    parser.add_argument("--max-examples", type=int, default=15, help="每个接口最多生成的用例数")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "schemathesis")
    args = parser.parse_args()
    summary = run(args.max_examples, args.seed, args.out)
    failed = any(c["exit_code"] != 0 or c["failing_cases"] or not c["cases"] for c in summary.values())
    print("有检查未通过，详见 " + str(args.out) if failed else "schemathesis：没有 5xx，没有不符合接口说明的响应。")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

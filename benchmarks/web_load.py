"""Load benchmark of the web system: 50 concurrent simulated users browsing and saving.

Run: ``.venv/bin/python benchmarks/web_load.py`` (or ``make bench-web``).

It creates a fresh data directory, migrates it, loads the Jilin 2022 example, gives each of the
48 reporting units its own clerk account, starts gunicorn on 127.0.0.1 (only the loopback
address is ever contacted) and runs, in threads with httpx:

* 48 county clerks: open their unit's form, save every figure with one changed (a real,
  validated, audited write) — ``--iterations`` times each;
* 1 provincial evaluator and 1 supervision-bureau reviewer: dashboard, scores with traces,
  completeness board and audit log, in turn.

Every loop is bounded by ``--iterations`` and by ``--time-limit`` seconds. It reports the count,
errors and p50/p95/max latency per request kind, and writes them to out/bench/web_load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "anju-demo-2022"
HOST = "127.0.0.1"

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')

SETUP = """
from django.contrib.auth.models import User
from anju_web.accounts.roles import Role
from anju_web.accounts.services import assign_role
from anju_web.submissions.models import Submission
import json
units = []
for submission in Submission.objects.select_related("region").order_by("region__position"):
    region = submission.region
    name = f"bench-{region.code}"
    user, created = User.objects.get_or_create(username=name)
    if created:
        user.set_password("__PASSWORD__")
        user.save()
    assign_role(user, Role.county_clerk, region, department=region.name)
    units.append([name, submission.pk])
Submission.objects.update(status="draft")  # every unit editable: each save is a real, validated write
from anju_web.submissions.models import Cycle
print(json.dumps({"units": units, "cycle": Cycle.objects.get().pk}))
""".replace("__PASSWORD__", PASSWORD)


INPUT_RE = re.compile(r'<input type="text" inputmode="decimal" name="(f-[a-z_]+-[a-z_0-9]+)" id="[^"]*" value="([^"]*)"')
CHECKED_RE = re.compile(r'<input type="checkbox" name="((?:na|no-task)-[a-z_0-9-]+)" value="1"[^>]*\bchecked')


CHECK = """
from anju_web.submissions.models import Submission
print(sum(1 for s in Submission.objects.all() if any(i["severity"] == "error" for i in s.issues)))
"""


def figures_form(page: str, version: str, csrf: str, seed: int) -> dict[str, str]:
    """Every figure of the unit's form as it stands, with one changed (so that each save writes,
    validates and audits a real change)."""
    data = {"csrfmiddlewaretoken": csrf, "version": version}
    data.update(dict(INPUT_RE.findall(page)))
    data.update(dict.fromkeys(CHECKED_RE.findall(page), "1"))
    data["f-rental-violations"] = str(seed % 3)
    return data


@dataclass
class Recorder:
    samples: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, call: object) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response: httpx.Response = call()  # type: ignore[operator]
        except httpx.HTTPError as exc:
            self.add(kind, time.perf_counter() - start, f"{kind}: {exc!r}")
            return None
        elapsed = time.perf_counter() - start
        problem = None if response.status_code < 400 else f"{kind}: HTTP {response.status_code}"
        self.add(kind, elapsed, problem)
        return response

    def add(self, kind: str, elapsed: float, problem: str | None) -> None:
        with self.lock:
            self.samples.setdefault(kind, []).append(elapsed)
            if problem:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                if len(self.messages) < 20:
                    self.messages.append(problem)


def login(client: httpx.Client, rec: Recorder, username: str) -> bool:
    page = rec.timed("登录页", lambda: client.get("/accounts/login/"))
    if page is None:
        return False
    match = CSRF_RE.search(page.text)
    if not match:
        return False
    response = rec.timed("登录", lambda: client.post("/accounts/login/", data={
        "username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)}))
    return response is not None and response.status_code == 302


@dataclass(frozen=True)
class Job:
    base: str
    rec: Recorder
    username: str
    target: int
    """The clerk's submission id, or the cycle id for the provincial users."""
    iterations: int
    deadline: float


def clerk(job: Job) -> None:
    base, rec, username, submission, iterations, deadline = (
        job.base, job.rec, job.username, job.target, job.iterations, job.deadline)
    with httpx.Client(base_url=base, timeout=60) as client:
        if not login(client, rec, username):
            rec.add("登录", 0.0, f"{username} 登录失败")
            return
        for i in range(iterations):
            if time.monotonic() > deadline:
                return
            page = rec.timed("打开填报页", lambda: client.get(f"/submissions/{submission}/"))
            if page is None:
                continue
            csrf, version = CSRF_RE.search(page.text), VERSION_RE.search(page.text)
            if not csrf or not version:
                rec.add("保存数据", 0.0, f"{username}：填报页缺少表单")
                continue
            form = figures_form(page.text, version.group(1), csrf.group(1), i)
            saved = rec.timed("保存数据", lambda f=form: client.post(f"/submissions/{submission}/save/", data=f))
            if saved is not None and saved.status_code != 302:
                rec.add("保存数据", 0.0, f"{username}：保存未成功（HTTP {saved.status_code}）")


def browser(job: Job) -> None:
    base, rec, username, cycle, iterations, deadline = (
        job.base, job.rec, job.username, job.target, job.iterations, job.deadline)
    pages = [("统计图表", f"/cycles/{cycle}/dashboard/"), ("评价计分页", f"/cycles/{cycle}/evaluation/"),
             ("报送情况", f"/cycles/{cycle}/board/"), ("审计日志", "/audit/")]
    with httpx.Client(base_url=base, timeout=60) as client:
        if not login(client, rec, username):
            rec.add("登录", 0.0, f"{username} 登录失败")
            return
        for _ in range(iterations):
            for kind, path in pages:
                if time.monotonic() > deadline:
                    return
                rec.timed(kind, lambda p=path: client.get(p))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarise(rec: Recorder, users: int, elapsed: float, database: str) -> dict[str, object]:
    everything = [v for values in rec.samples.values() for v in values]
    steady = [v for kind, values in rec.samples.items() if kind not in ("登录", "登录页", "数据核对") for v in values]
    report = {
        "users": users, "seconds": round(elapsed, 1), "requests": len(everything),
        "requests_per_second": round(len(everything) / elapsed, 1), "errors": sum(rec.errors.values()),
        "p50_ms": round(percentile(everything, 50) * 1000, 1), "p95_ms": round(percentile(everything, 95) * 1000, 1),
        "database": database,
        "p50_ms_without_login": round(percentile(steady, 50) * 1000, 1),
        "p95_ms_without_login": round(percentile(steady, 95) * 1000, 1),
        "kinds": {
            kind: {"count": len(values), "errors": rec.errors.get(kind, 0),
                   "p50_ms": round(percentile(values, 50) * 1000, 1), "p95_ms": round(percentile(values, 95) * 1000, 1),
                   "max_ms": round(max(values) * 1000, 1)}
            for kind, values in sorted(rec.samples.items())
        },
        "error_messages": rec.messages,
    }
    print(f"\n{report['users']} 个并发用户，{report['seconds']} 秒，{report['requests']} 个请求"
          f"（{report['requests_per_second']} 个/秒），错误 {report['errors']} 个，数据库 {report['database']}")
    print(f"全部请求：p50 {report['p50_ms']} 毫秒，p95 {report['p95_ms']} 毫秒；"
          f"不含开始时集中登录（口令哈希）：p50 {report['p50_ms_without_login']} 毫秒，p95 {report['p95_ms_without_login']} 毫秒")
    print(f"{'请求':<10}{'次数':>6}{'错误':>6}{'p50(ms)':>10}{'p95(ms)':>10}{'最长(ms)':>10}")
    for kind, row in report["kinds"].items():
        print(f"{kind:<10}{row['count']:>6}{row['errors']:>6}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['max_ms']:>10}")
    for message in rec.messages:
        print("  错误：", message)
    target = ROOT / "out" / "bench" / "web_load.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"结果已保存：{target}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description="安居 Web 负载测试（只访问 127.0.0.1）")
    parser.add_argument("--iterations", type=int, default=8, help="每个模拟用户的循环次数")
    parser.add_argument("--time-limit", type=float, default=180, help="负载阶段的最长秒数")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn 进程数")
    parser.add_argument("--threads", type=int, default=4, help="每个 gunicorn 进程的线程数")
    parser.add_argument("--database-url", default="", help="默认使用临时目录中的 SQLite")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="anju-web-bench-"))
    env = {**os.environ, "ANJU_WEB_DATA_DIR": str(data_dir), "ANJU_WEB_DEBUG": "0", "ANJU_WEB_SECURE_COOKIES": "0",
           "ANJU_WEB_ALLOWED_HOSTS": HOST, "DJANGO_SETTINGS_MODULE": "anju_web.settings"}
    if args.database_url:
        env["ANJU_WEB_DATABASE_URL"] = args.database_url
    manage = [str(BIN / "anju-web")]
    print(f"准备数据（{data_dir}）……", flush=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo", "--keep-demo-password"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    output = subprocess.run([*manage, "shell", "-v", "0", "-c", SETUP], env=env, check=True, cwd=ROOT,
                            capture_output=True, text=True).stdout
    setup = json.loads(output.strip().splitlines()[-1])
    units, cycle = setup["units"], setup["cycle"]
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "anju_web.wsgi:application", "-b", f"{HOST}:{port}", "-w", str(args.workers),
         "--threads", str(args.threads), "--timeout", "120", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/accounts/login/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            print("服务未能启动", file=sys.stderr)
            return 2
        rec = Recorder()
        deadline = time.monotonic() + args.time_limit
        threads = [threading.Thread(target=clerk, args=(Job(base, rec, name, pk, args.iterations, deadline),))
                   for name, pk in units]
        for name in ("evaluator-finance", "supervisor"):
            threads.append(threading.Thread(target=browser, args=(Job(base, rec, name, cycle, args.iterations, deadline),)))
        print(f"{len(threads)} 个并发模拟用户开始访问 {base}（gunicorn {args.workers} 进程 × {args.threads} 线程）……", flush=True)
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    check = subprocess.run([*manage, "shell", "-v", "0", "-c", CHECK], env=env, check=True, cwd=ROOT,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    rec.add("数据核对", 0.0, None if check == "0" else f"{check} 个单位保存后出现校验错误（表单往返丢失了数据）")
    report = summarise(rec, len(threads), elapsed, "PostgreSQL" if args.database_url else "SQLite")
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

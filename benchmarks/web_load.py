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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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


@dataclass
class User:
    """One simulated user: signed in before the load phase starts (the login storm — password
    hashing — is measured on its own), then browsing with ``think`` seconds between requests."""

    base: str
    rec: Recorder
    username: str
    target: int
    """The clerk's submission id, or the cycle id for the provincial users."""
    client: httpx.Client | None = None

    def sign_in(self) -> None:
        self.client = httpx.Client(base_url=self.base, timeout=60)
        if not login(self.client, self.rec, self.username):
            self.rec.add("登录", 0.0, f"{self.username} 登录失败")
            self.client.close()
            self.client = None

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


@dataclass(frozen=True)
class Phase:
    rec: Recorder
    iterations: int
    deadline: float
    think: float

    def pause(self) -> None:
        if self.think:
            time.sleep(self.think)


def clerk(user: User, phase: Phase) -> None:
    client, rec, submission = user.client, phase.rec, user.target
    if client is None:
        return
    for i in range(phase.iterations):
        if time.monotonic() > phase.deadline:
            return
        page = rec.timed("打开填报页", lambda: client.get(f"/submissions/{submission}/"))
        if page is None:
            continue
        csrf, version = CSRF_RE.search(page.text), VERSION_RE.search(page.text)
        if not csrf or not version:
            rec.add("保存数据", 0.0, f"{user.username}：填报页缺少表单")
            continue
        form = figures_form(page.text, version.group(1), csrf.group(1), i)
        phase.pause()
        saved = rec.timed("保存数据", lambda f=form: client.post(f"/submissions/{submission}/save/", data=f))
        if saved is not None and saved.status_code != 302:
            rec.add("保存数据", 0.0, f"{user.username}：保存未成功（HTTP {saved.status_code}）")
        phase.pause()


def browser(user: User, phase: Phase) -> None:
    client, rec, cycle = user.client, phase.rec, user.target
    if client is None:
        return
    pages = [("统计图表", f"/cycles/{cycle}/dashboard/"), ("评价计分页", f"/cycles/{cycle}/evaluation/"),
             ("报送情况", f"/cycles/{cycle}/board/"), ("审计日志", "/audit/")]
    for _ in range(phase.iterations):
        for kind, path in pages:
            if time.monotonic() > phase.deadline:
                return
            rec.timed(kind, lambda p=path: client.get(p))
            phase.pause()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


@dataclass(frozen=True)
class Target:
    think: float
    p95_ms: float
    requests_per_second: float | None


TARGETS = (Target(0.0, 500.0, 150.0), Target(1.0, 100.0, None))
"""The national-scale issue's targets on this machine: 50 users without think time — p95 under
500 ms and at least 150 requests/s; with a 1 s think time — p95 under 100 ms; 0 errors in both."""


def summarise(rec: Recorder, users: int, elapsed: float, target: Target | None) -> dict[str, object]:
    everything = [v for values in rec.samples.values() for v in values]
    report: dict[str, object] = {
        "users": users, "seconds": round(elapsed, 1), "requests": len(everything),
        "requests_per_second": round(len(everything) / elapsed, 1) if elapsed else 0.0,
        "errors": sum(rec.errors.values()),
        "p50_ms": round(percentile(everything, 50) * 1000, 1) if everything else 0.0,
        "p95_ms": round(percentile(everything, 95) * 1000, 1) if everything else 0.0,
        "kinds": {
            kind: {"count": len(values), "errors": rec.errors.get(kind, 0),
                   "p50_ms": round(percentile(values, 50) * 1000, 1), "p95_ms": round(percentile(values, 95) * 1000, 1),
                   "max_ms": round(max(values) * 1000, 1)}
            for kind, values in sorted(rec.samples.items())
        },
        "error_messages": rec.messages,
    }
    print(f"{report['users']} 个用户，{report['seconds']} 秒，{report['requests']} 个请求"
          f"（{report['requests_per_second']} 个/秒），错误 {report['errors']} 个；p50 {report['p50_ms']} 毫秒，p95 {report['p95_ms']} 毫秒")
    print(f"  {'请求':<10}{'次数':>6}{'错误':>6}{'p50(ms)':>10}{'p95(ms)':>10}{'最长(ms)':>10}")
    for kind, row in report["kinds"].items():  # type: ignore[attr-defined]
        print(f"  {kind:<10}{row['count']:>6}{row['errors']:>6}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['max_ms']:>10}")
    for message in rec.messages:
        print("  错误：", message)
    if target is not None:
        verdicts = []
        p95 = float(report["p95_ms"])  # type: ignore[arg-type]
        verdicts.append(("p95", f"{p95} 毫秒", f"< {target.p95_ms:g} 毫秒", p95 / target.p95_ms, p95 < target.p95_ms))
        if target.requests_per_second is not None:
            rps = float(report["requests_per_second"])  # type: ignore[arg-type]
            verdicts.append(("吞吐量", f"{rps} 个/秒", f">= {target.requests_per_second:g} 个/秒",
                             rps / target.requests_per_second, rps >= target.requests_per_second))
        errors = int(report["errors"])  # type: ignore[call-overload]
        verdicts.append(("错误", f"{errors} 个", "0 个", float(errors), errors == 0))
        for name, measured, limit, ratio, met in verdicts:
            print(f"  目标 {name}：实测 {measured}，限值 {limit}，比值 {ratio:.2f}，{'达到' if met else '未达到'}")
        report["targets_met"] = all(v[-1] for v in verdicts)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description="安居 Web 负载测试（只访问 127.0.0.1）")
    parser.add_argument("--iterations", type=int, default=20, help="每个模拟用户每个阶段的循环次数")
    parser.add_argument("--time-limit", type=float, default=40, help="每个负载阶段的最长秒数")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn 进程数")
    parser.add_argument("--threads", type=int, default=2, help="每个 gunicorn 进程的线程数")
    parser.add_argument("--think", type=float, action="append",
                        help="两次请求之间的思考时间（秒），可重复；默认依次跑 0 秒和 1 秒两个阶段")
    parser.add_argument("--database-url", default="", help="默认使用临时目录中的 SQLite")
    args = parser.parse_args()
    thinks = args.think if args.think else [t.think for t in TARGETS]

    data_dir = Path(tempfile.mkdtemp(prefix="anju-web-bench-"))
    env = {**os.environ, "ANJU_WEB_DATA_DIR": str(data_dir), "ANJU_WEB_DEBUG": "0", "ANJU_WEB_SECURE_COOKIES": "0",
           "ANJU_WEB_ALLOWED_HOSTS": HOST, "DJANGO_SETTINGS_MODULE": "anju_web.settings"}
    if args.database_url:
        if not recreate_database(args.database_url):
            return 2
        env["ANJU_WEB_DATABASE_URL"] = args.database_url
    database = "PostgreSQL" if args.database_url else "SQLite"
    manage = [str(BIN / "anju-web")]
    print(f"准备数据（{database}，{data_dir}）……", flush=True)
    units, cycle = prepare_data(manage, env)
    port = free_port()
    base = f"http://{HOST}:{port}"
    # The server keeps an idle connection longer than the client (httpx: 5 s), so that it never closes
    # one the client is about to reuse (that race shows as "connection reset" under load).
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "anju_web.wsgi:application", "-b", f"{HOST}:{port}", "-w", str(args.workers),
         "--threads", str(args.threads), "--timeout", "120", "--keep-alive", "20", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )
    phases: list[dict[str, object]] = []
    users: list[User] = []
    try:
        if not wait_until_up(base):
            print("服务未能启动", file=sys.stderr)
            return 2
        logins = Recorder()
        users = [User(base, logins, str(name), int(pk)) for name, pk in units]  # type: ignore[call-overload]
        users += [User(base, logins, name, cycle) for name in ("evaluator-finance", "supervisor")]
        print(f"{len(users)} 个模拟用户同时登录 {base}（gunicorn {args.workers} 进程 × {args.threads} 线程）……", flush=True)
        phases = run_phases(users, [clerk] * len(units) + [browser, browser], thinks, args, database, master=server.pid)
    finally:
        for user in users:
            user.close()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    check = subprocess.run([*manage, "shell", "-v", "0", "-c", CHECK], env=env, check=True, cwd=ROOT,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    if check != "0":
        print(f"数据核对：{check} 个单位保存后出现校验错误（表单往返丢失了数据）")
    target_file = ROOT / "out" / "bench" / f"web_load-{database.lower()}.json"
    target_file.parent.mkdir(parents=True, exist_ok=True)
    target_file.write_text(json.dumps({"database": database, "workers": args.workers, "threads": args.threads,
                                       "data_check_failures": int(check), "phases": phases},
                                      ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\n结果已保存：{target_file}")
    failed = check != "0" or any(int(p["errors"]) for p in phases)  # type: ignore[call-overload]
    return 1 if failed else 0


def run_phases(users: list[User], work: Sequence[Callable[[User, Phase], None]], thinks: list[float],
               args: argparse.Namespace, database: str, *, master: int) -> list[dict[str, object]]:
    """Sign everyone in (measured on its own), then one load phase per think time."""
    phases: list[dict[str, object]] = []
    started = time.perf_counter()
    _run_all([threading.Thread(target=u.sign_in) for u in users])
    print("\n登录阶段（口令哈希，每个会话一次）：", end="")
    phases.append({"phase": "登录", **summarise(users[0].rec, len(users), time.perf_counter() - started, None)})
    for think in thinks:
        target = next((t for t in TARGETS if t.think == think), None)
        rec = Recorder()
        phase = Phase(rec, args.iterations, time.monotonic() + args.time_limit, think)
        print(f"\n负载阶段，思考时间 {think:g} 秒（{database}）：", end="")
        started, cpu_before = time.perf_counter(), server_cpu_seconds(master)
        _run_all([threading.Thread(target=w, args=(u, phase)) for u, w in zip(users, work, strict=True)])
        report = summarise(rec, len(users), time.perf_counter() - started, target)
        cpu_after = server_cpu_seconds(master)
        if cpu_before is not None and cpu_after is not None and report["requests"]:
            per_request = (cpu_after - cpu_before) * 1000 / int(report["requests"])  # type: ignore[call-overload]
            report["server_cpu_ms_per_request"] = round(per_request, 1)
            print(f"  服务器 CPU：每个请求 {per_request:.1f} 毫秒（2 核满载时吞吐量的上限约 {2000 / per_request:.0f} 个/秒）")
        phases.append({"phase": f"思考时间 {think:g} 秒", "think_seconds": think, **report})
    return phases


def recreate_database(url: str) -> bool:
    """An empty PostgreSQL database of that name (dropped first: every run starts from the example)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    try:
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        print(f"无法连接 PostgreSQL（{url}）：{exc}", file=sys.stderr)
        return False
    return True


def prepare_data(manage: list[str], env: dict[str, str]) -> tuple[list[list[object]], int]:
    """A fresh database with the Jilin example and one clerk account per reporting unit."""
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo", "--keep-demo-password"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    output = subprocess.run([*manage, "shell", "-v", "0", "-c", SETUP], env=env, check=True, cwd=ROOT,
                            capture_output=True, text=True).stdout
    setup = json.loads(output.strip().splitlines()[-1])
    return setup["units"], int(setup["cycle"])


def wait_until_up(base: str) -> bool:
    for _ in range(100):
        try:
            if httpx.get(f"{base}/accounts/login/", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


def server_cpu_seconds(master: int) -> float | None:
    """CPU seconds used so far by the gunicorn workers (children of ``master``), from /proc; a
    figure that other load on the machine does not inflate the way latency is inflated."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # ppid; then utime and stime are fields 14 and 15 of stat
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _run_all(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    sys.exit(main())

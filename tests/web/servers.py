"""Real processes for the queue and scale-out tests: a prepared site (migrated, Jilin example and demo
accounts loaded) in its own data directory, its queue worker (``anju-web worker``) and gunicorn web
hosts, each a child process stopped at the end; and a logged-in HTTP client for a host."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from anju_web.demo import DEMO_PASSWORD

BIN = Path(sys.executable).parent
REDIS_REASON = ("需要 Redis：设置 ANJU_TEST_REDIS_URL（例如 redis://127.0.0.1:6379/5）后运行；"
                ".ci/run 已设置并在需要时启动 redis-server")
PG_REASON = "需要 PostgreSQL：设置 ANJU_TEST_DATABASE_URL 后运行（CI 已设置）"
STARTUP_SECONDS = 60
LOCAL_ENV = ("ANJU_WEB_DATABASE_URL", "DATABASE_URL", "ANJU_WEB_REDIS_URL", "ANJU_WEB_EVIDENCE_DIR",
             "ANJU_WEB_DATA_DIR", "ANJU_WEB_SECRET_KEY", "ANJU_WEB_JOB_QUEUE", "DJANGO_SETTINGS_MODULE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Site:
    """What every host of one installation shares: database, queue, secret key (and evidence storage)."""

    redis_url: str
    database_url: str | None
    root: Path
    queue: str = field(default_factory=lambda: f"anju-test-{uuid.uuid4().hex[:8]}")
    secret_key: str = field(default_factory=lambda: uuid.uuid4().hex * 2)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, host: str) -> dict[str, str]:
        """A host's environment: its own data directory, the shared services."""
        env = {k: v for k, v in os.environ.items() if k not in LOCAL_ENV}
        env |= {"ANJU_WEB_DATA_DIR": str(self.root / host), "ANJU_WEB_REDIS_URL": self.redis_url,
                "ANJU_WEB_JOB_QUEUE": self.queue, "ANJU_WEB_SECRET_KEY": self.secret_key,
                "ANJU_WEB_EVIDENCE_DIR": str(self.root / "shared-evidence"),
                "ANJU_WEB_SECURE_COOKIES": "0", "ANJU_WEB_DEBUG": "0", "PYTHONUNBUFFERED": "1"}
        if self.database_url:
            env["ANJU_WEB_DATABASE_URL"] = self.database_url
        else:  # SQLite: one file every process of this site opens
            env["ANJU_WEB_DATABASE_URL"] = f"sqlite:///{self.root / 'site.sqlite3'}"
        return env

    def manage(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "anju-web"), *args], env=self.env("setup"), capture_output=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout.decode()

    def prepare(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("load_demo", "--keep-demo-password")  # demo logins as they are (no first-login change)

    def _start(self, args: list[str], host: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{host}.log").open("ab")
        process = subprocess.Popen(args, env=self.env(host), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def worker(self) -> subprocess.Popen[bytes]:
        return self._start([str(BIN / "anju-web"), "worker"], "worker")

    def web(self, host: str, port: int) -> subprocess.Popen[bytes]:
        process = self._start([str(BIN / "gunicorn"), "anju_web.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--timeout", "120", "--no-control-socket"], host)
        wait_until(lambda: _answers(port), f"web host {host} on port {port}", process, self.root / f"{host}.log")
        return process

    def log(self, host: str) -> str:
        path = self.root / f"{host}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop(self, process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
        if process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            self.stop(process)


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(ready: Callable[[], bool], what: str, process: subprocess.Popen[bytes] | None = None,
               log: Path | None = None, seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    detail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what} not ready in {seconds} s\n{detail}")


@contextmanager
def site(redis_url: str, database_url: str | None, root: Path) -> Iterator[Site]:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(redis_url, socket_timeout=5).ping()
    except RedisError as exc:
        raise AssertionError(f"ANJU_TEST_REDIS_URL={redis_url} 已设置，但 Redis 无法连接：{exc}（.ci/run 会启动 redis-server）") from None
    the_site = Site(redis_url, database_url, root)
    try:
        the_site.prepare()
        yield the_site
    finally:
        the_site.stop_all()
        _clear_queue(the_site)


def _clear_queue(the_site: Site) -> None:
    from redis import Redis
    from rq import Queue

    with suppress(Exception):
        Queue(the_site.queue, connection=Redis.from_url(the_site.redis_url)).empty()


def login(base: str, username: str = "evaluator-finance") -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", data={
        "username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"]})
    assert response.status_code == 302, response.text[:500]
    return client


def post(client: httpx.Client, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
    return client.post(path, data={**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"]},
                       headers={"Referer": str(client.base_url)})


def job_id_of(response: httpx.Response) -> int:
    found = re.fullmatch(r"/jobs/(\d+)/", response.headers.get("location", ""))
    assert found, (response.status_code, response.headers.get("location"))
    return int(found.group(1))


def status(client: httpx.Client, job_id: int) -> dict[str, Any]:
    response = client.get(f"/jobs/{job_id}/status.json")
    assert response.status_code == 200, response.text[:300]
    data: dict[str, Any] = response.json()
    return data


def wait_finished(client: httpx.Client, job_id: int, seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = status(client, job_id)
        if data["finished"]:
            return data
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} not finished in {seconds} s: {status(client, job_id)}")

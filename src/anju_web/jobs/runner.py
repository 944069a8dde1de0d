"""Submit a job and run it: through the queue (RQ on the Redis of ``ANJU_WEB_REDIS_URL``) when one
is configured, else at once in the submitting request (a fresh machine without Redis still works,
and the job page says the job ran without the queue).

The queue carries only the job's id; the job's state, progress and result live in the database, so
a web process may be restarted (or another web host asked) while the worker runs the job."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, transaction
from django.http import Http404
from django.utils import timezone
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import StartedJobRegistry

from anju.problems import ProblemsError
from anju_web.accounts.policy import authorize
from anju_web.jobs.models import Job, JobState
from anju_web.jobs.registry import JobFailed, Progress, kind_of
from anju_web.submissions.models import Cycle

log = logging.getLogger(__name__)

PROBLEMS_SHOWN = 20
"""Problems of a failed job quoted in its error."""
SYNCHRONOUS_NOTICE = ("未配置任务队列（环境变量 ANJU_WEB_REDIS_URL），任务已在提交时直接执行完毕；"
                      "大批量任务请配置 Redis 并启动任务进程（anju-web worker）。")


def queue_configured() -> bool:
    return bool(settings.ANJU_REDIS_URL)


def safe_url() -> str:
    """The Redis URL without its password, for messages."""
    parts = urlsplit(settings.ANJU_REDIS_URL)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"


def redis_connection() -> Any:
    return Redis.from_url(settings.ANJU_REDIS_URL)


def queue() -> Any:
    return Queue(settings.ANJU_JOB_QUEUE, connection=redis_connection(), default_timeout=settings.ANJU_JOB_TIMEOUT)


def submit(user: Any, kind: str, cycle: Cycle | None, params: dict[str, Any] | None = None) -> Job:
    """Record a job of ``kind`` for ``cycle`` and queue it (after the surrounding transaction commits)
    or, without a queue, run it now. Raises PermissionDenied / Http404 as the kind's permission says."""
    spec = kind_of(kind)
    authorize(user, spec.permission, cycle.region if cycle is not None else None)
    job = Job.objects.create(cycle=cycle, kind=kind, params=params or {}, created_by=user,
                             synchronous=not queue_configured(), message="等待任务进程处理")
    if job.synchronous:
        execute(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    try:
        queued = queue().enqueue("anju_web.jobs.runner.run_queued", job.pk, job_id=f"{settings.ANJU_JOB_QUEUE}-job-{job.pk}",
                                 result_ttl=3600, failure_ttl=7 * 86400,
                                 description=f"{job.label}（任务 {job.pk}）")
    except RedisError as exc:
        log.warning("queue unavailable for job %s: %s", job.pk, exc)
        _finish(job.pk, JobState.failed, error=f"任务队列（Redis）无法连接，任务没有开始：{exc}。请检查 ANJU_WEB_REDIS_URL 后重新提交。")
        return
    Job.objects.filter(pk=job.pk).update(queue_id=queued.id)


def _finish(job_id: int, state: JobState, *, result: dict[str, Any] | None = None, error: str = "") -> None:
    fields: dict[str, Any] = {"state": state, "finished_at": timezone.now(), "error": error}
    if result is not None:
        fields["result"] = result
    if state == JobState.succeeded:
        fields["message"] = str((result or {}).get("summary", "已完成"))[:300]
    else:
        fields["message"] = "失败"
    Job.objects.filter(pk=job_id).update(**fields)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, JobFailed):
        return str(exc)
    if isinstance(exc, ProblemsError):
        lines = [str(p) for p in exc.problems[:PROBLEMS_SHOWN]]
        more = len(exc.problems) - len(lines)
        return "\n".join([*lines, *([f"……另有 {more} 处问题"] if more > 0 else [])]) or "任务没有完成"
    if isinstance(exc, (PermissionDenied, Http404)):
        return "提交人无权执行该任务（或所涉地区不在其权限范围内）"
    return f"任务出错，没有完成（{type(exc).__name__}）。已写入服务器日志，请联系系统管理员。"


def execute(job_id: int) -> str:
    """Run the job (in the queue worker, or in the request without a queue); returns its final state.

    A job already started or finished is not run again (a queue may deliver a job twice)."""
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("cycle__region", "created_by").filter(pk=job_id).first()
        if job is None or job.state != JobState.queued:
            return job.state if job is not None else "missing"
        job.state, job.started_at, job.message = JobState.running, timezone.now(), "开始处理"
        job.save(update_fields=["state", "started_at", "message"])
    try:
        result = kind_of(job.kind).work(job, Progress(job))
    except Exception as exc:  # every failure is stored in Chinese; the traceback goes to the log only
        if not isinstance(exc, (JobFailed, ProblemsError, PermissionDenied, Http404)):
            log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job.pk, JobState.failed, error=_error_text(exc))
        return JobState.failed
    _finish(job.pk, JobState.succeeded, result=result)
    return JobState.succeeded


def run_queued(job_id: int) -> str:
    """The queue worker's entry point: :func:`execute` between fresh database connections (the worker
    process outlives requests, so stale connections are dropped as a request would drop them)."""
    close_old_connections()
    try:
        return execute(job_id)
    finally:
        close_old_connections()


ABANDONED = "任务进程在执行该任务时停止了（重启或故障），任务没有完成；请重新提交。"


def reap_abandoned() -> int:
    """Mark as failed the queued jobs shown 进行中 that no worker is running any more (their worker
    stopped mid-job); called when a worker starts. Returns how many."""
    running_now = set(StartedJobRegistry(queue=queue()).get_job_ids())
    stale = [pk for pk, queue_id in Job.objects.filter(state=JobState.running, synchronous=False)
             .values_list("pk", "queue_id") if queue_id not in running_now]
    for pk in stale:
        _finish(pk, JobState.failed, error=ABANDONED)
    return len(stale)

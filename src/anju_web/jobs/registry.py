"""Job kinds: a name, a Chinese label, the permission needed to submit one, and the function that
does the work. A kind's function receives the :class:`~anju_web.jobs.models.Job` and a
:class:`Progress` to report to, and returns the result to store (JSON, with a Chinese ``summary``).
It raises :class:`JobFailed` (or any :class:`~anju.problems.ProblemsError`) with a Chinese message
when the work cannot be done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anju_web.jobs.models import Job

MESSAGE_CHARS = 300


class JobFailed(Exception):
    """The job could not do its work; the message (Chinese) says why."""


class Progress:
    """Where a running job reports how far it got (written at once, outside any transaction of the
    work itself, so every web host sees it)."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, done: int, total: int, message: str = "") -> None:
        self.job.done, self.job.total, self.job.message = done, total, message[:MESSAGE_CHARS]
        type(self.job).objects.filter(pk=self.job.pk).update(done=done, total=total, message=self.job.message)


Work = Callable[["Job", Progress], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str
    permission: str
    work: Work


_KINDS: dict[str, JobKind] = {}


def register(kind: str, label: str, permission: str) -> Callable[[Work], Work]:
    """Decorator: ``@register("evaluation", "运行评价", "reviews.run_evaluation")`` on the work function."""

    def decorate(work: Work) -> Work:
        if kind in _KINDS and _KINDS[kind].work is not work:
            raise ValueError(f"job kind {kind!r} registered twice")
        _KINDS[kind] = JobKind(kind, label, permission, work)
        return work

    return decorate


def kind_of(kind: str) -> JobKind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise JobFailed(f"未知的任务类型“{kind}”") from None


def label_of(kind: str) -> str:
    found = _KINDS.get(kind)
    return found.label if found else kind


def kinds() -> list[JobKind]:
    return list(_KINDS.values())

"""Deferring jobs on the queue through Django's own connection.

So a job deferred inside a write's transaction is committed with the write or rolled
back with it, in the web process and in a worker alike (a worker's app otherwise
defers through a connection pool of its own, outside the task's transaction).
"""

from typing import Any

from procrastinate import manager, tasks
from procrastinate.contrib.django.django_connector import DjangoConnector

_job_manager = manager.JobManager(DjangoConnector())


def defer(task: str, *, queue: str, schedule_in_seconds: float | None = None, **kwargs: Any) -> int:
    """Defer the task named `task` with `kwargs`, committed with the current transaction."""
    options: dict[str, Any] = {"queue": queue}
    if schedule_in_seconds is not None:
        options["schedule_in"] = {"seconds": schedule_in_seconds}
    return tasks.configure_task(name=task, job_manager=_job_manager, **options).defer(**kwargs)


def defer_many(task: str, kwargs_list: list[dict[str, Any]], *, queue: str) -> list[int]:
    if not kwargs_list:
        return []
    deferrer = tasks.configure_task(name=task, job_manager=_job_manager, queue=queue)
    return deferrer.batch_defer(*kwargs_list)

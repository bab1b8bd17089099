"""Deferring jobs on the queue through Django's own connection.

So a job deferred inside a write's transaction is committed with the write or rolled
back with it, in the web process and in a worker alike (a worker's app otherwise
defers through a connection pool of its own, outside the task's transaction).
"""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import close_old_connections, connection
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


P = ParamSpec("P")
R = TypeVar("R")


def fresh_connection(func: Callable[P, R]) -> Callable[P, R]:
    """What Django does around a request, around a task: drop a broken or too old
    connection. Each worker thread keeps its own connection between jobs."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:  # called inside a test's transaction
            return func(*args, **kwargs)
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    return run

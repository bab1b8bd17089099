"""Deferring jobs on the queue through Django's own connection.

So a job deferred inside a write's transaction is committed with the write or rolled
back with it, in the web process and in a worker alike (a worker's app otherwise
defers through a connection pool of its own, outside the task's transaction).
"""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from procrastinate import manager, tasks
from procrastinate.contrib.django.django_connector import DjangoConnector

if TYPE_CHECKING:
    from ledgers.models import Ledger

QUEUE = "notifications"
DELIVER = "notifications.deliver"
CHECK_BUDGET = "notifications.check_budget"

_job_manager = manager.JobManager(DjangoConnector())


def defer(task: str, *, schedule_in_seconds: float | None = None, **kwargs: Any) -> int:
    options: dict[str, Any] = {"queue": QUEUE}
    if schedule_in_seconds is not None:
        options["schedule_in"] = {"seconds": schedule_in_seconds}
    return tasks.configure_task(name=task, job_manager=_job_manager, **options).defer(**kwargs)


def defer_many(task: str, kwargs_list: list[dict[str, Any]]) -> list[int]:
    if not kwargs_list:
        return []
    deferrer = tasks.configure_task(name=task, job_manager=_job_manager, queue=QUEUE)
    return deferrer.batch_defer(*kwargs_list)


def defer_budget_check(
    *, ledger: "Ledger | int", days: Iterable[date], schedule_in_seconds: float | None = None
) -> None:
    """Check the ledger's budget for each month of `days` after this write commits (or
    never): every member who wants alerts hears of a threshold passed. A ledger read
    before this write knows whether it has ever had a plan; without one there is
    nothing to check."""
    if not isinstance(ledger, int) and not ledger.has_budget:
        return
    ledger_id = ledger if isinstance(ledger, int) else ledger.pk
    for month in sorted({day.replace(day=1) for day in days}):
        defer(
            CHECK_BUDGET,
            schedule_in_seconds=schedule_in_seconds,
            ledger_id=ledger_id,
            month=month.isoformat(),
        )

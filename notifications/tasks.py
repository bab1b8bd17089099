"""The queue's tasks (procrastinate). Each is a thin call into one of the notifications'
services: the schedule, the outbox, the budget alerts."""

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import ParamSpec, TypeVar

from django.db import close_old_connections, connection
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from finance import jobs as finance_jobs
from notifications import alerts, outbox, queue, schedule

# Unexpected errors (the database restarting, a bug fixed by a deploy): the job runs
# again later. Delivery failures are handled by the service, per notification.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=4)

P = ParamSpec("P")
R = TypeVar("R")


def _fresh_connection(func: Callable[P, R]) -> Callable[P, R]:
    """What Django does around a request: drop a broken or too old connection. Each
    worker thread keeps its own connection between jobs."""

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


@app.periodic(cron="* * * * *", periodic_id="minute")
@app.task(name="notifications.tick", queue=queue.QUEUE, retry=RETRY)
@_fresh_connection
def tick(timestamp: int) -> int:
    """Every minute, once however many workers schedule it: queue what is due."""
    return schedule.schedule_due(now=datetime.fromtimestamp(timestamp, UTC))


@app.task(name=queue.DELIVER, queue=queue.QUEUE, retry=RETRY)
@_fresh_connection
def deliver(notification_ids: list[int]) -> dict[int, str]:
    return outbox.deliver(notification_ids=notification_ids)


@app.task(name=finance_jobs.CHECK_BUDGET, queue=finance_jobs.QUEUE, retry=RETRY)
@_fresh_connection
def check_budget(ledger_id: int, month: str) -> list[int]:
    """A write's ledger (`ledger_id`) and month: alert its members who want it."""
    return alerts.budget_check(ledger=ledger_id, month=date.fromisoformat(month))

"""The queue's tasks (procrastinate). Each is a thin call into one of the notifications'
services: the schedule, the outbox, the budget alerts."""

from datetime import UTC, date, datetime

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from core.jobs import fresh_connection as _fresh_connection
from finance import jobs as finance_jobs
from notifications import alerts, outbox, queue, schedule

# Unexpected errors (the database restarting, a bug fixed by a deploy): the job runs
# again later. Delivery failures are handled by the service, per notification.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=4)


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

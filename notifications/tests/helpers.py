"""Running the queue inside a test: the jobs its transaction deferred, in order."""

import json
from datetime import datetime
from typing import Any

import time_machine
from django.db import connection
from django.utils import timezone
from django_redis import get_redis_connection
from procrastinate.contrib.django import app

from notifications import limiter, schedule


def queued(task: str | None = None) -> list[dict[str, Any]]:
    """The jobs waiting on the queue (all of them, or one task's), oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, task_name, args, scheduled_at, lock, attempts FROM procrastinate_jobs"
            " WHERE status = 'todo' ORDER BY id"
        )
        rows = [
            {
                "id": pk,
                "task": name,
                "args": json.loads(args),
                "scheduled_at": at,
                "lock": lock,
                "attempts": attempts,
            }
            for pk, name, args, at, lock, attempts in cursor.fetchall()
        ]
    return [r for r in rows if task is None or r["task"] == task]


def run_queued(*, include_later: bool = False, limit: int = 100) -> list[tuple[str, Any]]:
    """Run what is due (what is scheduled later too, with `include_later`), as a worker
    would, until nothing is left; returns (task, result) per job run."""
    results: list[tuple[str, Any]] = []
    for _ in range(limit):
        now = timezone.now()
        due = [
            job
            for job in queued()
            if include_later or job["scheduled_at"] is None or job["scheduled_at"] <= now
        ]
        if not due:
            return results
        results.append(run_job(due[0]))
    raise AssertionError("the queue did not empty")


def run_job(job: dict[str, Any]) -> tuple[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE id = %s", [job["id"]])
    return job["task"], app.tasks[job["task"]].func(**job["args"])


def clear_limits() -> None:
    """Forget the Telegram limiter's counts (they live in Redis, across tests)."""
    redis = get_redis_connection("default")
    keys = list(redis.scan_iter(match=limiter.key_prefix() + "*"))
    if keys:
        redis.delete(*keys)


def tick_at(moment: datetime) -> None:
    """The minute's tick at `moment` (the clock moved there), and the jobs it queued run."""
    with time_machine.travel(moment, tick=False):
        schedule.schedule_due(now=moment)
        run_queued()

"""The notifications' jobs on the queue, deferred through `core.jobs`."""

from typing import Any

from core import jobs

QUEUE = "notifications"
DELIVER = "notifications.deliver"


def defer(task: str, *, schedule_in_seconds: float | None = None, **kwargs: Any) -> int:
    return jobs.defer(task, queue=QUEUE, schedule_in_seconds=schedule_in_seconds, **kwargs)


def defer_many(task: str, kwargs_list: list[dict[str, Any]]) -> list[int]:
    return jobs.defer_many(task, kwargs_list, queue=QUEUE)

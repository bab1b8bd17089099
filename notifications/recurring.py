"""Recurring rules' dates, recorded on the minute's tick: each one recorded by finance's
service and its notice claimed in the same transaction, so a date is never recorded
without its notice queued, nor told of without being recorded."""

from datetime import datetime

from finance.services.occurrences import Posted, occurrences_post_due
from notifications.models import Kind
from notifications.outbox import Claim, claim_and_defer


def occurrence_subject(occurrence_id: int) -> str:
    return f"occurrence:{occurrence_id}"


def _notice(posted: Posted) -> None:
    """Tell the rule's creator, in their usual channel, what was recorded (or why not)."""
    occurrence = posted.occurrence
    claim = Claim(
        posted.rule.created_by_id, occurrence.date.isoformat(), occurrence_subject(occurrence.pk)
    )
    claim_and_defer(kind=Kind.RECURRING, claims=[claim])


def post_due(*, now: datetime) -> list[Posted]:
    """Record every recurring date due at `now`; returns what was claimed now."""
    return occurrences_post_due(now=now, after_each=_notice)

"""Reads of recurring rules: a ledger's rules, one by id, the dates a rule falls due on,
and which rules the queue should record now."""

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from finance.models import RecurringOccurrence, RecurringRule
from finance.rules import ledger_or_none_for_read
from finance.schedules import Schedule
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User

# A date's occurrence is recorded from this hour on that day, in the creator's time
# zone: the record and its message come with the morning, not at midnight.
POST_AT = time(9, 0)


def schedule_of(rule: RecurringRule) -> Schedule:
    return Schedule(
        frequency=rule.frequency,
        start=rule.start_date,
        interval=rule.interval,
        day=rule.day,
        weekday=rule.weekday,
        end=rule.end_date,
        count=rule.count,
    )


def recurring_list(*, user: "User", ledger: access.LedgerRef = None) -> list[RecurringRule]:
    """The ledger's rules (None: the person's active ledger), the next due first and the
    ended ones last."""
    books = ledger_or_none_for_read(user, ledger)
    if books is None:
        return []
    rules = RecurringRule.objects.filter(ledger=books).select_related("category", "paid_by")
    return sorted(rules, key=lambda r: (r.next_date is None, r.next_date or date.max, r.pk))


def recurring_get(
    *, user: "User", ledger: access.LedgerRef = None, pk: int
) -> RecurringRule | None:
    """One rule of the ledger, or None (another ledger's is as unknown as none)."""
    books = ledger_or_none_for_read(user, ledger)
    if books is None:
        return None
    return (
        RecurringRule.objects.filter(ledger=books, pk=pk)
        .select_related("category", "paid_by", "created_by")
        .first()
    )


def due_through(user: "User", now: datetime) -> date:
    """The last date whose occurrences are due at `now` for rules `user` made."""
    local = now.astimezone(user.tz())
    return local.date() if local.time() >= POST_AT else local.date() - timedelta(days=1)


def due_rule_ids(*, now: datetime) -> list[int]:
    """The rules with a date due at `now` in their creator's time zone, not paused."""
    # No time zone is more than a day ahead of UTC: a day's margin finds every candidate
    # with the partial index, and the creator's zone decides.
    horizon = now.date() + timedelta(days=1)
    candidates = (
        RecurringRule.objects.filter(
            paused_at__isnull=True, next_date__isnull=False, next_date__lte=horizon
        )
        .select_related("created_by")
        .only("id", "next_date", "created_by__timezone")
        .order_by("next_date", "id")
    )
    return [
        rule.pk
        for rule in candidates
        if rule.next_date is not None and rule.next_date <= due_through(rule.created_by, now)
    ]


def dates_due(rule: RecurringRule, *, first: date, last: date) -> list[date]:
    """The dates from `first` to `last` on which `rule` will still record something:
    none while it is paused, none before its next date."""
    if rule.paused or rule.next_date is None:
        return []
    return schedule_of(rule).between(max(first, rule.next_date), last)


def occurrence_get(*, pk: int) -> RecurringOccurrence | None:
    """One claimed date with its rule and what it recorded (for its notice, which the
    queue sends to the rule's creator: no one else reads it)."""
    return (
        RecurringOccurrence.objects.select_related(
            "rule", "rule__category", "rule__ledger", "transaction", "transaction__category"
        )
        .filter(pk=pk)
        .first()
    )

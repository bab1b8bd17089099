"""The queue's side of recurring rules: each date due is recorded once, however many
workers run and however late they come.

A date is claimed by inserting its (rule, date) row, whose key is unique, in the
transaction that records it and moves the rule's `next_date` past it; the rule's row
is locked meanwhile, so two workers take a rule's dates one after the other and the
second finds them done. Dates missed while no worker ran are still due (the rule's
`next_date` stayed behind), so the next run records them, each on its own date.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone, translation

from finance.models import RecurringOccurrence, RecurringRule, Transaction
from finance.selectors.recurring import due_rule_ids, due_through, schedule_of
from finance.services.transactions import transaction_create

logger = logging.getLogger(__name__)

Status = RecurringOccurrence.Status


@dataclass(frozen=True)
class Posted:
    """A date claimed now: recorded (`transaction`), or failed (`occurrence.error`)."""

    rule: RecurringRule
    occurrence: RecurringOccurrence
    transaction: Transaction | None


_CLAIM_SQL = """
INSERT INTO finance_recurringoccurrence (rule_id, date, status, error, created_at)
VALUES (%s, %s, %s, '', %s)
ON CONFLICT ON CONSTRAINT finance_occurrence_unique_rule_date DO NOTHING
RETURNING id
"""


def occurrences_post_due(
    *, now: datetime, after_each: Callable[[Posted], None] | None = None
) -> list[Posted]:
    """Record every date due at `now`, oldest first per rule. `after_each` runs inside
    each date's transaction (the notice of it is claimed with it, or neither is)."""
    posted = []
    for rule_id in due_rule_ids(now=now):
        while True:
            with transaction.atomic():
                step = _post_next(rule_id, now)
                if step is None:
                    break
                if isinstance(step, Posted):
                    posted.append(step)
                    if after_each is not None:
                        after_each(step)
    return posted


def _post_next(rule_id: int, now: datetime) -> Posted | bool | None:
    """Claim and record the rule's next date if it is due: the Posted, True when the date
    was already claimed (skipped, or recorded before the schedule changed), None when
    nothing is due."""
    rule = (
        RecurringRule.objects.select_for_update(of=("self",))
        .select_related("created_by", "paid_by", "category")
        .filter(pk=rule_id, paused_at__isnull=True)
        .first()
    )
    if rule is None or rule.next_date is None:
        return None
    day = rule.next_date
    if day > due_through(rule.created_by, now):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [rule.pk, day, Status.POSTED, timezone.now()])
        claimed = cursor.fetchone()
    rule.next_date = schedule_of(rule).after(day)
    rule.save(update_fields=["next_date"])
    if claimed is None:
        return True
    occurrence = RecurringOccurrence(pk=claimed[0], rule=rule, date=day, status=Status.POSTED)
    occurrence._state.adding = False
    tx = _record(rule, occurrence)
    return Posted(rule=rule, occurrence=occurrence, transaction=tx)


def _record(rule: RecurringRule, occurrence: RecurringOccurrence) -> Transaction | None:
    """Record the date through the same service as any record; a refusal (the creator
    left the ledger, the category was archived) marks the date failed, and says why."""
    try:
        with transaction.atomic():
            tx = transaction_create(
                user=rule.created_by,
                ledger=rule.ledger_id,
                kind=rule.kind,
                amount=rule.amount,
                currency=rule.currency,
                category=rule.category,
                date=occurrence.date,
                note=rule.note,
                paid_by=rule.paid_by,
                source=Transaction.Source.RECURRING,
            )
    except (ValidationError, Http404, PermissionDenied) as e:
        # In the creator's language: their notice and their Regular payments page say it.
        with translation.override(rule.created_by.language):
            reason = " ".join(e.messages) if isinstance(e, ValidationError) else str(e)
        logger.warning(
            "recurring: rule %s on %s not recorded: %s", rule.pk, occurrence.date, reason
        )
        occurrence.status, occurrence.error = Status.FAILED, reason[:300]
        occurrence.save(update_fields=["status", "error"])
        if not isinstance(e, ValidationError):
            # The creator left the ledger or may only read it now: nothing more would
            # be recorded, so the rule waits, paused, for someone to take it up.
            rule.paused_at = timezone.now()
            rule.save(update_fields=["paused_at"])
        return None
    occurrence.transaction = tx
    occurrence.save(update_fields=["transaction"])
    return tx

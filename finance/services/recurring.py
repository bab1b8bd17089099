"""Recurring rules: made from fields (from a person's words: `recurring_words`; from a
suggestion: `suggestions`), changed, paused, skipped, deleted; each audited. A rule never
records a date before the day it was made or its schedule changed (the queue records
the rest, `finance.services.occurrences`)."""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core import money
from finance.models import Category, RecurringRule
from finance.rules import check_category, check_write, normalize_amount
from finance.schedules import FREQUENCIES, LAST_DAY, MONTHLY, WEEKLY, Schedule
from finance.selectors.recurring import schedule_of
from finance.services.books import ledger_for_write
from ledgers import access
from ledgers.models import Ledger, Membership

if TYPE_CHECKING:
    from accounts.models import User

END_BEFORE_START = _("The end date is before the start date.")
END_OR_COUNT = _("Give an end date or a number of times, not both.")
NEVER_FIRES = _("This schedule has no date left to fall on.")
DAY_NEEDS_MONTHLY = _("A day of the month is for monthly rules.")
WEEKDAY_NEEDS_WEEKLY = _("A weekday is for weekly rules.")
DAY_INVALID = _("A day of the month is 1 to 31, or “last”.")
WEEKDAY_INVALID = _("A weekday is Monday to Sunday.")
FREQUENCY_INVALID = _("How often: daily, weekly, monthly or yearly.")
INTERVAL_INVALID = _("Every 1 to 1000 days, weeks, months or years.")
COUNT_INVALID = _("The number of times is 1 to 10000.")
PAID_BY_NOT_MEMBER = _("Whoever pays must be a member of the ledger.")
NOTHING_TO_SKIP = _("This rule has no date left to skip.")
MAX_INTERVAL = 1000
MAX_COUNT = 10000


@dataclass(frozen=True)
class When:
    """A rule's schedule as given: `start_date` None is the creator's today."""

    frequency: str
    interval: int = 1
    day: int | None = None
    weekday: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    count: int | None = None


def _schedule(when: When, today: date) -> tuple[Schedule, date]:
    """The schedule and its first date on or after `today` (and its start), or the
    ValidationError naming each field at fault."""
    errors: dict[str, list[ValidationError]] = {}

    def refuse(name: str, message: Any, code: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    start = when.start_date or today
    if when.frequency not in FREQUENCIES:
        refuse("frequency", FREQUENCY_INVALID, "invalid_frequency")
    if not 1 <= when.interval <= MAX_INTERVAL:
        refuse("interval", INTERVAL_INVALID, "invalid_interval")
    if when.day is not None:
        if when.day != LAST_DAY and not 1 <= when.day <= 31:
            refuse("day", DAY_INVALID, "invalid_day")
        elif when.frequency != MONTHLY:
            refuse("day", DAY_NEEDS_MONTHLY, "day_needs_monthly")
    if when.weekday is not None:
        if not 0 <= when.weekday <= 6:
            refuse("weekday", WEEKDAY_INVALID, "invalid_weekday")
        elif when.frequency != WEEKLY:
            refuse("weekday", WEEKDAY_NEEDS_WEEKLY, "weekday_needs_weekly")
    if when.count is not None and not 1 <= when.count <= MAX_COUNT:
        refuse("count", COUNT_INVALID, "invalid_count")
    elif when.count is not None and when.end_date is not None:
        refuse("count", END_OR_COUNT, "end_or_count")
    if when.end_date is not None and when.end_date < start:
        refuse("end_date", END_BEFORE_START, "end_before_start")
    if errors:
        raise ValidationError(errors)
    schedule = Schedule(
        frequency=when.frequency,
        start=start,
        interval=when.interval,
        day=when.day,
        weekday=when.weekday,
        end=when.end_date,
        count=when.count,
    )
    following = schedule.on_or_after(max(start, today))
    if following is None:
        name = "count" if when.count is not None else "end_date"
        raise ValidationError({name: [ValidationError(NEVER_FIRES, code="never_fires")]})
    return schedule, following


def _check_paid_by(ledger: Ledger, user: "User", paid_by: "User | None") -> "User":
    if paid_by is None or paid_by.pk == user.pk:
        return user
    if not Membership.objects.filter(ledger=ledger, user=paid_by).exists():
        raise ValidationError(
            {"paid_by": [ValidationError(PAID_BY_NOT_MEMBER, code="paid_by_not_member")]}
        )
    return paid_by


def _money(amount: Decimal, currency: str) -> tuple[Decimal, str]:
    """The amount and currency checked, each refusal on its own field."""
    try:
        currency = money.normalize_code(currency)
    except ValidationError as e:
        raise ValidationError({"currency": e.error_list}) from None
    try:
        return normalize_amount(amount, currency), currency
    except ValidationError as e:
        raise ValidationError({"amount": e.error_list}) from None


def _details(rule: RecurringRule) -> dict[str, object]:
    return {
        "kind": rule.kind,
        "amount": str(rule.amount),
        "currency": rule.currency,
        "category": rule.category.slug,
        "frequency": rule.frequency,
        "interval": rule.interval,
        "day": rule.day,
        "weekday": rule.weekday,
        "start_date": rule.start_date.isoformat(),
        "end_date": rule.end_date.isoformat() if rule.end_date else None,
        "count": rule.count,
    }


@transaction.atomic
def recurring_create(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    kind: str,
    amount: Decimal,
    currency: str | None,
    category: Category,
    when: When,
    note: str = "",
    text: str = "",
    paid_by: "User | None" = None,
    suggestion_id: str = "",
    source: str,
) -> RecurringRule:
    """A rule in `ledger` (None: the person's active ledger), recorded by `user` in their
    time zone and paid by `paid_by` (a member; by default `user`), in `currency` (None:
    the ledger's)."""
    books = ledger_for_write(user, ledger)
    amount, currency = _money(amount, currency or books.default_currency)
    try:
        check_category(ledger_id=books.pk, category=category, kind=kind)
    except ValidationError as e:
        raise ValidationError({"category": e.error_list}) from None
    payer = _check_paid_by(books, user, paid_by)
    today = user.today()
    schedule, following = _schedule(when, today)
    rule = RecurringRule(
        ledger=books,
        created_by=user,
        paid_by=payer,
        kind=kind,
        amount=amount,
        currency=currency,
        category=category,
        note=note.strip()[:500],
        text=text,
        frequency=schedule.frequency,
        interval=schedule.interval,
        day=schedule.day,
        weekday=schedule.weekday,
        start_date=schedule.start,
        end_date=schedule.end,
        count=schedule.count,
        next_date=following,
        suggestion_id=suggestion_id,
    )
    rule.full_clean(exclude=["ledger", "created_by", "paid_by", "category"])
    rule.save()
    audit_record(
        source=source,
        action="recurring.create",
        user=user,
        ledger=books,
        obj=rule,
        details=_details(rule),
    )
    return rule


class _Unset:
    pass


UNSET: Any = _Unset()
_SCHEDULE_FIELDS = ("frequency", "interval", "day", "weekday", "start_date", "end_date", "count")


@transaction.atomic
def recurring_update(
    *,
    rule: RecurringRule,
    user: "User",
    source: str,
    amount: Decimal = UNSET,
    currency: str = UNSET,
    category: Category = UNSET,
    note: str = UNSET,
    paid_by: "User" = UNSET,
    frequency: str = UNSET,
    interval: int = UNSET,
    day: int | None = UNSET,
    weekday: int | None = UNSET,
    start_date: date = UNSET,
    end_date: date | None = UNSET,
    count: int | None = UNSET,
    paused: bool = UNSET,
) -> RecurringRule:
    """Change what is given. Only dates from today on follow the change: what was
    recorded stays. A new schedule starts from its first date on or after today (dates
    missed while the queue was down that the old one still owed are not recorded); a
    paused rule records nothing, and resumed it goes on from today."""
    check_write(user, rule.ledger_id)
    rule = RecurringRule.objects.select_for_update().select_related("category").get(pk=rule.pk)
    before = _details(rule)
    today = rule.created_by.today()
    if amount is not UNSET or currency is not UNSET:
        rule.amount, rule.currency = _money(
            rule.amount if amount is UNSET else amount,
            rule.currency if currency is UNSET else currency,
        )
    if category is not UNSET and category.pk != rule.category_id:
        try:
            check_category(ledger_id=rule.ledger_id, category=category, kind=rule.kind)
        except ValidationError as e:
            raise ValidationError({"category": e.error_list}) from None
        rule.category = category
    if note is not UNSET:
        rule.note = note.strip()[:500]
    if paid_by is not UNSET:
        rule.paid_by = _check_paid_by(rule.ledger, rule.created_by, paid_by)
    given: dict[str, Any] = {
        "frequency": frequency,
        "interval": interval,
        "day": day,
        "weekday": weekday,
        "start_date": start_date,
        "end_date": end_date,
        "count": count,
    }
    changes = {k: v for k, v in given.items() if v is not UNSET}
    if changes:
        when = replace(_when_of(rule), **changes)
        if "frequency" in changes:
            # A new frequency drops the old one's day or weekday, unless given anew.
            when = replace(
                when,
                day=when.day if when.frequency == MONTHLY or "day" in changes else None,
                weekday=when.weekday if when.frequency == WEEKLY or "weekday" in changes else None,
            )
        _, following = _schedule(when, today)
        if when != _when_of(rule):
            for name in _SCHEDULE_FIELDS:
                setattr(rule, name, getattr(when, name))
            rule.next_date = following
    if paused is not UNSET and paused != rule.paused:
        rule.paused_at = timezone.now() if paused else None
        if not paused and rule.next_date is not None and rule.next_date < today:
            rule.next_date = schedule_of(rule).on_or_after(today)
    rule.updated_at = timezone.now()
    rule.full_clean(exclude=["ledger", "created_by", "paid_by", "category"])
    rule.save()
    after = _details(rule)
    changed: dict[str, object] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if paused is not UNSET:
        changed["paused"] = rule.paused
    if changed:
        audit_record(
            source=source,
            action="recurring.update",
            user=user,
            ledger=rule.ledger_id,
            obj=rule,
            details=changed,
        )
    return rule


def _when_of(rule: RecurringRule) -> When:
    return When(
        frequency=rule.frequency,
        interval=rule.interval,
        day=rule.day,
        weekday=rule.weekday,
        start_date=rule.start_date,
        end_date=rule.end_date,
        count=rule.count,
    )


_SKIP_SQL = """
INSERT INTO finance_recurringoccurrence (rule_id, date, status, error, created_at)
VALUES (%s, %s, 'skipped', '', %s)
ON CONFLICT ON CONSTRAINT finance_occurrence_unique_rule_date DO NOTHING
"""


@transaction.atomic
def recurring_skip_next(*, rule: RecurringRule, user: "User", source: str) -> date:
    """Skip the rule's next date: it is claimed as skipped, so it is never recorded.
    Returns the date skipped."""
    check_write(user, rule.ledger_id)
    rule = RecurringRule.objects.select_for_update().get(pk=rule.pk)
    skipped = rule.next_date
    if skipped is None:
        raise ValidationError(NOTHING_TO_SKIP, code="nothing_to_skip")
    with connection.cursor() as cursor:
        cursor.execute(_SKIP_SQL, [rule.pk, skipped, timezone.now()])
    rule.next_date = schedule_of(rule).after(skipped)
    rule.updated_at = timezone.now()
    rule.save(update_fields=["next_date", "updated_at"])
    audit_record(
        source=source,
        action="recurring.skip",
        user=user,
        ledger=rule.ledger_id,
        obj=rule,
        details={"date": skipped.isoformat()},
    )
    return skipped


@transaction.atomic
def recurring_delete(*, rule: RecurringRule, user: "User", source: str) -> bool:
    """Delete the rule: nothing more is recorded, and what it recorded stays. False when
    it was already gone."""
    check_write(user, rule.ledger_id)
    details = {**_details(rule), "note": rule.note}
    deleted, _kinds = RecurringRule.objects.filter(pk=rule.pk).delete()
    if deleted:
        audit_record(
            source=source,
            action="recurring.delete",
            user=user,
            ledger=rule.ledger_id,
            obj=rule,
            details=details,
        )
    return bool(deleted)

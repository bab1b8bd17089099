"""A recurring rule from a person's words ("каждый месяц 1-го аренда 45000"): the schedule's
words say when, and the rest is read as a chat record is."""

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from finance.models import Category, Kind, RecurringRule
from finance.readers import schedule_words
from finance.schedules import MONTHLY, WEEKLY, YEARLY
from finance.selectors.categories import looks_like_income
from finance.services.recurring import INTERVAL_INVALID, When, recurring_create
from finance.services.text import record_from_text
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User

SCHEDULE_NOT_FOUND = _(
    "The text does not say how often; write it, e.g. “каждый месяц 1-го аренда 45000”, "
    "or give the frequency."
)

NO_SUCH_DAY_OF_MONTH = _("No month has this day; write the 1st to the 31st, or “the last day”.")
SEVERAL_WEEKDAYS = _("A regular payment falls on one day of the week; add one for each day.")
NO_SUCH_DAY_OF_YEAR = _("No year has this day; write a day of its month, e.g. “15 марта”.")


def recurring_create_from_text(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    text: str,
    kind: str | None = None,
    currency: str | None = None,
    category: Category | None = None,
    when: When | None = None,
    paid_by: "User | None" = None,
    source: str,
) -> RecurringRule:
    """A rule from what a person typed ("каждый месяц 1-го аренда 45000"): the schedule's
    words say when (`when`, when given, instead), and the rest is read as a chat record
    is (amount, currency, category, note). A `+` or an income word makes an income."""
    words = schedule_words.read(text)
    rest = words.rest if words is not None else text
    if words is not None:
        _check_words(words, interval=when is None)
    if when is None:
        if words is None:
            raise ValidationError(
                {"text": [ValidationError(SCHEDULE_NOT_FOUND, code="schedule_not_found")]}
            )
        when = _when_from_words(words, user.today())
    if kind is None:
        kind = Kind.INCOME if rest.startswith("+") or looks_like_income(rest) else Kind.EXPENSE
    with transaction.atomic():
        # The same reading as a chat record's, saving nothing: its refusals name `text`.
        parsed = record_from_text(
            user=user,
            ledger=ledger,
            kind=kind,
            text=rest.removeprefix("+").strip() or rest,
            currency=currency,
            category=category,
            source=source,
            dry_run=True,
        )
        return recurring_create(
            user=user,
            ledger=parsed.ledger,
            kind=kind,
            amount=parsed.amount,
            currency=parsed.currency,
            category=parsed.category,
            when=when,
            note=parsed.note,
            text=text,
            paid_by=paid_by,
            source=source,
        )


def _check_words(words: schedule_words.ScheduleWords, *, interval: bool) -> None:
    """Words that say when, but say it wrong, are refused rather than half read: "40-го"
    (whose number would otherwise be read as the amount), "вторник и четверг" (one rule
    keeps one weekday), or "every 0 days" (`interval`: when the words' schedule is the one
    used)."""
    if interval and words.interval < 1:
        raise ValidationError(
            {"text": [ValidationError(INTERVAL_INVALID, code="invalid_interval")]}
        )
    if words.several_weekdays:
        raise ValidationError(
            {"text": [ValidationError(SEVERAL_WEEKDAYS, code="several_weekdays")]}
        )
    if words.no_such_day:
        message = NO_SUCH_DAY_OF_YEAR if words.frequency == YEARLY else NO_SUCH_DAY_OF_MONTH
        raise ValidationError({"text": [ValidationError(message, code="invalid_day")]})


def _when_from_words(words: schedule_words.ScheduleWords, today: date) -> When:
    if words.frequency == YEARLY and words.month is not None and words.day is not None:
        # "ежегодно 15 марта": yearly from the next such day.
        start = _next_day_of_year(words.month, words.day, today)
        return When(frequency=YEARLY, interval=words.interval, start_date=start)
    return When(
        frequency=words.frequency,
        interval=words.interval,
        day=words.day if words.frequency == MONTHLY else None,
        weekday=words.weekday if words.frequency == WEEKLY else None,
    )


def _next_day_of_year(month: int, day: int, today: date) -> date:
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 29 February of a common year
            continue
        if candidate >= today:
            return candidate
    raise AssertionError("a day of the year recurs within eight years")

"""Regular payments found in the history: a series of expenses with the same words, in
the same category and currency, of about the same amount, monthly or weekly, at least
three times (`finance.series`), that no rule covers and nobody dismissed."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from finance import series
from finance.models import Category, Kind, RecurringRule, SuggestionDismissal, Transaction
from finance.rules import ledger_or_none_for_read
from finance.schedules import LAST_DAY, Schedule
from finance.selectors.summary import CategoryRef
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User
    from ledgers.models import Ledger

# How far back a series is looked for: a year and a month, so that a monthly one
# shows its rhythm and a yearly payment is not mistaken for anything.
LOOKBACK = timedelta(days=400)


@dataclass(frozen=True)
class Suggestion:
    """A rule the history suggests: `amount` is the last payment's, `next_date` the
    first date after it (not before today) that the rhythm gives."""

    id: str
    kind: str
    category: CategoryRef
    note: str
    amount: Decimal
    currency: str
    frequency: str
    times: int
    last_date: date
    next_date: date
    day: int | None = None
    weekday: int | None = None


def suggestion_id(ledger_id: int, category_id: int, currency: str, key: str, frequency: str) -> str:
    """A suggestion's id: the same series keeps it from one day to the next, so that a
    dismissal holds and an agent may accept by it."""
    raw = f"{ledger_id}:{category_id}:{currency}:{key}:{frequency}".encode()
    return "s" + hashlib.sha256(raw).hexdigest()[:12]


def covers(
    rule: RecurringRule, *, category_id: int, currency: str, key: str, amount: Decimal
) -> bool:
    """Whether `rule` is the regular payment of a record like this one: the same
    category and currency, and the same words (some) or about the same amount."""
    same_words = bool(key) and series.words_key(rule.note) == key
    return (
        rule.category_id == category_id
        and rule.currency == currency
        and (same_words or series.about_the_same(rule.amount, amount))
    )


def suggestion_list(
    *, user: "User", ledger: access.LedgerRef = None, today: date | None = None
) -> list[Suggestion]:
    """The ledger's suggestions (None: the person's active ledger), the next due first."""
    books = ledger_or_none_for_read(user, ledger)
    if books is None:
        return []
    return _suggestions(books, today or user.today())


def suggestion_get(
    *, user: "User", ledger: access.LedgerRef = None, pk: str, today: date | None = None
) -> Suggestion | None:
    return next(
        (s for s in suggestion_list(user=user, ledger=ledger, today=today) if s.id == pk), None
    )


def _suggestions(books: "Ledger", today: date) -> list[Suggestion]:
    rows = (
        Transaction.objects.filter(
            ledger=books, kind=Kind.EXPENSE, date__gte=today - LOOKBACK, date__lte=today
        )
        .exclude(source=Transaction.Source.RECURRING)
        .values_list("category_id", "currency", "note", "date", "amount")
    )
    groups: dict[tuple[int, str, str], list[tuple[series.Payment, str]]] = defaultdict(list)
    for category_id, currency, note, day, amount in rows:
        key = series.words_key(note)
        if key:
            groups[(category_id, currency, key)].append((series.Payment(day, amount), note))
    found = []
    for (category_id, currency, key), payments in groups.items():
        rhythm = series.rhythm([p for p, _note in payments], today=today)
        if rhythm is not None:
            last_note = max(payments, key=lambda p: p[0].day)[1]
            found.append((category_id, currency, key, rhythm, last_note))
    if not found:
        return []
    rules = list(RecurringRule.objects.filter(ledger=books, next_date__isnull=False))
    dismissed = set(
        SuggestionDismissal.objects.filter(ledger=books).values_list("suggestion_id", flat=True)
    )
    categories = {
        c.pk: c for c in Category.objects.filter(pk__in={f[0] for f in found}, is_archived=False)
    }
    suggestions = []
    for category_id, currency, key, rhythm, note in found:
        pk = suggestion_id(books.pk, category_id, currency, key, rhythm.frequency)
        amount = rhythm.last.amount
        covered = any(
            covers(r, category_id=category_id, currency=currency, key=key, amount=amount)
            for r in rules
        )
        category = categories.get(category_id)
        if covered or pk in dismissed or category is None:
            continue
        suggestions.append(_suggestion(pk, category, note, currency, rhythm, today))
    return sorted(suggestions, key=lambda s: (s.next_date, s.note, s.id))


def _suggestion(
    pk: str, category: Category, note: str, currency: str, rhythm: series.Rhythm, today: date
) -> Suggestion:
    last = rhythm.last.day
    day = weekday = None
    if rhythm.frequency == series.MONTHLY:
        day = LAST_DAY if rhythm.month_end else last.day
        schedule = Schedule(frequency="monthly", start=last, day=day)
    else:
        weekday = last.weekday()
        schedule = Schedule(frequency="weekly", start=last, weekday=weekday)
    following = schedule.after(last)
    assert following is not None  # an open-ended schedule always has a next date
    if following < today:
        following = schedule.on_or_after(today) or following
    return Suggestion(
        id=pk,
        kind=Kind.EXPENSE,
        category=CategoryRef(category.pk, category.slug, category.name, category.kind),
        note=note,
        amount=rhythm.last.amount,
        currency=currency,
        frequency=rhythm.frequency,
        times=len(rhythm.payments),
        last_date=last,
        next_date=following,
        day=day,
        weekday=weekday,
    )

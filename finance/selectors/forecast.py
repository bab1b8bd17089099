"""The current month's forecast and what is safe to spend today (docs/recurring.md
defines each figure, with a worked example).

Computed beside the monthly summary, from its figures, never inside its statement:
`forecast_for` takes the summary already read and adds the recurring rules' dates still
due and the ledger's variable spending of the last three months.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Min, Q

from core import db, money
from finance.models import Kind, RecurringRule, Transaction
from finance.months import add_months, month_bounds
from finance.rates.lookup import MissingExchangeRate, exchange_rate
from finance.selectors.recurring import dates_due
from finance.selectors.suggestions import covers
from finance.selectors.summary import CategoryRef, MonthlySummary
from finance.selectors.totals import monthly_totals
from finance.series import words_key
from ledgers import access
from ledgers.models import Membership

if TYPE_CHECKING:
    from accounts.models import User
    from ledgers.models import Ledger

# The variable spending is averaged over this many whole months before the current one.
HISTORY_MONTHS = 3


@dataclass(frozen=True)
class DueOccurrence:
    """A date of an expense rule still to be recorded this month. `converted` is its
    amount in the forecast's currency (None: no rate converts it, so it is left out)."""

    rule_id: int
    date: date
    amount: Decimal
    currency: str
    category: CategoryRef
    note: str
    converted: Decimal | None


@dataclass(frozen=True)
class Forecast:
    month: date
    currency: str
    today: date
    days_left: int  # today included
    spent: Decimal
    recurring_due_total: Decimal
    average_daily: Decimal
    forecast: Decimal
    # The month's expense plan; None when it has none, and then no safe-to-spend either.
    plan: Decimal | None
    safe_to_spend_today: Decimal | None
    recurring_due: list[DueOccurrence] = field(default_factory=list)


def forecast_for(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    summary: MonthlySummary,
    today: date | None = None,
) -> Forecast | None:
    """The forecast for `summary`'s month, when it is the current one (`today`'s, the
    person's by default); None for any other month."""
    today = today or user.today()
    if summary.month != today.replace(day=1):
        return None
    # The membership, read once and handed on: the three months' totals need no other.
    try:
        member: Membership | None = access.member_of(user=user, ledger=ledger)
    except access.NoLedgerYet:
        member = None
    books = member.ledger if member is not None else None
    target = summary.currency
    quantum = money.quantum(target)
    first, last = month_bounds(today)
    days_left = (last - today).days + 1

    spent = summary.expense
    due: list[DueOccurrence] = []
    average = Decimal(0)
    if books is not None:
        # Every rule of the ledger, read once: the expense ones still due make
        # `recurring_due`, and all of them say what of the history they cover.
        rules = list(
            RecurringRule.objects.filter(ledger=books, next_date__isnull=False).select_related(
                "category"
            )
        )
        due = _due(rules, target, first, last, today)
        assert member is not None
        average = _average_daily(user, member, rules, target, first)
    due_total = sum((d.converted for d in due if d.converted is not None), Decimal(0))
    average = average.quantize(quantum, ROUND_HALF_UP)
    forecast = spent + due_total + average * days_left

    plan = sum(
        (line.planned for line in summary.categories if line.kind == Kind.EXPENSE), Decimal(0)
    )
    safe = None
    if plan > 0:
        left = (plan - spent - due_total) / days_left
        safe = max(left, Decimal(0)).quantize(quantum, ROUND_DOWN)
    return Forecast(
        month=first,
        currency=target,
        today=today,
        days_left=days_left,
        spent=spent,
        recurring_due_total=due_total.quantize(quantum, ROUND_HALF_UP),
        average_daily=average,
        forecast=forecast.quantize(quantum, ROUND_HALF_UP),
        plan=plan if plan > 0 else None,
        safe_to_spend_today=safe,
        recurring_due=due,
    )


def _due(
    rules: list[RecurringRule], target: str, first: date, last: date, today: date
) -> list[DueOccurrence]:
    """The expense rules' dates from the first not yet recorded to the month's end."""
    rates: dict[str, Decimal | None] = {}
    found = []
    for rule in rules:
        if rule.kind != Kind.EXPENSE:
            continue
        for day in dates_due(rule, first=first, last=last):
            if rule.currency not in rates:
                rates[rule.currency] = _rate(rule.currency, target, today)
            rate = rates[rule.currency]
            category = rule.category
            found.append(
                DueOccurrence(
                    rule_id=rule.pk,
                    date=day,
                    amount=rule.amount,
                    currency=rule.currency,
                    category=CategoryRef(category.pk, category.slug, category.name, category.kind),
                    note=rule.note,
                    converted=(
                        (rule.amount * rate).quantize(money.quantum(target), ROUND_HALF_UP)
                        if rate is not None
                        else None
                    ),
                )
            )
    return sorted(found, key=lambda d: (d.date, d.rule_id))


def _rate(base: str, quote: str, on: date) -> Decimal | None:
    try:
        return exchange_rate(base=base, quote=quote, on=on)
    except MissingExchangeRate:
        return None


def _average_daily(
    user: "User", member: Membership, rules: list[RecurringRule], target: str, month: date
) -> Decimal:
    """The variable spending per day over the HISTORY_MONTHS whole months before
    `month`: their expense (as the summary counts it) less what a rule recorded or
    covers, over the days since the window began or the ledger's first record, if later."""
    books = member.ledger
    window_first = add_months(month, -HISTORY_MONTHS)
    window_last = month - timedelta(days=1)
    earliest: date | None = Transaction.objects.filter(ledger=books).aggregate(first=Min("date"))[
        "first"
    ]
    if earliest is None or earliest > window_last:
        return Decimal(0)
    days = (window_last - max(window_first, earliest)).days + 1
    # Past months: read where heavy reads go (a replica a little behind is fine).
    using = db.heavy_reads()
    totals = monthly_totals(
        user=user,
        ledger=member,
        last_month=add_months(month, -1),
        months=HISTORY_MONTHS,
        currency=target,
        using=using,
    )
    spending = sum((t.expense for t in totals), Decimal(0))
    covered = _covered(books, rules, target, window_first, window_last, using)
    variable = max(spending - covered, Decimal(0))
    return variable / days


def _covered(
    books: "Ledger",
    rules: list[RecurringRule],
    target: str,
    first: date,
    last: date,
    using: str = db.PRIMARY,
) -> Decimal:
    """What rules recorded, or cover, among the window's expenses, in `target` (each at
    its date's rate; what no rate converts the totals left out already)."""
    rows = (
        Transaction.objects.using(using)
        .filter(ledger=books, kind=Kind.EXPENSE, date__gte=first, date__lte=last)
        .filter(
            Q(source=Transaction.Source.RECURRING)
            | Q(category_id__in={r.category_id for r in rules})
        )
    )
    quantum = money.quantum(target)
    rates: dict[tuple[str, date], Decimal | None] = {}
    total = Decimal(0)
    for source, category_id, currency, note, day, amount in rows.values_list(
        "source", "category_id", "currency", "note", "date", "amount"
    ):
        if source != Transaction.Source.RECURRING:
            key = words_key(note)
            if not any(
                covers(r, category_id=category_id, currency=currency, key=key, amount=amount)
                for r in rules
            ):
                continue
        if currency != target:
            if (currency, day) not in rates:
                rates[(currency, day)] = _rate(currency, target, day)
            rate = rates[(currency, day)]
            if rate is None:
                continue
            amount = (amount * rate).quantize(quantum, ROUND_HALF_UP)
        total += amount
    return total

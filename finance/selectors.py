"""Reads of the money domain. Aggregates run in SQL; Python sees one row per group."""

import calendar
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from finance import currencies
from finance.models import BudgetItem, Category, Kind, Transaction
from finance.services import normalize_alias

if TYPE_CHECKING:
    from accounts.models import User

MONTH_INVALID = _("A month is written YYYY-MM, for example 2026-11.")
RATE_MISSING = _("No exchange rate from %(base)s to %(quote)s on or before %(date)s.")
# ASCII digits and nothing after them: `\d` would take "٢٠٢٦-١١", `$` a final newline.
MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})\Z")


class MissingExchangeRate(ValidationError):
    def __init__(self, base: str, quote: str, on: date) -> None:
        self.base, self.quote, self.on = base, quote, on
        super().__init__(
            RATE_MISSING,
            code="exchange_rate_missing",
            params={"base": base, "quote": quote, "date": on.isoformat()},
        )


def parse_month(value: str) -> date:
    """'2026-11' -> date(2026, 11, 1), or ValidationError(code="invalid_month")."""
    match = MONTH_RE.match(value)
    # Up to 9998: pages step to the next month, and date() ends with the year 9999.
    if not match or not (1 <= int(match[2]) <= 12) or not 1900 <= int(match[1]) <= 9998:
        raise ValidationError(MONTH_INVALID, code="invalid_month")
    return date(int(match[1]), int(match[2]), 1)


def month_bounds(month: date) -> tuple[date, date]:
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1), month.replace(day=last)


def category_list(
    *, user: "User", kind: str | None = None, include_archived: bool = False
) -> list[Category]:
    categories = Category.objects.for_user(user)
    if kind:
        categories = categories.filter(kind=kind)
    if not include_archived:
        categories = categories.active()
    return list(categories.order_by("kind", "name"))


CATEGORY_NOT_FOUND = _("No such category.")
CATEGORY_AMBIGUOUS = _("“%(reference)s” names several categories: %(slugs)s. Use the id.")


def category_find(*, user: "User", reference: str) -> Category:
    """One of the user's categories by slug, name or keyword, for a person or an agent who
    names it in words; an expense category wins a tie between kinds (budgets are mostly
    for spending)."""
    reference = " ".join(reference.split())
    categories = Category.objects.for_user(user)
    found = categories.filter(slug__iexact=reference).first()
    if found is not None:
        return found
    active = categories.active()
    candidates = list(active.filter(name__iexact=reference)) or list(
        active.filter(aliases__word=normalize_alias(reference)).distinct()
    )
    if len(candidates) > 1:
        expenses = [c for c in candidates if c.kind == Kind.EXPENSE]
        candidates = expenses or candidates
    if not candidates:
        raise ValidationError(CATEGORY_NOT_FOUND, code="category_not_found")
    if len(candidates) > 1:
        raise ValidationError(
            CATEGORY_AMBIGUOUS,
            code="category_ambiguous",
            params={"reference": reference, "slugs": ", ".join(sorted(c.slug for c in candidates))},
        )
    return candidates[0]


# "The latest rate on or before a day": stored directly, stored the other way round,
# or crossed through the pivot currency (the ECB publishes everything against EUR).
_LATEST = (
    "(SELECT r.rate FROM finance_exchangerate r"
    " WHERE r.base = {base} AND r.quote = {quote} AND r.date <= {day}"
    " ORDER BY r.date DESC LIMIT 1)"
)


def _rate_sql(base: str, quote: str, day: str, pivot: str) -> str:
    """SQL for the rate from `base` to `quote` on `day` (each an SQL expression), or NULL."""
    direct = _LATEST.format(base=base, quote=quote, day=day)
    inverse = _LATEST.format(base=quote, quote=base, day=day)
    via_pivot_quote = _LATEST.format(base=pivot, quote=quote, day=day)
    via_pivot_base = _LATEST.format(base=pivot, quote=base, day=day)
    return f"COALESCE({direct}, 1 / {inverse}, {via_pivot_quote} / {via_pivot_base})"


def exchange_rate(*, base: str, quote: str, on: date) -> Decimal:
    """The rate converting one `base` into `quote` on `on`, or MissingExchangeRate."""
    if base == quote:
        return Decimal(1)
    sql = "SELECT " + _rate_sql("%(base)s", "%(quote)s", "%(on)s", "%(pivot)s")
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"base": base, "quote": quote, "on": on, "pivot": settings.EXCHANGE_RATE_PIVOT}
        )
        (rate,) = cursor.fetchone()
    if rate is None:
        raise MissingExchangeRate(base, quote, on)
    return Decimal(rate)


# Prepared statements live as long as their database connection; this remembers which
# connections (the driver's objects) already hold which statements.
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _execute_prepared(cursor: Any, name: str, sql: str, args: Sequence[Any]) -> None:
    """Run `sql` (with $1, $2... parameters) as a statement prepared once per connection.

    For a statement that is planned longer than it runs, this saves the planning on
    every call after the first. It needs a session of its own on the server: a
    transaction-pooling pgbouncer in between would lose the statement.
    """
    names = _prepared.setdefault(connection.connection, set())
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {sql}")
        names.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(args))})", args)


@dataclass(frozen=True)
class CategoryRef:
    id: int
    slug: str
    name: str
    kind: str


@dataclass
class CategoryLine:
    category: CategoryRef
    planned: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)

    @property
    def kind(self) -> str:
        return self.category.kind

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent

    @property
    def overspent(self) -> Decimal:
        return max(self.spent - self.planned, Decimal(0)) if self.over_budget else Decimal(0)

    @property
    def over_budget(self) -> bool:
        return self.kind == Kind.EXPENSE and self.planned > 0 and self.spent > self.planned


@dataclass
class MonthlySummary:
    month: date
    currency: str
    income: Decimal
    expense: Decimal
    categories: list[CategoryLine] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.income - self.expense


# One statement: the month's transactions grouped per category and currency (and per
# day only where a conversion is needed, since each day has its own rate), the month's
# budget items beside them, and one rate lookup (a few index probes) per currency and
# day to convert. `rates` is MATERIALIZED so that no plan, the generic one of the
# prepared statement included, repeats the lookups once per joined row. Parameters: $1 user id, $2 first day, $3 last day, $4 target
# currency, $5 pivot currency.
_SUMMARY_STATEMENT = "finance_monthly_summary_v1"
_SUMMARY_SQL = """
WITH lines AS (
    SELECT 'spent' AS measure, t.category_id, t.currency,
           CASE WHEN t.currency = $4 THEN NULL ELSE t.date END AS day,
           SUM(t.amount) AS amount
    FROM finance_transaction t
    WHERE t.user_id = $1 AND t.date >= $2 AND t.date <= $3
    GROUP BY t.category_id, t.currency, 4
    UNION ALL
    SELECT 'planned', b.category_id, b.currency,
           CASE WHEN b.currency = $4 THEN NULL ELSE $3 END,
           b.planned_amount
    FROM finance_budgetitem b
    WHERE b.user_id = $1 AND b.month = $2
), rates AS MATERIALIZED (
    SELECT d.currency, d.day, {rate} AS rate
    FROM (SELECT DISTINCT currency, day FROM lines WHERE day IS NOT NULL) d
)
SELECT l.measure, c.id, c.slug, c.name, c.kind, l.currency, l.day, l.amount, r.rate
FROM lines l
JOIN finance_category c ON c.id = l.category_id AND c.user_id = $1
LEFT JOIN rates r ON r.currency = l.currency AND r.day = l.day
""".format(rate=_rate_sql("d.currency", "$4", "d.day", "$5"))


def monthly_summary(*, user: "User", month: date, currency: str | None = None) -> MonthlySummary:
    """Income, expense and per-category plan against spending for one month.

    Each transaction is converted at the rate of its own date; a budget item at the
    rate of the month's last day. Per-category figures are rounded to the target
    currency's minor unit, and the totals are the sums of the rounded figures.
    """
    target = currencies.normalize_code(currency or user.default_currency)
    start, end = month_bounds(month)
    args = [user.pk, start, end, target, settings.EXCHANGE_RATE_PIVOT]
    with connection.cursor() as cursor:
        _execute_prepared(cursor, _SUMMARY_STATEMENT, _SUMMARY_SQL, args)
        rows: Sequence[tuple[Any, ...]] = cursor.fetchall()

    lines: dict[int, CategoryLine] = {}
    for measure, cat_id, slug, name, kind, row_currency, day, amount, rate in rows:
        if day is not None:
            if rate is None:
                raise MissingExchangeRate(row_currency, target, day)
            amount *= rate
        line = lines.get(cat_id)
        if line is None:
            line = lines[cat_id] = CategoryLine(CategoryRef(cat_id, slug, name, kind))
        if measure == "spent":
            line.spent += amount
        else:
            line.planned += amount

    quantum = currencies.quantum(target)
    for line in lines.values():
        line.spent = line.spent.quantize(quantum, ROUND_HALF_UP)
        line.planned = line.planned.quantize(quantum, ROUND_HALF_UP)
    ordered = sorted(lines.values(), key=lambda x: (x.kind != Kind.EXPENSE, x.category.name))
    return MonthlySummary(
        month=start,
        currency=target,
        income=sum((x.spent for x in ordered if x.kind == Kind.INCOME), Decimal(0)),
        expense=sum((x.spent for x in ordered if x.kind == Kind.EXPENSE), Decimal(0)),
        categories=ordered,
    )


def transaction_list(
    *,
    user: "User",
    month: date | None = None,
    category_id: int | None = None,
    kind: str | None = None,
    source: str | None = None,
) -> "QuerySet[Transaction]":
    """One user's transactions, newest first, narrowed by whichever filters are given."""
    transactions = Transaction.objects.for_user(user).select_related("category")
    if month is not None:
        start, end = month_bounds(month)
        transactions = transactions.filter(date__gte=start, date__lte=end)
    if category_id is not None:
        transactions = transactions.filter(category_id=category_id)
    if kind:
        transactions = transactions.filter(kind=kind)
    if source:
        transactions = transactions.filter(source=source)
    return transactions.order_by("-date", "-id")


@dataclass(frozen=True)
class MonthTotals:
    month: date
    income: Decimal
    expense: Decimal

    @property
    def balance(self) -> Decimal:
        return self.income - self.expense


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


# As in the summary: grouped per month, category and currency (and per day where a
# conversion is needed), so each month's figures round exactly as the dashboard's do;
# one rate lookup per currency and day, MATERIALIZED for the same reason as there.
_TOTALS_SQL = """
WITH lines AS (
    SELECT date_trunc('month', t.date)::date AS month, t.category_id, t.kind, t.currency,
           CASE WHEN t.currency = %(target)s THEN NULL ELSE t.date END AS day,
           SUM(t.amount) AS amount
    FROM finance_transaction t
    WHERE t.user_id = %(user_id)s AND t.date >= %(start)s AND t.date <= %(end)s
    GROUP BY 1, 2, 3, 4, 5
), rates AS MATERIALIZED (
    SELECT d.currency, d.day, {rate} AS rate
    FROM (SELECT DISTINCT currency, day FROM lines WHERE day IS NOT NULL) d
)
SELECT l.month, l.category_id, l.kind, l.currency, l.day, l.amount, r.rate
FROM lines l
LEFT JOIN rates r ON r.currency = l.currency AND r.day = l.day
""".format(rate=_rate_sql("d.currency", "%(target)s", "d.day", "%(pivot)s"))


def monthly_totals(
    *, user: "User", last_month: date, months: int = 12, currency: str | None = None
) -> list[MonthTotals]:
    """Income and expense for each of the `months` months ending with `last_month`, oldest first."""
    target = currencies.normalize_code(currency or user.default_currency)
    first = add_months(last_month.replace(day=1), -(months - 1))
    params: dict[str, Any] = {
        "user_id": user.pk,
        "start": first,
        "end": month_bounds(last_month)[1],
        "target": target,
        "pivot": settings.EXCHANGE_RATE_PIVOT,
    }
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL, params)
        rows: Sequence[tuple[Any, ...]] = cursor.fetchall()

    per_category: dict[tuple[date, int, str], Decimal] = {}
    for month, category_id, kind, row_currency, day, amount, rate in rows:
        if day is not None:
            if rate is None:
                raise MissingExchangeRate(row_currency, target, day)
            amount *= rate
        key = (month, category_id, kind)
        per_category[key] = per_category.get(key, Decimal(0)) + amount

    quantum = currencies.quantum(target)
    sums: dict[tuple[date, str], Decimal] = {}
    for (month, _category_id, kind), amount in per_category.items():
        sums[(month, kind)] = sums.get((month, kind), Decimal(0)) + amount.quantize(
            quantum, ROUND_HALF_UP
        )
    result = []
    for i in range(months):
        month = add_months(first, i)
        result.append(
            MonthTotals(
                month=month,
                income=sums.get((month, Kind.INCOME), Decimal(0)),
                expense=sums.get((month, Kind.EXPENSE), Decimal(0)),
            )
        )
    return result


@dataclass(frozen=True)
class BudgetRow:
    category: Category
    item: BudgetItem | None  # this month's plan, in its own currency
    previous: BudgetItem | None  # last month's, a hint when planning this one
    spent: Decimal | None  # in the summary's currency; None when a rate is missing
    over_budget: bool = False  # spent more than planned, both converted as the summary does


@dataclass(frozen=True)
class BudgetPage:
    month: date
    currency: str
    rows: list[BudgetRow]
    missing_rate: MissingExchangeRate | None


def budget_page(*, user: "User", month: date) -> BudgetPage:
    """Each active category with this month's plan, last month's, and what was spent."""
    start = month.replace(day=1)
    previous = add_months(start, -1)
    items = {
        (b.month, b.category_id): b
        for b in BudgetItem.objects.filter(user=user, month__in=[start, previous])
    }
    lines: dict[int, CategoryLine] | None
    missing_rate = None
    try:
        summary = monthly_summary(user=user, month=start)
        lines = {line.category.id: line for line in summary.categories}
    except MissingExchangeRate as e:
        lines, missing_rate = None, e
    rows = []
    for category in category_list(user=user):
        line = None if lines is None else lines.get(category.pk)
        rows.append(
            BudgetRow(
                category=category,
                item=items.get((start, category.pk)),
                previous=items.get((previous, category.pk)),
                spent=None if lines is None else (line.spent if line else Decimal(0)),
                over_budget=line is not None and line.over_budget,
            )
        )
    return BudgetPage(
        month=start, currency=user.default_currency, rows=rows, missing_rate=missing_rate
    )

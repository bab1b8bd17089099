"""Reads of the money domain. Aggregates run in SQL; Python sees one row per group."""

import calendar
import functools
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
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core import money
from finance import textparse
from finance.defaults import parser_entries
from finance.models import (
    BudgetItem,
    Category,
    ExchangeRate,
    ExchangeRateRequest,
    Kind,
    Transaction,
)
from finance.services import normalize_alias
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User
    from ledgers.models import Ledger

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


def _books(user: "User", ledger: access.LedgerRef) -> "Ledger":
    """The ledger a read is about, when `user` is a member (None: their active ledger)."""
    return access.member_of(user=user, ledger=ledger).ledger


def category_list(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    kind: str | None = None,
    include_archived: bool = False,
) -> list[Category]:
    categories = Category.objects.for_ledger(_books(user, ledger))
    if kind:
        categories = categories.filter(kind=kind)
    if not include_archived:
        categories = categories.active()
    return list(categories.order_by("kind", "name"))


CATEGORY_NOT_FOUND = _("No such category.")
CATEGORY_AMBIGUOUS = _("“%(reference)s” names several categories: %(slugs)s. Use the id.")


def category_find(
    *, user: "User", ledger: access.LedgerRef = None, reference: str, kind: str | None = None
) -> Category:
    """One of the ledger's categories by slug, name or keyword, for a person or an agent
    who names it in words; a category of `kind` (expense when not given: budgets are
    mostly for spending) wins a tie between kinds."""
    reference = " ".join(reference.split())
    categories = Category.objects.for_ledger(_books(user, ledger))
    found = categories.filter(slug__iexact=reference).first()
    if found is not None:
        return found
    active = categories.active()
    word = normalize_alias(reference)
    candidates = list(active.filter(name__iexact=reference)) or list(
        active.filter(aliases__word=word)
        .filter(Q(aliases__user__isnull=True) | Q(aliases__user=user))
        .distinct()
    )
    if len(candidates) > 1:
        preferred = [c for c in candidates if c.kind == (kind or Kind.EXPENSE)]
        candidates = preferred or candidates
    if not candidates:
        raise ValidationError(CATEGORY_NOT_FOUND, code="category_not_found")
    if len(candidates) > 1:
        raise ValidationError(
            CATEGORY_AMBIGUOUS,
            code="category_ambiguous",
            params={"reference": reference, "slugs": ", ".join(sorted(c.slug for c in candidates))},
        )
    return candidates[0]


def category_get(*, user: "User", ledger: access.LedgerRef = None, pk: int) -> Category:
    """One of the ledger's categories by id; another ledger's is as unknown as a missing one."""
    category = Category.objects.for_ledger(_books(user, ledger)).filter(pk=pk).first()
    if category is None:
        raise ValidationError(CATEGORY_NOT_FOUND, code="category_not_found")
    return category


# Words that name an income whatever the person asked for: a salary, a fee, interest.
_INCOME_SLUGS = ("salary", "freelance", "interest")


@functools.cache
def _income_words() -> textparse.CategoryIndex:
    entries = parser_entries(_INCOME_SLUGS)
    # The default keywords only: the shipped vocabulary's broader income words (`tips`,
    # `paid`, `client`) name expenses too often to warn about.
    return textparse.CategoryIndex(entries, {}, vocabulary=False)


def looks_like_income(note: str) -> bool:
    """True when a note (`зарплата`, `salary for may`) names an income."""
    return _income_words().match(Kind.INCOME, textparse.words.tokens(note)) is not None


# "The latest rate on or before a day": stored directly, stored the other way round,
# or crossed through a pivot currency: the ECB publishes everything against EUR
# (EUR -> X), the Bank of Russia everything in roubles (X -> RUB). Two sources may hold
# the same pair on the same day; the tie is broken by source name, so it is stable,
# and in the unique index's order read backwards, so it costs no sort.
_LATEST = (
    "(SELECT r.rate FROM finance_exchangerate r"
    " WHERE r.base = {base} AND r.quote = {quote} AND r.date <= {day}"
    " ORDER BY r.date DESC, r.source DESC LIMIT 1)"
)


def _rate_sql(base: str, quote: str, day: str, pivots: Sequence[str]) -> str:
    """SQL for the rate from `base` to `quote` on `day` (each an SQL expression), or NULL."""

    def latest(b: str, q: str) -> str:
        return _LATEST.format(base=b, quote=q, day=day)

    terms = [latest(base, quote), f"1 / {latest(quote, base)}"]
    for p in pivots:
        # One quotient per way the two legs may be stored, so no inverse is rounded
        # before it is multiplied.
        terms += [
            f"{latest(p, quote)} / {latest(p, base)}",
            f"{latest(base, p)} / {latest(quote, p)}",
            f"{latest(base, p)} * {latest(p, quote)}",
            f"1 / ({latest(p, base)} * {latest(quote, p)})",
        ]
    return f"COALESCE({', '.join(terms)})"


def rate_pivots() -> tuple[str, str]:
    """The two pivot currencies the rate SQL crosses through (one, given twice, if so set)."""
    pivots = list(settings.EXCHANGE_RATE_PIVOTS)
    return (pivots[0], pivots[-1])


def exchange_rate_request_oldest(*, before: date) -> date | None:
    """The oldest day before `before` a transaction asked a rate for, if any."""
    oldest: date | None = (
        ExchangeRateRequest.objects.filter(date__lt=before)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return oldest


def exchange_rate(*, base: str, quote: str, on: date) -> Decimal:
    """The rate converting one `base` into `quote` on `on`, or MissingExchangeRate."""
    if base == quote:
        return Decimal(1)
    sql = "SELECT " + _rate_sql("%(base)s", "%(quote)s", "%(on)s", ["%(p1)s", "%(p2)s"])
    p1, p2 = rate_pivots()
    with connection.cursor() as cursor:
        cursor.execute(sql, {"base": base, "quote": quote, "on": on, "p1": p1, "p2": p2})
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


@dataclass(frozen=True)
class Unconverted:
    """Money of one kind and currency a summary left out: no rate converts it."""

    kind: str
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class MissingRate:
    base: str
    quote: str
    on: date


@dataclass
class MemberLine:
    """What one member paid in the month (a removed member's rows still count)."""

    user_id: int
    name: str
    expense: Decimal = Decimal(0)
    income: Decimal = Decimal(0)


@dataclass
class MonthlySummary:
    """The month in one currency. The totals, per-category and per-member figures exclude
    what is in `unconverted` (and plans whose rate is missing); `missing_rates` says why."""

    month: date
    currency: str
    income: Decimal
    expense: Decimal
    categories: list[CategoryLine] = field(default_factory=list)
    members: list[MemberLine] = field(default_factory=list)
    unconverted: list[Unconverted] = field(default_factory=list)
    missing_rates: list[MissingRate] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.income - self.expense


# One statement: the month's transactions grouped per category and currency (and per
# day only where a conversion is needed, since each day has its own rate), the month's
# budget items beside them, and one rate lookup (a few index probes) per currency and
# day to convert. `rates` is MATERIALIZED so that no plan, the generic one of the
# prepared statement included, repeats the lookups once per joined row. Spending is
# grouped per member too (who paid), for the breakdown by member. Parameters: $1 ledger
# id, $2 first day, $3 last day, $4 target currency, $5 and $6 the pivots.
_SUMMARY_STATEMENT = "finance_monthly_summary_v4"
_SUMMARY_SQL = """
WITH lines AS (
    SELECT 'spent' AS measure, t.category_id, t.paid_by_id, t.currency,
           CASE WHEN t.currency = $4 THEN NULL ELSE t.date END AS day,
           SUM(t.amount) AS amount
    FROM finance_transaction t
    WHERE t.ledger_id = $1 AND t.date >= $2 AND t.date <= $3
    GROUP BY t.category_id, t.paid_by_id, t.currency, 5
    UNION ALL
    SELECT 'planned', b.category_id, NULL, b.currency,
           CASE WHEN b.currency = $4 THEN NULL ELSE $3 END,
           b.planned_amount
    FROM finance_budgetitem b
    WHERE b.ledger_id = $1 AND b.month = $2
), rates AS MATERIALIZED (
    SELECT d.currency, d.day, {rate} AS rate
    FROM (SELECT DISTINCT currency, day FROM lines WHERE day IS NOT NULL) d
)
SELECT l.measure, c.id, c.slug, c.name, c.kind, l.paid_by_id, u.username,
       l.currency, l.day, l.amount, r.rate
FROM lines l
JOIN finance_category c ON c.id = l.category_id AND c.ledger_id = $1
LEFT JOIN accounts_user u ON u.id = l.paid_by_id
LEFT JOIN rates r ON r.currency = l.currency AND r.day = l.day
""".format(rate=_rate_sql("d.currency", "$4", "d.day", ["$5", "$6"]))


def _rates_known(currency: str) -> bool:
    return ExchangeRate.objects.filter(Q(base=currency) | Q(quote=currency)).exists()


def monthly_summary(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    month: date,
    currency: str | None = None,
) -> MonthlySummary:
    """Income, expense, per-category plan against spending and per-member spending for
    one month of `ledger` (None: the person's active ledger), in `currency` (None: the
    ledger's).

    Each transaction is converted at the rate of its own date; a budget item at the
    rate of the month's last day. Per-category figures are rounded to the target
    currency's minor unit, and the totals are the sums of the rounded figures. What no
    rate converts is left out and listed (`unconverted`, `missing_rates`); only a target
    currency the caller asked for that no stored rate mentions at all is refused
    (MissingExchangeRate), since nothing in it could be right.
    """
    books = _books(user, ledger)
    target = money.normalize_code(currency or books.default_currency)
    start, end = month_bounds(month)
    args = [books.pk, start, end, target, *rate_pivots()]
    with connection.cursor() as cursor:
        _execute_prepared(cursor, _SUMMARY_STATEMENT, _SUMMARY_SQL, args)
        rows: Sequence[tuple[Any, ...]] = cursor.fetchall()

    lines: dict[int, CategoryLine] = {}
    members: dict[int, MemberLine] = {}
    unconverted: dict[tuple[str, str], Decimal] = {}
    missing: set[MissingRate] = set()
    for (
        measure,
        cat_id,
        slug,
        name,
        kind,
        payer,
        payer_name,
        row_currency,
        day,
        amount,
        rate,
    ) in rows:
        line = lines.get(cat_id)
        if line is None:
            line = lines[cat_id] = CategoryLine(CategoryRef(cat_id, slug, name, kind))
        if day is not None:
            if rate is None:
                missing.add(MissingRate(row_currency, target, day))
                if measure == "spent":
                    key = (kind, row_currency)
                    unconverted[key] = unconverted.get(key, Decimal(0)) + amount
                continue
            amount *= rate
        if measure == "spent":
            line.spent += amount
            member = members.get(payer)
            if member is None:
                member = members[payer] = MemberLine(payer, payer_name)
            if kind == Kind.EXPENSE:
                member.expense += amount
            else:
                member.income += amount
        else:
            line.planned += amount

    if missing and currency and target != books.default_currency and not _rates_known(target):
        first = min(missing, key=lambda m: (m.on, m.base))
        raise MissingExchangeRate(first.base, first.quote, first.on)

    quantum = money.quantum(target)
    for line in lines.values():
        line.spent = line.spent.quantize(quantum, ROUND_HALF_UP)
        line.planned = line.planned.quantize(quantum, ROUND_HALF_UP)
    for member in members.values():
        member.expense = member.expense.quantize(quantum, ROUND_HALF_UP)
        member.income = member.income.quantize(quantum, ROUND_HALF_UP)
    ordered = sorted(lines.values(), key=lambda x: (x.kind != Kind.EXPENSE, x.category.name))
    return MonthlySummary(
        month=start,
        currency=target,
        income=sum((x.spent for x in ordered if x.kind == Kind.INCOME), Decimal(0)),
        expense=sum((x.spent for x in ordered if x.kind == Kind.EXPENSE), Decimal(0)),
        categories=ordered,
        members=sorted(members.values(), key=lambda m: (-m.expense, m.name)),
        unconverted=[
            Unconverted(kind, code, amount)
            for (kind, code), amount in sorted(
                unconverted.items(), key=lambda item: (item[0][0] != Kind.EXPENSE, item[0][1])
            )
        ],
        missing_rates=sorted(missing, key=lambda m: (m.base, m.on)),
    )


def transaction_list(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    month: date | None = None,
    category_id: int | None = None,
    kind: str | None = None,
    source: str | None = None,
    paid_by_id: int | None = None,
) -> "QuerySet[Transaction]":
    """One ledger's transactions (None: the person's active ledger), newest first,
    narrowed by whichever filters are given."""
    transactions = Transaction.objects.for_ledger(_books(user, ledger)).select_related(
        "category", "paid_by"
    )
    if month is not None:
        start, end = month_bounds(month)
        transactions = transactions.filter(date__gte=start, date__lte=end)
    if category_id is not None:
        transactions = transactions.filter(category_id=category_id)
    if kind:
        transactions = transactions.filter(kind=kind)
    if source:
        transactions = transactions.filter(source=source)
    if paid_by_id is not None:
        transactions = transactions.filter(paid_by_id=paid_by_id)
    return transactions.order_by("-date", "-id")


def transaction_get(
    *, user: "User", ledger: access.LedgerRef = None, pk: int, for_update: bool = False
) -> Transaction | None:
    """One transaction of the ledger, or None (another ledger's is as unknown as none)."""
    rows = Transaction.objects.for_ledger(_books(user, ledger)).select_related("category")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    return rows.filter(pk=pk).first()


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
    WHERE t.ledger_id = %(ledger_id)s AND t.date >= %(start)s AND t.date <= %(end)s
    GROUP BY 1, 2, 3, 4, 5
), rates AS MATERIALIZED (
    SELECT d.currency, d.day, {rate} AS rate
    FROM (SELECT DISTINCT currency, day FROM lines WHERE day IS NOT NULL) d
)
SELECT l.month, l.category_id, l.kind, l.currency, l.day, l.amount, r.rate
FROM lines l
LEFT JOIN rates r ON r.currency = l.currency AND r.day = l.day
""".format(rate=_rate_sql("d.currency", "%(target)s", "d.day", ["%(p1)s", "%(p2)s"]))


def monthly_totals(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    last_month: date,
    months: int = 12,
    currency: str | None = None,
) -> list[MonthTotals]:
    """Income and expense for each of the `months` months ending with `last_month`, oldest
    first, leaving out what no rate converts (as monthly_summary does)."""
    books = _books(user, ledger)
    target = money.normalize_code(currency or books.default_currency)
    first = add_months(last_month.replace(day=1), -(months - 1))
    params: dict[str, Any] = {
        "ledger_id": books.pk,
        "start": first,
        "end": month_bounds(last_month)[1],
        "target": target,
        "p1": rate_pivots()[0],
        "p2": rate_pivots()[1],
    }
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL, params)
        rows: Sequence[tuple[Any, ...]] = cursor.fetchall()

    per_category: dict[tuple[date, int, str], Decimal] = {}
    for month, category_id, kind, _currency, day, amount, rate in rows:
        if day is not None:
            if rate is None:
                continue
            amount *= rate
        key = (month, category_id, kind)
        per_category[key] = per_category.get(key, Decimal(0)) + amount

    quantum = money.quantum(target)
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
    spent: Decimal  # in the summary's currency, leaving out what no rate converts
    over_budget: bool = False  # spent more than planned, both converted as the summary does


@dataclass(frozen=True)
class BudgetPage:
    month: date
    currency: str
    rows: list[BudgetRow]
    summary: MonthlySummary


def budget_page(*, user: "User", ledger: access.LedgerRef = None, month: date) -> BudgetPage:
    """Each active category with this month's plan, last month's, and what was spent."""
    member = access.member_of(user=user, ledger=ledger)
    books = member.ledger
    start = month.replace(day=1)
    previous = add_months(start, -1)
    items = {
        (b.month, b.category_id): b
        for b in BudgetItem.objects.filter(ledger=books, month__in=[start, previous])
    }
    summary = monthly_summary(user=user, ledger=member, month=start)
    lines = {line.category.id: line for line in summary.categories}
    rows = []
    for category in category_list(user=user, ledger=member):
        line = lines.get(category.pk)
        rows.append(
            BudgetRow(
                category=category,
                item=items.get((start, category.pk)),
                previous=items.get((previous, category.pk)),
                spent=line.spent if line else Decimal(0),
                over_budget=line is not None and line.over_budget,
            )
        )
    return BudgetPage(month=start, currency=summary.currency, rows=rows, summary=summary)

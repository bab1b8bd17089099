"""A month's summary in one currency: income, expense, each category's plan against its
spending, each member's spending, and what no rate converts. One statement, prepared
once per connection."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import Q

from core import db, money, sql
from finance.models import ExchangeRate, Kind, signed_amount_sql
from finance.months import month_bounds
from finance.rates.lookup import MissingExchangeRate, rate_pivots, rate_sql
from finance.rules import ledger_or_none_for_read
from finance.shares import from_minor
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User


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
    def remaining(self) -> Decimal | None:
        """What is left of the plan; None for an income, which has nothing left to spend."""
        return self.planned - self.spent if self.kind == Kind.EXPENSE else None

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
    """What one member paid in the month, and their `share` of the month's split expenses
    (what their part of them came to). A person who has left still counts, as a former
    member (`former`); one who deleted their account counts as one nameless former member
    (`user_id` None)."""

    user_id: int | None
    name: str
    expense: Decimal = Decimal(0)
    income: Decimal = Decimal(0)
    share: Decimal = Decimal(0)
    former: bool = False


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
# grouped per member too (who paid), for the breakdown by member, and so are the shares
# of split expenses (in minor units: `share` rows). A refund counts against its (expense)
# category: it lowers that category's spending, and the member's. Parameters: $1 ledger
# id, $2 first day, $3 last day, $4 target currency, $5 and $6 the pivots.
_SUMMARY_STATEMENT = "finance_monthly_summary_v5"
_SUMMARY_SQL = """
WITH lines AS (
    SELECT 'spent' AS measure, t.category_id, t.paid_by_id, t.currency,
           CASE WHEN t.currency = $4 THEN NULL ELSE t.date END AS day,
           SUM({signed}) AS amount
    FROM finance_transaction t
    WHERE t.ledger_id = $1 AND t.date >= $2 AND t.date <= $3
    GROUP BY t.category_id, t.paid_by_id, t.currency, 5
    UNION ALL
    SELECT 'planned', b.category_id, NULL, b.currency,
           CASE WHEN b.currency = $4 THEN NULL ELSE $3 END,
           b.planned_amount
    FROM finance_budgetitem b
    WHERE b.ledger_id = $1 AND b.month = $2
    UNION ALL
    SELECT 'share', t.category_id, sh.user_id, t.currency,
           CASE WHEN t.currency = $4 THEN NULL ELSE t.date END,
           SUM(sh.amount_minor)
    FROM finance_transaction t JOIN finance_share sh ON sh.split_id = t.id
    WHERE t.ledger_id = $1 AND t.date >= $2 AND t.date <= $3
    GROUP BY t.category_id, sh.user_id, t.currency, 5
), rates AS MATERIALIZED (
    SELECT d.currency, d.day, {rate} AS rate
    FROM (SELECT DISTINCT currency, day FROM lines WHERE day IS NOT NULL) d
)
SELECT l.measure, c.id, c.slug, c.name, c.kind, l.paid_by_id, u.username,
       l.currency, l.day, l.amount, r.rate,
       NOT EXISTS (
           SELECT 1 FROM ledgers_membership m WHERE m.ledger_id = $1 AND m.user_id = l.paid_by_id
       ) AS former
FROM lines l
JOIN finance_category c ON c.id = l.category_id AND c.ledger_id = $1
LEFT JOIN accounts_user u ON u.id = l.paid_by_id
LEFT JOIN rates r ON r.currency = l.currency AND r.day = l.day
""".format(rate=rate_sql("d.currency", "$4", "d.day", ["$5", "$6"]), signed=signed_amount_sql("t"))


def _rates_known(currency: str, using: str) -> bool:
    return ExchangeRate.objects.using(using).filter(Q(base=currency) | Q(quote=currency)).exists()


def monthly_summary(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    month: date,
    currency: str | None = None,
    using: str = db.PRIMARY,
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

    `using`: the database the figures are read from (`db.heavy_reads()` for a month
    that may be read a little behind); the access check is always the primary's.
    """
    books = ledger_or_none_for_read(user, ledger)
    # A person with no ledger yet reads empty books, in their own currency.
    books_id, default_currency = (
        (books.pk, books.default_currency) if books is not None else (None, user.default_currency)
    )
    target = money.normalize_code(currency or default_currency)
    start, end = month_bounds(month)
    args = [books_id, start, end, target, *rate_pivots()]
    with connections[using].cursor() as cursor:
        sql.execute_prepared(cursor, _SUMMARY_STATEMENT, _SUMMARY_SQL, args)
        rows: Sequence[tuple[Any, ...]] = cursor.fetchall()

    lines: dict[int, CategoryLine] = {}
    members: dict[int | None, MemberLine] = {}
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
        former,
    ) in rows:
        line = lines.get(cat_id)
        if line is None:
            line = lines[cat_id] = CategoryLine(CategoryRef(cat_id, slug, name, kind))
        if measure == "share":
            if payer is None:
                continue  # the share of an account since deleted: nobody's line
            amount = from_minor(int(amount), row_currency)
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
                member = members[payer] = MemberLine(payer, payer_name or "", former=former)
            if kind == Kind.EXPENSE:
                member.expense += amount
            else:
                member.income += amount
        elif measure == "share":
            member = members.get(payer)
            if member is None:
                member = members[payer] = MemberLine(payer, payer_name or "", former=former)
            member.share += amount
        else:
            line.planned += amount

    if missing and currency and target != default_currency and not _rates_known(target, using):
        first = min(missing, key=lambda m: (m.on, m.base))
        raise MissingExchangeRate(first.base, first.quote, first.on)

    quantum = money.quantum(target)
    for line in lines.values():
        line.spent = line.spent.quantize(quantum, ROUND_HALF_UP)
        line.planned = line.planned.quantize(quantum, ROUND_HALF_UP)
    for member in members.values():
        member.expense = member.expense.quantize(quantum, ROUND_HALF_UP)
        member.income = member.income.quantize(quantum, ROUND_HALF_UP)
        member.share = member.share.quantize(quantum, ROUND_HALF_UP)
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

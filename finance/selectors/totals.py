"""Income and expense month by month, converted as the summary converts them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import connections

from core import db, money
from finance.models import Kind, signed_amount_sql
from finance.months import add_months, month_bounds
from finance.rates.lookup import rate_pivots, rate_sql
from finance.rules import ledger_or_none_for_read
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class MonthTotals:
    month: date
    income: Decimal
    expense: Decimal

    @property
    def balance(self) -> Decimal:
        return self.income - self.expense


# As in the summary: grouped per month, category and currency (and per day where a
# conversion is needed), so each month's figures round exactly as the dashboard's do;
# one rate lookup per currency and day, MATERIALIZED for the same reason as there. The
# kind is the category's, as there: a refund lowers its expense category's spending.
_TOTALS_SQL = """
WITH lines AS (
    SELECT date_trunc('month', t.date)::date AS month, t.category_id, t.currency,
           CASE WHEN t.currency = %(target)s THEN NULL ELSE t.date END AS day,
           SUM({signed}) AS amount
    FROM finance_transaction t
    WHERE t.ledger_id = %(ledger_id)s AND t.date >= %(start)s AND t.date <= %(end)s
    GROUP BY 1, 2, 3, 4
), rates AS MATERIALIZED (
    SELECT d.currency, d.day, {rate} AS rate
    FROM (SELECT DISTINCT currency, day FROM lines WHERE day IS NOT NULL) d
)
SELECT l.month, l.category_id, c.kind, l.currency, l.day, l.amount, r.rate
FROM lines l
JOIN finance_category c ON c.id = l.category_id
LEFT JOIN rates r ON r.currency = l.currency AND r.day = l.day
""".format(
    rate=rate_sql("d.currency", "%(target)s", "d.day", ["%(p1)s", "%(p2)s"]),
    signed=signed_amount_sql("t"),
)


def monthly_totals(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    last_month: date,
    months: int = 12,
    currency: str | None = None,
    using: str = db.PRIMARY,
) -> list[MonthTotals]:
    """Income and expense for each of the `months` months ending with `last_month`, oldest
    first, leaving out what no rate converts (as monthly_summary does). `using`: the
    database the figures are read from; the access check is always the primary's."""
    books = ledger_or_none_for_read(user, ledger)
    # A person with no ledger yet reads empty books, in their own currency.
    books_id, default_currency = (
        (books.pk, books.default_currency) if books is not None else (None, user.default_currency)
    )
    target = money.normalize_code(currency or default_currency)
    first = add_months(last_month.replace(day=1), -(months - 1))
    params: dict[str, Any] = {
        "ledger_id": books_id,
        "start": first,
        "end": month_bounds(last_month)[1],
        "target": target,
        "p1": rate_pivots()[0],
        "p2": rate_pivots()[1],
    }
    with connections[using].cursor() as cursor:
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

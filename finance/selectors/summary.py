"""A month's summary in one currency: income, expense, each category's plan against its
spending, each member's spending, and what no rate converts. One statement, prepared
once per connection."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import connections

from core import db, money, sql
from finance.models import Kind, signed_amount_sql
from finance.months import month_bounds
from finance.rates.lookup import rate_pivots, rate_sql
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


@dataclass(frozen=True)
class UnconvertedPlan:
    """Planned amounts in one currency a summary left out: no rate converts them."""

    currency: str
    amount: Decimal


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
    what is in `unconverted`, the plans exclude what is in `unconverted_plans`;
    `missing_rates` says why."""

    month: date
    currency: str
    income: Decimal
    expense: Decimal
    categories: list[CategoryLine] = field(default_factory=list)
    members: list[MemberLine] = field(default_factory=list)
    unconverted: list[Unconverted] = field(default_factory=list)
    unconverted_plans: list[UnconvertedPlan] = field(default_factory=list)
    missing_rates: list[MissingRate] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.income - self.expense


# One statement: the month's transactions grouped per category, payer and currency (and
# per day only where a conversion is needed, since each day has its own rate), the
# month's budget items beside them, the shares of split expenses per member (in minor
# units: `share` rows), and one rate lookup (a few index probes) per currency and day to
# convert. A refund counts against its (expense) category: it lowers that category's
# spending, and the member's.
#
# The lines, the rates, the categories and the payers' names come back as rows of their
# own, and are put together here: joined in SQL, every line probed the rates and the
# users once per row, and the planner, which cannot know how many lines a month has,
# chose a nested loop over the rates for each line (a month's summary in another
# currency spent most of its time there). `rates` is MATERIALIZED so that no plan, the
# generic one of the prepared statement included, repeats the lookups. A payer's row
# says 'former' (in its `kind`) when they are no longer a member. Parameters: $1 ledger
# id, $2 first day, $3 last day, $4 target currency, $5 and $6 the pivots.
_SUMMARY_STATEMENT = "finance_monthly_summary_v7"
_SUMMARY_SQL = """
WITH lines AS (
    SELECT 'spent' AS measure, t.category_id, t.paid_by_id AS user_id, t.currency,
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
SELECT measure, category_id AS id, user_id, currency, day, amount,
       NULL::varchar AS slug, NULL::varchar AS name, NULL::varchar AS kind
FROM lines
UNION ALL
SELECT 'rate', NULL, NULL, currency, day, rate, NULL, NULL, NULL FROM rates
UNION ALL
SELECT 'category', c.id, NULL, NULL, NULL, NULL, c.slug, c.name, c.kind
FROM finance_category c
WHERE c.ledger_id = $1 AND c.id IN (SELECT category_id FROM lines)
UNION ALL
SELECT 'user', NULL, p.user_id, NULL, NULL, NULL, NULL,
       (SELECT u.username FROM accounts_user u WHERE u.id = p.user_id),
       CASE WHEN EXISTS (
           SELECT 1 FROM ledgers_membership m WHERE m.ledger_id = $1 AND m.user_id = p.user_id
       ) THEN NULL ELSE 'former' END
FROM (SELECT DISTINCT user_id FROM lines WHERE user_id IS NOT NULL) p
""".format(rate=rate_sql("d.currency", "$4", "d.day", ["$5", "$6"]), signed=signed_amount_sql("t"))


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
    rate converts is left out and listed (`unconverted`, `unconverted_plans`,
    `missing_rates`): a missing rate never fails a summary.

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

    refs: dict[int, CategoryRef] = {}
    names: dict[int, str] = {}
    formers: set[int] = set()
    rates: dict[tuple[str, date], Decimal | None] = {}
    measured = []
    for measure, key, user_id, row_currency, day, amount, slug, name, kind in rows:
        if measure == "rate":
            rates[(row_currency, day)] = amount
        elif measure == "category":
            refs[key] = CategoryRef(key, slug, name, kind)
        elif measure == "user":
            names[user_id] = name
            if kind == "former":  # no longer a member of the ledger
                formers.add(user_id)
        else:
            measured.append((measure, key, user_id, row_currency, day, amount))

    lines: dict[int, CategoryLine] = {}
    members: dict[int | None, MemberLine] = {}
    unconverted: dict[tuple[str, str], Decimal] = {}
    unconverted_plans: dict[str, Decimal] = {}
    missing: set[MissingRate] = set()
    for measure, cat_id, payer, row_currency, day, amount in measured:
        ref = refs.get(cat_id)
        if ref is None:
            continue  # a category of another ledger: never counted here
        line = lines.get(cat_id)
        if line is None:
            line = lines[cat_id] = CategoryLine(ref)
        if measure == "share":
            if payer is None:
                continue  # the share of an account since deleted: nobody's line
            amount = from_minor(int(amount), row_currency)
        if day is not None:
            rate = rates.get((row_currency, day))
            if rate is None:
                missing.add(MissingRate(row_currency, target, day))
                if measure == "spent":
                    key = (ref.kind, row_currency)
                    unconverted[key] = unconverted.get(key, Decimal(0)) + amount
                elif measure == "planned":
                    unconverted_plans[row_currency] = (
                        unconverted_plans.get(row_currency, Decimal(0)) + amount
                    )
                continue
            amount *= rate
        if measure == "spent":
            line.spent += amount
            member = members.get(payer)
            if member is None:
                member = members[payer] = MemberLine(
                    payer, names.get(payer, ""), former=payer is None or payer in formers
                )
            if ref.kind == Kind.EXPENSE:
                member.expense += amount
            else:
                member.income += amount
        elif measure == "share":
            member = members.get(payer)
            if member is None:
                member = members[payer] = MemberLine(
                    payer, names.get(payer, ""), former=payer is None or payer in formers
                )
            member.share += amount
        else:
            line.planned += amount

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
        unconverted_plans=[
            UnconvertedPlan(code, amount) for code, amount in sorted(unconverted_plans.items())
        ],
        missing_rates=sorted(missing, key=lambda m: (m.base, m.on)),
    )

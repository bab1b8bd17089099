"""The budget page's reads: each active category with this month's plan, last month's,
and what was spent."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from finance.models import BudgetItem, Category
from finance.months import add_months
from finance.selectors.categories import category_list
from finance.selectors.summary import MonthlySummary, monthly_summary
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User


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

"""The JSON shapes of the bot API's results. Money travels as decimal strings."""

from decimal import Decimal
from typing import Any

from finance import currencies
from finance.models import BudgetItem, Category, Transaction
from finance.selectors import CategoryLine, CategoryRef, MonthlySummary


def category_data(category: Category | CategoryRef, *, with_kind: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"id": category.id, "slug": category.slug, "name": category.name}
    if with_kind:
        data["kind"] = category.kind
    return data


def transaction_data(tx: Transaction) -> dict[str, Any]:
    """A transaction; `id` is null for one a dry run did not save."""
    return {
        "id": tx.pk,
        "kind": tx.kind,
        "amount": str(tx.amount),
        "currency": tx.currency,
        "date": tx.date.isoformat(),
        "category": category_data(tx.category),
        "note": tx.note,
        "text": tx.text,
    }


def budget_item_data(item: BudgetItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "month": f"{item.month:%Y-%m}",
        "category": category_data(item.category),
        "planned_amount": str(item.planned_amount),
        "currency": item.currency,
    }


def _money(amount: Decimal, currency: str) -> str:
    """`amount` with the currency's minor unit: "0.00", not "0", for an empty month."""
    return str(amount.quantize(currencies.quantum(currency)))


def _line_data(line: CategoryLine, currency: str) -> dict[str, Any]:
    return {
        "category": category_data(line.category),
        "kind": line.kind,
        "planned": _money(line.planned, currency),
        "spent": _money(line.spent, currency),
        "remaining": _money(line.remaining, currency),
    }


def summary_data(summary: MonthlySummary) -> dict[str, Any]:
    currency = summary.currency
    return {
        "month": f"{summary.month:%Y-%m}",
        "currency": currency,
        "income": _money(summary.income, currency),
        "expense": _money(summary.expense, currency),
        "balance": _money(summary.balance, currency),
        "categories": [_line_data(line, currency) for line in summary.categories],
    }

"""The JSON shapes of the bot API's results. Money travels as decimal strings."""

from typing import Any

from finance.models import BudgetItem, Category, Transaction
from finance.selectors.summary import CategoryRef


def category_data(category: Category | CategoryRef, *, with_kind: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"id": category.id, "slug": category.slug, "name": category.name}
    if with_kind:
        data["kind"] = category.kind
    return data


def transaction_data(tx: Transaction) -> dict[str, Any]:
    """A transaction; `id` is null for one a dry run did not save.

    `category_guessed` is there for one just read from text: false when the text said
    nothing about the category, so a chat can ask instead of leaving it under Other.
    """
    data: dict[str, Any] = {
        "id": tx.pk,
        "kind": tx.kind,
        "amount": str(tx.amount),
        "currency": tx.currency,
        "date": tx.date.isoformat(),
        "category": category_data(tx.category),
        "note": tx.note,
        "text": tx.text,
    }
    if tx.category_guessed is not None:
        data["category_guessed"] = tx.category_guessed
    return data


def budget_item_data(item: BudgetItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "month": f"{item.month:%Y-%m}",
        "category": category_data(item.category),
        "planned_amount": str(item.planned_amount),
        "currency": item.currency,
    }

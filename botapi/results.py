"""What the actions give back, typed, and the public JSON rendered from it.

The dispatcher hands every channel one of these values: the bot endpoint and the MCP
server render `data()`, the contract's JSON (money as decimal strings), and the chat
reads the fields. A write's answer is stored as that JSON for its idempotency key;
`from_data` reads it back when the write is replayed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from finance.models import BudgetItem, Category, Transaction
from finance.presenters import summary_data
from finance.selectors import CategoryRef, MonthlySummary


def category_ref(category: Category | CategoryRef) -> CategoryRef:
    return CategoryRef(id=category.id, slug=category.slug, name=category.name, kind=category.kind)


def category_data(category: Category | CategoryRef, *, with_kind: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"id": category.id, "slug": category.slug, "name": category.name}
    if with_kind:
        data["kind"] = category.kind
    return data


@dataclass(frozen=True)
class Warning:
    """Something the caller may want to know about a write that went through."""

    code: str
    message: str


@dataclass(frozen=True)
class TransactionResult:
    """A transaction recorded, read from text or changed; `id` is None for one a dry run
    did not save.

    `category_guessed` is there for one just read from text: False when the text said
    nothing about the category, so a chat can ask instead of leaving it under Other.
    """

    id: int | None
    kind: str
    amount: Decimal
    currency: str
    date: date
    category: CategoryRef
    note: str
    text: str
    category_guessed: bool | None = None
    warnings: tuple[Warning, ...] = ()

    @classmethod
    def of(cls, tx: Transaction, *, warnings: tuple[Warning, ...] = ()) -> "TransactionResult":
        return cls(
            id=tx.pk,
            kind=tx.kind,
            amount=tx.amount,
            currency=tx.currency,
            date=tx.date,
            category=category_ref(tx.category),
            note=tx.note,
            text=tx.text,
            category_guessed=tx.category_guessed,
            warnings=warnings,
        )

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "amount": str(self.amount),
            "currency": self.currency,
            "date": self.date.isoformat(),
            "category": category_data(self.category),
            "note": self.note,
            "text": self.text,
        }
        if self.category_guessed is not None:
            data["category_guessed"] = self.category_guessed
        if self.warnings:
            data["warnings"] = [{"code": w.code, "message": w.message} for w in self.warnings]
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "TransactionResult":
        category = data["category"]
        return cls(
            id=data["id"],
            kind=data["kind"],
            amount=Decimal(data["amount"]),
            currency=data["currency"],
            date=date.fromisoformat(data["date"]),
            # A transaction's category is of the transaction's kind.
            category=CategoryRef(category["id"], category["slug"], category["name"], data["kind"]),
            note=data["note"],
            text=data["text"],
            category_guessed=data.get("category_guessed"),
            warnings=tuple(Warning(w["code"], w["message"]) for w in data.get("warnings", [])),
        )


def transaction_data(tx: Transaction) -> dict[str, Any]:
    """A transaction as the API shows it."""
    return TransactionResult.of(tx).data()


@dataclass(frozen=True)
class DeletedResult:
    """A transaction deleted, as it was."""

    transaction: TransactionResult

    def data(self) -> dict[str, Any]:
        return {"deleted": True, "transaction": self.transaction.data()}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "DeletedResult":
        return cls(TransactionResult.from_data(data["transaction"]))


@dataclass(frozen=True)
class BudgetItemResult:
    id: int
    month: date
    category: CategoryRef
    planned_amount: Decimal
    currency: str

    @classmethod
    def of(cls, item: BudgetItem) -> "BudgetItemResult":
        return cls(
            id=item.pk,
            month=item.month,
            category=category_ref(item.category),
            planned_amount=item.planned_amount,
            currency=item.currency,
        )

    def data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "month": f"{self.month:%Y-%m}",
            "category": category_data(self.category),
            "planned_amount": str(self.planned_amount),
            "currency": self.currency,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "BudgetItemResult":
        category = data["category"]
        return cls(
            id=data["id"],
            month=date.fromisoformat(f"{data['month']}-01"),
            # The stored JSON does not say the category's kind.
            category=CategoryRef(category["id"], category["slug"], category["name"], ""),
            planned_amount=Decimal(data["planned_amount"]),
            currency=data["currency"],
        )


def budget_item_data(item: BudgetItem) -> dict[str, Any]:
    return BudgetItemResult.of(item).data()


@dataclass(frozen=True)
class CategoriesResult:
    categories: tuple[CategoryRef, ...]

    def data(self) -> dict[str, Any]:
        return {"categories": [category_data(c, with_kind=True) for c in self.categories]}


@dataclass(frozen=True)
class SummaryResult:
    summary: MonthlySummary

    def data(self) -> dict[str, Any]:
        return summary_data(self.summary)


# The family `perform` hands a channel.
Result = TransactionResult | DeletedResult | BudgetItemResult | CategoriesResult | SummaryResult

"""What the actions give back, typed, and the public JSON rendered from it.

The dispatcher hands every channel one of these values: the bot endpoint and the MCP
server render `data()`, the contract's JSON (money as decimal strings), and the chat
reads the fields. A write's answer is stored as that JSON for its idempotency key;
`from_data` reads it back when the write is replayed.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from finance.models import BudgetItem, Category, Receipt, Transaction
from finance.presenters import summary_data
from finance.selectors.summary import CategoryRef, MonthlySummary


def category_ref(category: Category | CategoryRef) -> CategoryRef:
    return CategoryRef(id=category.id, slug=category.slug, name=category.name, kind=category.kind)


@dataclass(frozen=True)
class CategoryBrief:
    """A transaction's or a plan's category, as their JSON names it (no kind: the
    transaction's own says it)."""

    id: int
    slug: str
    name: str

    @classmethod
    def of(cls, category: Category) -> "CategoryBrief":
        return cls(id=category.id, slug=category.slug, name=category.name)

    def data(self) -> dict[str, Any]:
        return {"id": self.id, "slug": self.slug, "name": self.name}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "CategoryBrief":
        return cls(id=data["id"], slug=data["slug"], name=data["name"])


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
    category: CategoryBrief
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
            category=CategoryBrief.of(tx.category),
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
            "category": self.category.data(),
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
        return cls(
            id=data["id"],
            kind=data["kind"],
            amount=Decimal(data["amount"]),
            currency=data["currency"],
            date=date.fromisoformat(data["date"]),
            category=CategoryBrief.from_data(data["category"]),
            note=data.get("note", ""),
            text=data.get("text", ""),
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
    category: CategoryBrief
    planned_amount: Decimal
    currency: str

    @classmethod
    def of(cls, item: BudgetItem) -> "BudgetItemResult":
        return cls(
            id=item.pk,
            month=item.month,
            category=CategoryBrief.of(item.category),
            planned_amount=item.planned_amount,
            currency=item.currency,
        )

    def data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "month": f"{self.month:%Y-%m}",
            "category": self.category.data(),
            "planned_amount": str(self.planned_amount),
            "currency": self.currency,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "BudgetItemResult":
        return cls(
            id=data["id"],
            month=date.fromisoformat(f"{data['month']}-01"),
            category=CategoryBrief.from_data(data["category"]),
            planned_amount=Decimal(data["planned_amount"]),
            currency=data["currency"],
        )


def budget_item_data(item: BudgetItem) -> dict[str, Any]:
    return BudgetItemResult.of(item).data()


@dataclass(frozen=True)
class CategoriesResult:
    categories: tuple[CategoryRef, ...]

    def data(self) -> dict[str, Any]:
        return {
            "categories": [
                {"id": c.id, "slug": c.slug, "name": c.name, "kind": c.kind}
                for c in self.categories
            ]
        }


@dataclass(frozen=True)
class SummaryResult:
    summary: MonthlySummary

    def data(self) -> dict[str, Any]:
        return summary_data(self.summary)


@dataclass(frozen=True)
class ReceiptBrief:
    """A receipt's fiscal fields, as its QR code gave them (`issued_at`: its own local
    time, no time zone)."""

    fn: str
    i: int
    fp: int
    n: int
    issued_at: datetime
    total: Decimal

    @classmethod
    def of(cls, receipt: Receipt) -> "ReceiptBrief":
        return cls(
            fn=receipt.fn,
            i=receipt.i,
            fp=receipt.fp,
            n=receipt.n,
            issued_at=datetime.combine(receipt.issued_on, receipt.issued_at_time),
            total=receipt.total,
        )

    def data(self) -> dict[str, Any]:
        return {
            "fn": self.fn,
            "i": self.i,
            "fp": self.fp,
            "n": self.n,
            "issued_at": self.issued_at.isoformat(),
            "total": str(self.total),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ReceiptBrief":
        return cls(
            fn=data["fn"],
            i=data["i"],
            fp=data["fp"],
            n=data["n"],
            issued_at=datetime.fromisoformat(data["issued_at"]),
            total=Decimal(data["total"]),
        )


@dataclass(frozen=True)
class ReceiptResult:
    """A receipt recorded, or (`duplicate`) found recorded before, with its transaction."""

    duplicate: bool
    transaction: TransactionResult
    receipt: ReceiptBrief

    def data(self) -> dict[str, Any]:
        return {
            "duplicate": self.duplicate,
            "transaction": self.transaction.data(),
            "receipt": self.receipt.data(),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ReceiptResult":
        return cls(
            duplicate=data["duplicate"],
            transaction=TransactionResult.from_data(data["transaction"]),
            receipt=ReceiptBrief.from_data(data["receipt"]),
        )


# The family `perform` hands a channel.
Result = (
    TransactionResult
    | DeletedResult
    | BudgetItemResult
    | CategoriesResult
    | SummaryResult
    | ReceiptResult
)

"""What the actions give back, typed, and the public JSON rendered from it.

The dispatcher hands every channel one of these values: the bot endpoint and the MCP
server render `data()`, the contract's JSON (money as decimal strings), and the chat
reads the fields. A write's answer is stored as that JSON for its idempotency key;
`from_data` reads it back when the write is replayed.
"""

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

from finance.models import BudgetItem, Category, Transaction
from finance.presenters import summary_data
from finance.selectors.summary import CategoryRef, MonthlySummary
from finance.services import bank_messages


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
class OperationBrief:
    """What a bank notification said: the reader's kind (`purchase`, `transfer_out`...),
    the operation's amount (never the balance), the day it was placed on."""

    kind: str
    amount: Decimal
    currency: str
    date: date
    time: time | None
    counterpart: str
    card: str
    bank: str

    def data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "amount": str(self.amount),
            "currency": self.currency,
            "date": self.date.isoformat(),
            "time": f"{self.time:%H:%M}" if self.time is not None else None,
            "counterpart": self.counterpart,
            "card": self.card,
            "bank": self.bank,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "OperationBrief":
        return cls(
            kind=data["kind"],
            amount=Decimal(data["amount"]),
            currency=data["currency"],
            date=date.fromisoformat(data["date"]),
            time=time.fromisoformat(data["time"]) if data.get("time") else None,
            counterpart=data["counterpart"],
            card=data["card"],
            bank=data["bank"],
        )


@dataclass(frozen=True)
class BankItemResult:
    """One notification's outcome: `recorded`, `duplicate` or `matched` (with the
    transaction), `skipped` (with the `reason`) or `not_understood`. `match_id` is what
    `record_separately` undoes; `text` is the notification as it was found."""

    outcome: str
    text: str
    operation: OperationBrief | None = None
    transaction: TransactionResult | None = None
    reason: str = ""
    match_id: int | None = None

    @classmethod
    def of(cls, item: bank_messages.Item) -> "BankItemResult":
        op = item.operation
        brief = None
        if op.amount is not None and op.currency is not None and item.date is not None:
            brief = OperationBrief(
                kind=op.kind.value,
                amount=op.amount,
                currency=op.currency,
                date=item.date,
                time=op.time,
                counterpart=op.counterpart,
                card=op.card,
                bank=op.bank,
            )
        tx = item.transaction
        return cls(
            outcome=item.outcome,
            text=op.text.strip(),
            operation=brief,
            transaction=TransactionResult.of(tx) if tx is not None else None,
            reason=item.reason,
            match_id=item.match_id,
        )

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"outcome": self.outcome, "text": self.text}
        if self.operation is not None:
            data["operation"] = self.operation.data()
        if self.transaction is not None:
            data["transaction"] = self.transaction.data()
        if self.reason:
            data["reason"] = self.reason
        if self.match_id is not None:
            data["match_id"] = self.match_id
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "BankItemResult":
        op, tx = data.get("operation"), data.get("transaction")
        return cls(
            outcome=data["outcome"],
            text=data["text"],
            operation=OperationBrief.from_data(op) if op is not None else None,
            transaction=TransactionResult.from_data(tx) if tx is not None else None,
            reason=data.get("reason", ""),
            match_id=data.get("match_id"),
        )


@dataclass(frozen=True)
class BankMessagesResult:
    """Every notification found in a text, in order."""

    items: tuple[BankItemResult, ...]

    @classmethod
    def of(cls, items: list[bank_messages.Item]) -> "BankMessagesResult":
        return cls(tuple(BankItemResult.of(item) for item in items))

    def data(self) -> dict[str, Any]:
        return {"items": [item.data() for item in self.items]}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "BankMessagesResult":
        return cls(tuple(BankItemResult.from_data(item) for item in data["items"]))


# The family `perform` hands a channel.
Result = (
    TransactionResult
    | DeletedResult
    | BudgetItemResult
    | CategoriesResult
    | SummaryResult
    | BankMessagesResult
)

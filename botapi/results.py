"""What the actions give back, typed, and the public JSON rendered from it.

The dispatcher hands every channel one of these values: the bot endpoint and the MCP
server render `data()`, the contract's JSON (money as decimal strings), and the chat
reads the fields. A write's answer is stored as that JSON for its idempotency key;
`from_data` reads it back when the write is replayed.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from finance.models import BudgetItem, Category, Receipt, RecurringRule, Settlement, Transaction
from finance.presenters import (
    balances_data,
    forecast_data,
    settlement_data,
    split_data,
    summary_data,
)
from finance.schedules import LAST_DAY, WEEKDAYS
from finance.selectors.balances import Balances
from finance.selectors.forecast import Forecast
from finance.selectors.splits import ShareLine, SplitView
from finance.selectors.suggestions import Suggestion
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
    # How a shared ledger's expense is shared (None: not split).
    split: SplitView | None = None

    @classmethod
    def of(
        cls,
        tx: Transaction,
        *,
        warnings: tuple[Warning, ...] = (),
        split: SplitView | None = None,
    ) -> "TransactionResult":
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
            split=split,
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
        if self.split is not None:
            data["split"] = split_data(self.split)
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
            split=_split_from_data(data["split"]) if "split" in data else None,
        )


def _split_from_data(data: dict[str, Any]) -> SplitView:
    return SplitView(
        mode=data["mode"],
        shares=tuple(
            ShareLine(
                user_id=m["user"],
                name=m["name"],
                weight=Decimal(m["share"]),
                amount=Decimal(m["amount"]),
            )
            for m in data["members"]
        ),
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
    # The current month's forecast (None for any other month).
    forecast: Forecast | None = None

    def data(self) -> dict[str, Any]:
        data = summary_data(self.summary)
        if self.forecast is not None:
            data |= forecast_data(self.forecast)
        return data


def day_data(day: int | None) -> int | str | None:
    """A monthly day as the JSON says it: 1-31 or "last"."""
    return "last" if day == LAST_DAY else day


def day_value(day: int | str | None) -> int | None:
    return LAST_DAY if day == "last" else (int(day) if day is not None else None)


def weekday_data(weekday: int | None) -> str | None:
    return WEEKDAYS[weekday] if weekday is not None else None


def weekday_value(name: str | None) -> int | None:
    return WEEKDAYS.index(name) if name is not None else None


@dataclass(frozen=True)
class RecurringResult:
    """A recurring rule: what, who pays, and when (`next_date` None: it has ended)."""

    id: int
    kind: str
    amount: Decimal
    currency: str
    category: CategoryBrief
    note: str
    text: str
    paid_by: int
    frequency: str
    interval: int
    day: int | None
    weekday: int | None
    start_date: date
    end_date: date | None
    count: int | None
    next_date: date | None
    paused: bool

    @classmethod
    def of(cls, rule: RecurringRule) -> "RecurringResult":
        return cls(
            id=rule.pk,
            kind=rule.kind,
            amount=rule.amount,
            currency=rule.currency,
            category=CategoryBrief.of(rule.category),
            note=rule.note,
            text=rule.text,
            paid_by=rule.paid_by_id,
            frequency=rule.frequency,
            interval=rule.interval,
            day=rule.day,
            weekday=rule.weekday,
            start_date=rule.start_date,
            end_date=rule.end_date,
            count=rule.count,
            next_date=rule.next_date,
            paused=rule.paused,
        )

    def data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "amount": str(self.amount),
            "currency": self.currency,
            "category": self.category.data(),
            "note": self.note,
            "text": self.text,
            "paid_by": self.paid_by,
            "frequency": self.frequency,
            "interval": self.interval,
            "day": day_data(self.day),
            "weekday": weekday_data(self.weekday),
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "count": self.count,
            "next_date": self.next_date.isoformat() if self.next_date else None,
            "paused": self.paused,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "RecurringResult":
        def day_or_none(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            id=data["id"],
            kind=data["kind"],
            amount=Decimal(data["amount"]),
            currency=data["currency"],
            category=CategoryBrief.from_data(data["category"]),
            note=data["note"],
            text=data["text"],
            paid_by=data["paid_by"],
            frequency=data["frequency"],
            interval=data["interval"],
            day=day_value(data["day"]),
            weekday=weekday_value(data["weekday"]),
            start_date=date.fromisoformat(data["start_date"]),
            end_date=day_or_none(data["end_date"]),
            count=data["count"],
            next_date=day_or_none(data["next_date"]),
            paused=data["paused"],
        )


def suggestion_data(suggestion: Suggestion) -> dict[str, Any]:
    return {
        "id": suggestion.id,
        "kind": suggestion.kind,
        "amount": str(suggestion.amount),
        "currency": suggestion.currency,
        "category": CategoryBrief(
            suggestion.category.id, suggestion.category.slug, suggestion.category.name
        ).data(),
        "note": suggestion.note,
        "frequency": suggestion.frequency,
        "day": day_data(suggestion.day),
        "weekday": weekday_data(suggestion.weekday),
        "times": suggestion.times,
        "last_date": suggestion.last_date.isoformat(),
        "next_date": suggestion.next_date.isoformat(),
    }


@dataclass(frozen=True)
class RecurringListResult:
    recurring: tuple[RecurringResult, ...]
    suggested: tuple[Suggestion, ...]

    def data(self) -> dict[str, Any]:
        return {
            "recurring": [r.data() for r in self.recurring],
            "suggested": [suggestion_data(s) for s in self.suggested],
        }


@dataclass(frozen=True)
class RecurringDeletedResult:
    """A rule deleted, as it was; or a suggestion dismissed (its JSON, as listed)."""

    recurring: RecurringResult | None = None
    suggestion: dict[str, Any] | None = None

    def data(self) -> dict[str, Any]:
        if self.recurring is not None:
            return {"deleted": True, "recurring": self.recurring.data()}
        return {"deleted": True, "suggestion": self.suggestion}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "RecurringDeletedResult":
        if "recurring" in data:
            return cls(recurring=RecurringResult.from_data(data["recurring"]))
        return cls(suggestion=data["suggestion"])


@dataclass(frozen=True)
class BalancesResult:
    balances: Balances

    def data(self) -> dict[str, Any]:
        return balances_data(self.balances)


@dataclass(frozen=True)
class SettlementResult:
    """A settlement recorded (or undone: `deleted`), as its JSON names it."""

    id: int
    from_id: int | None
    to_id: int | None
    amount: Decimal
    currency: str
    date: date
    deleted: bool = False

    @classmethod
    def of(cls, settlement: Settlement, *, deleted: bool = False) -> "SettlementResult":
        return cls(
            id=settlement.pk,
            from_id=settlement.from_user_id,
            to_id=settlement.to_user_id,
            amount=settlement.amount,
            currency=settlement.currency,
            date=settlement.date,
            deleted=deleted,
        )

    def data(self) -> dict[str, Any]:
        data = settlement_data(
            pk=self.id,
            from_id=self.from_id,
            to_id=self.to_id,
            amount=self.amount,
            currency=self.currency,
            on=self.date,
        )
        if self.deleted:
            data["deleted"] = True
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "SettlementResult":
        return cls(
            id=data["id"],
            from_id=data["from"],
            to_id=data["to"],
            amount=Decimal(data["amount"]),
            currency=data["currency"],
            date=date.fromisoformat(data["date"]),
            deleted=data.get("deleted", False),
        )


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
    | RecurringResult
    | RecurringListResult
    | RecurringDeletedResult
    | BalancesResult
    | SettlementResult
    | BankMessagesResult
    | ReceiptResult
)

"""Reads of transactions: a ledger's list, filtered, and one by id."""

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from finance.models import Transaction
from finance.months import month_bounds
from finance.rules import ledger_or_none_for_read
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User


def transaction_list(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    month: date | None = None,
    category_id: int | None = None,
    kind: str | None = None,
    source: str | None = None,
    paid_by_id: int | None = None,
) -> "QuerySet[Transaction]":
    """One ledger's transactions (None: the person's active ledger), newest first,
    narrowed by whichever filters are given."""
    books = ledger_or_none_for_read(user, ledger)
    if books is None:
        return Transaction.objects.none()
    transactions = Transaction.objects.for_ledger(books).select_related("category", "paid_by")
    if month is not None:
        start, end = month_bounds(month)
        transactions = transactions.filter(date__gte=start, date__lte=end)
    if category_id is not None:
        transactions = transactions.filter(category_id=category_id)
    if kind:
        transactions = transactions.filter(kind=kind)
    if source:
        transactions = transactions.filter(source=source)
    if paid_by_id is not None:
        transactions = transactions.filter(paid_by_id=paid_by_id)
    return transactions.order_by("-date", "-id")


def transaction_get(
    *, user: "User", ledger: access.LedgerRef = None, pk: int, for_update: bool = False
) -> Transaction | None:
    """One transaction of the ledger, or None (another ledger's is as unknown as none)."""
    books = ledger_or_none_for_read(user, ledger)
    if books is None:
        return None
    rows = Transaction.objects.for_ledger(books).select_related("category")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    return rows.filter(pk=pk).first()

"""Reading recorded receipts."""

from finance.models import Receipt, Transaction


def receipt_of(*, tx: Transaction) -> Receipt | None:
    """The receipt `tx` was recorded from, with its items, or None (typed, imported)."""
    return Receipt.objects.filter(transaction=tx).prefetch_related("items").first()

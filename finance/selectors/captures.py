"""Reads of captures: a match that "record separately" may undo."""

from typing import TYPE_CHECKING

from finance.models import Capture
from finance.rules import ledger_or_none_for_read
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User


def match_get(*, user: "User", ledger: access.LedgerRef = None, pk: int) -> Capture | None:
    """A capture of the ledger that matched a transaction recorded before it, or None
    (another ledger's is as unknown as none; an undone one is no match any more)."""
    books = ledger_or_none_for_read(user, ledger)
    if books is None:
        return None
    return Capture.objects.filter(ledger=books, pk=pk, matched=True).first()

"""One purchase, one record: what a capture (a bank notification, a statement's row, a
receipt) does before it records anything, and how that is undone.

A captured operation is looked for among the ledger's transactions (`capture_match`);
found, it enriches that transaction instead of recording another, and "record
separately" (`capture_record_separately`) undoes the match. The rules are
docs/capture.md's, and `choose` is them, as a pure function:

1. the same kind, amount and currency, paid by the same person;
2. the same day, and within MATCH_MINUTES when both sides know the time;
3. a transaction no capture of the same source has seen yet (its origin, or a match):
   two notifications never merge, nor two rows of statements, nor two receipts, and a
   typed entry never looks for a match at all, so two typed entries never merge;
4. of several, the nearest in time where both know it, then the one recorded first.

Receipts call it as notifications do (see `Captured`): inside the write's transaction,
`capture_lock`, then `capture_match`; with nothing found, record the transaction and
`capture_attach` the capture to it as its origin.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core import sql
from finance.models import Capture, Transaction
from finance.services.books import ledger_for_write
from finance.services.merchants import Categoriser
from finance.services.transactions import transaction_insert
from ledgers import access
from ledgers.models import Ledger

if TYPE_CHECKING:
    from accounts.models import User

MATCH_MINUTES = 10
MATCH_NOT_FOUND = _("No such match: it was undone already, or the transaction is gone.")

# A transaction without an origin capture was typed, or (the old CSV import) read from a file.
_ORIGIN_BY_CHANNEL = {Transaction.Source.IMPORT: Capture.Source.STATEMENT}
# pg_advisory_xact_lock's first key: the captures of one ledger (the second is its id).
_LOCK_CLASS = 22_001


@dataclass(frozen=True)
class Captured:
    """What a capture saw of one operation: `source` is a `Capture.Source`, `kind` a
    transaction's `Kind`, `date` and `time` as the bank or the receipt wrote them (the
    person's local time). `fingerprint` tells the same notification, or the same row of
    a statement, seen again (empty: not kept apart)."""

    source: str
    kind: str
    amount: Decimal
    currency: str
    date: dt.date
    time: dt.time | None = None
    merchant: str = ""
    card: str = ""
    text: str = ""
    fingerprint: str = ""


@dataclass(frozen=True)
class Candidate:
    """A transaction of the ledger as matching sees it: its day, the time a capture of it
    knows, and every source that has seen it (its origin's included)."""

    id: int
    kind: str
    amount: Decimal
    currency: str
    date: dt.date
    time: dt.time | None
    sources: frozenset[str]

    @property
    def key(self) -> tuple[str, Decimal, str, dt.date]:
        return (self.kind, self.amount, self.currency, self.date)


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def choose(captured: Captured, candidates: Iterable[Candidate]) -> Candidate | None:
    """The transaction `captured` is, by the module's rules 1-4, or None."""
    best: tuple[tuple[int, int, int], Candidate] | None = None
    for c in candidates:
        if (c.kind, c.amount, c.currency, c.date) != (
            captured.kind,
            captured.amount,
            captured.currency,
            captured.date,
        ):
            continue
        if captured.source in c.sources:
            continue
        if captured.time is not None and c.time is not None:
            gap = abs(_minutes(captured.time) - _minutes(c.time))
            if gap > MATCH_MINUTES:
                continue
            rank = (0, gap, c.id)
        else:
            rank = (1, 0, c.id)
        if best is None or rank < best[0]:
            best = (rank, c)
    return best[1] if best is not None else None


def seen(candidate: Candidate, source: str) -> Candidate:
    """`candidate` once a capture of `source` has matched it."""
    return replace(candidate, sources=candidate.sources | {source})


_CANDIDATES_SQL = """
SELECT t.id, t.kind, t.amount, t.currency, t.date, t.source,
       array_remove(array_agg(c.source), NULL), coalesce(bool_or(NOT c.matched), false),
       min(c.time)
FROM finance_transaction t
LEFT JOIN finance_capture c ON c.transaction_id = t.id
WHERE t.ledger_id = %s AND t.paid_by_id = %s AND t.date BETWEEN %s AND %s {narrow}
GROUP BY t.id
"""
_NARROW = "AND t.kind = %s AND t.amount = %s AND t.currency = %s"


def candidates(
    *,
    ledger: Ledger | int,
    paid_by: "User | int",
    start: dt.date,
    end: dt.date,
    narrow: tuple[str, Decimal, str] | None = None,
) -> list[Candidate]:
    """Transactions of the ledger paid by `paid_by` from `start` to `end`, as matching
    sees them: one query for a whole statement's dates (the ledger-and-date index), or,
    `narrow`ed to (kind, amount, currency), for one operation."""
    ledger_id = ledger if isinstance(ledger, int) else ledger.pk
    user_id = paid_by if isinstance(paid_by, int) else paid_by.pk
    params: list[int | str | Decimal | dt.date] = [ledger_id, user_id, start, end]
    if narrow is not None:
        params += list(narrow)
    query = _CANDIDATES_SQL.format(narrow=_NARROW if narrow is not None else "")
    found = []
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for pk, kind, amount, currency, day, channel, sources, has_origin, time in cursor:
            if not has_origin:
                sources = [*sources, _ORIGIN_BY_CHANNEL.get(channel, Capture.Source.TYPED)]
            found.append(Candidate(pk, kind, amount, currency, day, time, frozenset(sources)))
    return found


def capture_lock(ledger: Ledger | int) -> None:
    """Hold the ledger's captures until this transaction ends: whoever matches or records
    a capture next sees what this one did (two notifications of one purchase at once,
    an import while a notification arrives)."""
    assert connection.in_atomic_block, "the lock ends with a transaction: open one"
    ledger_id = ledger if isinstance(ledger, int) else ledger.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, ledger_id % 2**31])


def capture_seen(
    *, ledger: Ledger | int, source: str, fingerprints: Sequence[str]
) -> dict[str, Capture]:
    """The captures of the ledger with these fingerprints (the same notification, or row,
    seen before), by fingerprint."""
    ledger_id = ledger if isinstance(ledger, int) else ledger.pk
    found = Capture.objects.filter(
        ledger_id=ledger_id, source=source, fingerprint__in=[f for f in fingerprints if f]
    ).select_related("transaction__category")
    return {c.fingerprint: c for c in found}


def _capture(
    *,
    ledger: Ledger,
    tx: Transaction,
    user: "User",
    captured: Captured,
    matched: bool,
    note_filled: bool = False,
) -> Capture:
    return Capture(
        ledger=ledger,
        transaction=tx,
        user=user,
        source=captured.source,
        matched=matched,
        fingerprint=captured.fingerprint,
        kind=captured.kind,
        amount=captured.amount,
        currency=captured.currency,
        date=captured.date,
        time=captured.time,
        merchant=captured.merchant[:255],
        card=captured.card[:8],
        text=captured.text,
        note_filled=note_filled,
    )


def capture_attach(*, ledger: Ledger, tx: Transaction, user: "User", captured: Captured) -> Capture:
    """Keep `captured` as the origin of `tx`, which it has just recorded."""
    capture = _capture(ledger=ledger, tx=tx, user=user, captured=captured, matched=False)
    sql.insert([capture])
    return capture


def capture_match(
    *, ledger: Ledger, user: "User", captured: Captured, source: str, actor: "User | None" = None
) -> Capture | None:
    """The same purchase already in the ledger, enriched by `captured` (the matched
    Capture, its `transaction` the one found), or None when there is none and `captured`
    is to be recorded. Call it under `capture_lock`, in the write's transaction."""
    found = choose(
        captured,
        candidates(
            ledger=ledger,
            paid_by=user,
            start=captured.date,
            end=captured.date,
            narrow=(captured.kind, captured.amount, captured.currency),
        ),
    )
    if found is None:
        return None
    tx = (
        Transaction.objects.select_related("category")
        .select_for_update(of=("self",))
        .get(pk=found.id)
    )
    note_filled = not tx.note.strip() and bool(captured.merchant)
    if note_filled:
        tx.note = captured.merchant[:500]
        tx.save(update_fields=["note"])
    capture = _capture(
        ledger=ledger, tx=tx, user=user, captured=captured, matched=True, note_filled=note_filled
    )
    sql.insert([capture])
    audit_record(
        source=source,
        action="transaction.match",
        user=user,
        ledger=ledger,
        actor=actor,
        obj=tx,
        details={"capture": captured.source, "match_id": capture.pk},
    )
    return capture


@transaction.atomic
def capture_record_separately(
    *, user: "User", ledger: access.LedgerRef = None, match_id: int, source: str
) -> Transaction:
    """Undo a match: record what the capture saw as a transaction of its own (filed as
    it would have been), and take back what it had added to the one it matched."""
    books = ledger_for_write(user, ledger)
    capture_lock(books)
    capture = (
        Capture.objects.select_for_update()
        .select_related("transaction")
        .filter(pk=match_id, ledger=books, matched=True)
        .first()
    )
    if capture is None:
        raise ValidationError(MATCH_NOT_FOUND, code="match_not_found")
    matched = capture.transaction
    filed = Categoriser(user=user, ledger=books).file(kind=capture.kind, text=capture.merchant)
    tx = transaction_insert(
        ledger=books,
        user=user,
        kind=capture.kind,
        amount=capture.amount,
        currency=capture.currency,
        category=filed.category,
        date=capture.date,
        note=capture.merchant,
        text=capture.text,
        paid_by=capture.user,
        source=source,
        actor=None,
        dry_run=False,
    )
    if capture.note_filled and matched.note == capture.merchant[:500]:
        matched.note = ""
        matched.save(update_fields=["note"])
    capture.transaction = tx
    capture.matched = capture.note_filled = False
    capture.save(update_fields=["transaction", "matched", "note_filled"])
    audit_record(
        source=source,
        action="transaction.unmatch",
        user=user,
        ledger=books,
        obj=tx,
        details={"match_id": capture.pk, "matched": matched.pk},
    )
    tx.category_guessed = filed.guessed
    return tx

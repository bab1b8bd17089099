"""A previewed statement imported: every row the person kept, or none, in one transaction.

Under the ledger's capture lock (`finance.services.captures`) the rows are checked
again: one imported meanwhile (another tab, another file of the same period) is not
imported twice, and one whose purchase was recorded meanwhile (a notification that
came after the preview) enriches it instead. Each row that goes in is a transaction
with its capture (the row's fingerprint: the same row never again), each row that
matched a purchase is a capture of that purchase. The rows go in by COPY; a correction
of a category teaches the keywords; the import has one audit row, and the budget
check and the missing rates follow as after any write.
"""

from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone

from audit.services import audit_record
from finance.data.statements import refusals
from finance.data.statements.bulk import copy_rows, next_ids
from finance.data.statements.choices import NOT_READY, row_error
from finance.data.statements.preview import imported_before, match_rows
from finance.jobs import defer_budget_check, defer_statement_commit
from finance.models import Capture, Category, Kind, StatementImport, StatementImportRow, Transaction
from finance.rates.lookup import exchange_rate
from finance.rates.store import exchange_rate_request
from finance.rules import CATEGORY_ARCHIVED
from finance.services.books import ledger_for_write
from finance.services.captures import Captured, capture_lock
from finance.services.categories import aliases_learn
from finance.services.merchants import merchant_words
from finance.services.splits import split_default_insert

if TYPE_CHECKING:
    from accounts.models import User

# A person correcting many rows teaches at most this many merchants' words per import:
# each lesson is a few queries, and a thousand corrections say the same few things.
MAX_LESSONS = 50


class Row(NamedTuple):
    number: int  # the row's `index`: its place in the file
    date: date
    time: time | None
    kind: str
    amount: Decimal
    currency: str
    text: str
    merchant: str
    card: str
    fingerprint: str
    category_id: int | None
    suggested_id: int | None
    duplicate_of_id: int | None
    include: bool

    def captured(self) -> Captured:
        return Captured(
            source=Capture.Source.STATEMENT,
            kind=self.kind,
            amount=self.amount,
            currency=self.currency,
            date=self.date,
            time=self.time,
            merchant=self.merchant,
            card=self.card,
            text=self.text,
            fingerprint=self.fingerprint,
        )


def statement_commit(*, user: "User", batch: StatementImport, source: str) -> StatementImport:
    """Import a previewed statement: now, or (a big one) by a queue job the page polls.
    ValidationError when it is not ready, or was imported meanwhile; nothing written."""
    ledger_for_write(user, batch.ledger_id)
    with transaction.atomic():
        locked = StatementImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status != StatementImport.Status.READY:
            raise ValidationError(NOT_READY, code="import_not_ready")
        if len(locked.content) > settings.IMPORT_SYNC_MAX_BYTES:
            locked.status, locked.error = StatementImport.Status.COMMITTING, {}
            locked.save(update_fields=["status", "error"])
            defer_statement_commit(import_id=locked.pk, source=source)
            return locked
        return statement_write(batch=locked, source=source)


_ROW_FIELDS = (
    "index", "date", "time", "kind", "amount", "currency", "text", "merchant", "card",
    "fingerprint", "category_id", "suggested_id", "duplicate_of_id", "include",
)  # fmt: skip
_TX_FIELDS = (
    "id", "ledger_id", "created_by_id", "paid_by_id", "kind", "amount", "currency",
    "category_id", "date", "note", "text", "source", "created_at",
)  # fmt: skip
_CAPTURE_FIELDS = (
    "ledger_id", "transaction_id", "user_id", "source", "matched", "fingerprint", "kind",
    "amount", "currency", "date", "time", "merchant", "card", "text", "note_filled",
    "batch_id", "created_at",
)  # fmt: skip
_FILL_NOTES = """
UPDATE finance_transaction t SET note = v.merchant
FROM unnest(%s::bigint[], %s::text[]) AS v(id, merchant)
WHERE t.id = v.id AND t.note = '' AND v.merchant <> ''
RETURNING t.id
"""


@transaction.atomic
def statement_write(*, batch: StatementImport, source: str) -> StatementImport:
    """The import itself (statement_commit's, or its job's)."""
    user, books = batch.user, batch.ledger
    capture_lock(books)
    rows = [
        Row(*values)
        for values in StatementImportRow.objects.filter(batch=batch)
        .order_by("index")
        .values_list(*_ROW_FIELDS)
    ]
    earlier = imported_before(books, [r.fingerprint for r in rows])
    rows = [r for r in rows if r.fingerprint not in earlier]
    if not rows:
        first = min((i.created_at for i in earlier.values()), default=timezone.now())
        day = formats.date_format(timezone.localtime(first, user.tz()), "DATE_FORMAT")
        raise refusals.refusal(refusals.IMPORT_REPEATED, date=day)
    _check_categories(books.pk, rows)
    # A row the person ticked though it matched is theirs to record; the others are
    # matched again, since a purchase may have been recorded after the preview.
    ticked = [r for r in rows if r.include and r.duplicate_of_id is not None]
    others = [r for r in rows if not (r.include and r.duplicate_of_id is not None)]
    found = match_rows(ledger=books, user=user, rows=[r.captured() for r in others])
    recorded = ticked + [r for n, r in enumerate(others) if n not in found and r.include]
    recorded.sort(key=lambda r: r.number)
    matched = [(r, found[n]) for n, r in enumerate(others) if n in found]
    _learn(user, [r for r in rows if r.category_id != r.suggested_id])

    now = timezone.now()
    ids = next_ids(Transaction, len(recorded))
    copy_rows(
        Transaction,
        _TX_FIELDS,
        (
            (pk, books.pk, user.pk, user.pk, r.kind, r.amount, r.currency, r.category_id,
             r.date, r.text[:500], "", Transaction.Source.IMPORT, now)
            for pk, r in zip(ids, recorded, strict=True)
        ),
    )  # fmt: skip
    # In a shared ledger its expenses are shared as any other: by the ledger's default.
    split_default_insert(
        ledger=books,
        transactions=[
            Transaction(pk=pk, kind=r.kind, amount=r.amount, currency=r.currency)
            for pk, r in zip(ids, recorded, strict=True)
        ],
    )
    filled = _fill_notes(matched)
    copy_rows(
        Capture,
        _CAPTURE_FIELDS,
        [
            *(_capture(books.pk, pk, user.pk, r, batch.pk, now) for pk, r in zip(ids, recorded, strict=True)),
            *(_capture(books.pk, pk, user.pk, r, batch.pk, now, filled) for r, pk in matched),
        ],
    )  # fmt: skip
    audit_record(
        source=source,
        action="statement.import",
        user=user,
        ledger=books,
        obj=batch,
        details={
            "format": batch.format,
            "rows": len(recorded),
            "matched": len(matched),
            "sha256": batch.digest,
        },
    )
    # This month's spending (and any dated ahead) may pass a plan: the members hear of
    # it, as after any expense. Past months are history, not news.
    this_month = user.today().replace(day=1)
    spent = {r.date for r in recorded if r.kind == Kind.EXPENSE and r.date >= this_month}
    defer_budget_check(ledger=books, days=sorted(spent))
    _ask_for_rates(books.default_currency, recorded)
    batch.status, batch.error = StatementImport.Status.DONE, {}
    batch.imported, batch.matched, batch.committed_at = len(recorded), len(matched), now
    batch.content = b""
    batch.save(update_fields=["status", "error", "imported", "matched", "committed_at", "content"])
    StatementImportRow.objects.filter(batch=batch).delete()
    return batch


def _check_categories(ledger_id: int, rows: Sequence[Row]) -> None:
    """Every row's category is still one of the ledger's, not archived since the preview."""
    usable = set(
        Category.objects.filter(ledger_id=ledger_id, is_archived=False).values_list("pk", flat=True)
    )
    for row in rows:
        if row.category_id not in usable:
            category = Category.objects.filter(pk=row.category_id or 0).first()
            message = CATEGORY_ARCHIVED % {"category": category.name if category else "?"}
            raise row_error(row.number, message, "category_archived")


def _learn(user: "User", corrected: Sequence[Row]) -> None:
    """Each merchant the person filed elsewhere is learned, as a correction is."""
    lessons: dict[tuple[str, int], None] = {}
    for row in corrected:
        words = merchant_words(row.merchant or row.text)
        if words and row.category_id is not None:
            lessons.setdefault((words, row.category_id), None)
    chosen = list(lessons)[:MAX_LESSONS]
    categories = Category.objects.in_bulk({category_id for _w, category_id in chosen})
    for words, category_id in chosen:
        aliases_learn(category=categories[category_id], note=words, user=user)


def _fill_notes(matched: Sequence[tuple[Row, int]]) -> set[int]:
    """A matched transaction without a note gets the statement's merchant; which did."""
    if not matched:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            _FILL_NOTES,
            [[pk for _r, pk in matched], [r.merchant[:500] for r, _pk in matched]],
        )
        return {pk for (pk,) in cursor.fetchall()}


def _capture(
    ledger_id: int,
    transaction_id: int,
    user_id: int,
    row: Row,
    batch_id: int,
    now: object,
    filled: set[int] | None = None,
) -> tuple[object, ...]:
    matched = filled is not None
    return (
        ledger_id, transaction_id, user_id, Capture.Source.STATEMENT, matched, row.fingerprint,
        row.kind, row.amount, row.currency, row.date, row.time, row.merchant[:255],
        row.card[:8], row.text, matched and transaction_id in (filled or set()), batch_id, now,
    )  # fmt: skip


def _ask_for_rates(target: str, rows: Sequence[Row]) -> None:
    """The rates the foreign rows need, asked for where none is stored (one per day)."""
    for currency, day in sorted({(r.currency, r.date) for r in rows if r.currency != target}):
        try:
            exchange_rate(base=currency, quote=target, on=day)
        except ValidationError:
            exchange_rate_request(base=currency, quote=target, on=day)

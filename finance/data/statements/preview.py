"""A statement previewed: read whatever its format (told by its bytes), every row filed
under a category and looked for among the purchases already in the ledger, and kept as
the import's rows until it is committed. Nothing of the books is written here.

Every row is categorised as the chat files a typed text (the ledger's keywords, the
person's learned ones, the merchants' vocabulary), then by its MCC, then by the bank's
own category (`finance.services.merchants`), each distinct description once. The
candidates for matching are read in one query for the statement's dates
(`finance.services.captures.candidates`). A row imported before, from this file or
another (another encoding of it, an overlapping period), is known by its fingerprint
and never imported again; a file every row of which was imported is refused.
"""

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone

from finance.data.statements import refusals
from finance.data.statements.bulk import copy_rows
from finance.jobs import defer_statement_preview
from finance.models import Capture, StatementImport, StatementImportRow
from finance.readers.statements import (
    Code,
    CsvOptions,
    Format,
    StatementError,
    StatementRow,
    Status,
    detect_format,
    iter_rows,
)
from finance.rules import normalize_amount
from finance.services.books import ledger_for_write
from finance.services.captures import Candidate, Captured, candidates, choose, seen
from finance.services.merchants import Categoriser
from ledgers import access
from ledgers.models import Ledger

if TYPE_CHECKING:
    from accounts.models import User

# How often a job tells the page how far it has read.
PROGRESS_EVERY = 5_000
ImportStatus = StatementImport.Status
WAITING = (ImportStatus.READING, ImportStatus.READY, ImportStatus.FAILED)


@dataclass(frozen=True)
class Imported:
    """A row's fingerprint seen in the ledger before: the transaction and when."""

    transaction_id: int
    created_at: Any


def statement_upload(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    content: bytes,
    filename: str,
    csv_options: Mapping[str, Any] | None = None,
    keep_unmapped: bool = False,
) -> StatementImport:
    """Take a statement for import into `ledger` (None: the person's active one) and
    preview it: now, or (a file over IMPORT_SYNC_MAX_BYTES) by a queue job the page
    polls. A file refused now raises ValidationError (`refusals`) and leaves nothing;
    with `keep_unmapped`, a CSV whose columns could not be told is kept, refused, for
    the person to choose them (the cabinet's mapping form)."""
    books = ledger_for_write(user, ledger)
    limit = settings.IMPORT_MAX_BYTES
    if len(content) > limit:
        raise refusals.refusal(Code.TOO_BIG, limit=max(1, limit // 2**20))
    if not content.strip():
        raise refusals.refusal(Code.EMPTY)
    try:
        found = detect_format(content)
    except StatementError as exc:
        raise refusals.statement_refusal(exc) from None
    with transaction.atomic():
        # One import on its way per person: one they left unfinished goes.
        StatementImport.objects.filter(user=user, status__in=WAITING).delete()
        batch = StatementImport.objects.create(
            ledger=books,
            user=user,
            filename=filename[:255],
            format=found.value,
            digest=hashlib.sha256(content).hexdigest(),
            content=content,
            csv_options=dict(csv_options or {}),
        )
        if len(content) > settings.IMPORT_SYNC_MAX_BYTES:
            defer_statement_preview(import_id=batch.pk)
            return batch
        try:
            statement_preview(batch=batch)  # a refusal rolls the import back with it
        except ValidationError as exc:
            if not (keep_unmapped and exc.code == Code.COLUMNS_MISSING):
                raise
            statement_failed(batch=batch, error=exc)
            batch.refresh_from_db()
    return batch


def statement_remap(
    *, user: "User", batch: StatementImport, csv_options: Mapping[str, Any]
) -> StatementImport:
    """Read a generic CSV again with the columns, dates and decimal sign the person chose."""
    ledger_for_write(user, batch.ledger_id)
    with transaction.atomic():
        batch.csv_options = dict(csv_options)
        batch.status, batch.error, batch.done, batch.total = ImportStatus.READING, {}, 0, 0
        batch.save(update_fields=["csv_options", "status", "error", "done", "total"])
        if len(batch.content) > settings.IMPORT_SYNC_MAX_BYTES:
            defer_statement_preview(import_id=batch.pk)
            return batch
        statement_preview(batch=batch)
    return batch


def csv_options_of(data: Mapping[str, Any]) -> CsvOptions | None:
    if not data:
        return None
    mapping = data.get("mapping")
    return CsvOptions(
        mapping={str(k): v for k, v in mapping.items()} if mapping is not None else None,
        date_format=str(data.get("date_format", "auto")),
        decimal=str(data.get("decimal", "auto")),
    )


def _progress(batch: StatementImport, *, done: int, total: int = 0) -> None:
    StatementImport.objects.filter(pk=batch.pk).update(done=done, total=total)


def read(
    batch: StatementImport, *, progress: bool = False
) -> tuple[list[StatementRow], list[StatementRow]]:
    """The file's completed operations and those left out (pending, failed), or a refusal."""
    max_rows = settings.IMPORT_MAX_ROWS
    rows: list[StatementRow] = []
    left_out: list[StatementRow] = []
    try:
        for row in iter_rows(
            bytes(batch.content),
            Format(batch.format),
            default_currency=batch.ledger.default_currency,
            csv_options=csv_options_of(batch.csv_options),
        ):
            if row.index > max_rows:
                raise refusals.refusal(Code.TOO_MANY_ROWS, limit=max_rows)
            (rows if row.status == Status.COMPLETED else left_out).append(row)
            if progress and row.index % PROGRESS_EVERY == 0:
                _progress(batch, done=row.index)
    except StatementError as exc:
        raise refusals.statement_refusal(exc) from None
    if not rows and not left_out:
        raise refusals.refusal(Code.EMPTY)
    for row in rows:
        try:
            normalize_amount(row.amount, row.currency)
        except ValidationError:  # more decimals than the currency has (¥1.50)
            raise refusals.refusal(Code.BAD_AMOUNT, row=row.index, value=str(row.amount)) from None
    return rows, left_out


def imported_before(ledger: Ledger | int, fingerprints: Sequence[str]) -> dict[str, Imported]:
    """Which of these statement rows' fingerprints the ledger has imported, from any file."""
    ledger_id = ledger if isinstance(ledger, int) else ledger.pk
    found: dict[str, Imported] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT fingerprint, transaction_id, created_at FROM finance_capture"
            " WHERE ledger_id = %s AND source = %s AND fingerprint = ANY(%s)",
            [ledger_id, Capture.Source.STATEMENT, list(fingerprints)],
        )
        for fingerprint, transaction_id, created_at in cursor:
            found[fingerprint] = Imported(transaction_id, created_at)
    return found


def words_of(row: StatementRow) -> str:
    """What a row says of whom it paid: the counterpart (camt.053's party, OFX's NAME), then
    the description (what the bank wrote about it), the first word that names a category
    winning."""
    description, counterpart = row.description, row.counterpart or ""
    if counterpart and counterpart.casefold() not in description.casefold():
        return f"{counterpart} {description}"
    return description or counterpart


def captured(row: StatementRow) -> Captured:
    """What a statement's row saw, as matching reads it."""
    return Captured(
        source=Capture.Source.STATEMENT,
        kind=row.kind.value,
        amount=row.amount,
        currency=row.currency,
        date=row.date,
        time=row.time,
        merchant=(row.counterpart or row.description)[:255],
        card=(row.card or "")[:8],
        text=row.description,
        fingerprint=row.fingerprint,
    )


Key = tuple[str, Any, str, date]


def match_rows(*, ledger: Ledger, user: "User", rows: Sequence[Captured]) -> dict[int, int]:
    """For each of `rows` (by position) that is a purchase already in the ledger, its
    transaction: one query for the rows' dates, then the rules of
    `finance.services.captures.choose`, in the file's order (a transaction a row has
    matched is one a statement has seen, so a second row of one amount finds another)."""
    if not rows:
        return {}
    pool: dict[Key, list[Candidate]] = defaultdict(list)
    found = candidates(
        ledger=ledger,
        paid_by=user,
        start=min(r.date for r in rows),
        end=max(r.date for r in rows),
    )
    for candidate in found:
        pool[candidate.key].append(candidate)
    matched: dict[int, int] = {}
    for position, row in enumerate(rows):
        same = pool.get((row.kind, row.amount, row.currency, row.date))
        if not same:
            continue
        chosen = choose(row, same)
        if chosen is not None:
            matched[position] = chosen.id
            same[same.index(chosen)] = seen(chosen, row.source)
    return matched


ROW_FIELDS = (
    "batch_id", "index", "date", "time", "kind", "amount", "currency", "text", "merchant",
    "card", "mcc", "fingerprint", "category_id", "suggested_id", "duplicate_of_id",
    "already_imported", "include",
)  # fmt: skip


def statement_preview(*, batch: StatementImport, progress: bool = False) -> StatementImport:
    """Read `batch`'s file, file and match its rows, and keep them (replacing any kept
    before); ValidationError when the file is refused. `progress`: tell the page as it
    goes (a job's, outside any transaction)."""
    user, books = batch.user, batch.ledger
    rows, left_out = read(batch, progress=progress)
    total = len(rows)
    if progress:
        _progress(batch, done=0, total=total)
    earlier = imported_before(books, [r.fingerprint for r in rows])
    if rows and len(earlier) == len(rows):
        first = min(i.created_at for i in earlier.values())
        day = formats.date_format(timezone.localtime(first, user.tz()), "DATE_FORMAT")
        raise refusals.refusal(refusals.IMPORT_REPEATED, date=day)
    categoriser = Categoriser(user=user, ledger=books)
    filed = [
        categoriser.file(
            kind=r.kind.value, text=words_of(r), mcc=r.mcc, bank_category=r.bank_category
        ).category.pk
        for r in rows
    ]
    fresh = [(n, captured(r)) for n, r in enumerate(rows) if r.fingerprint not in earlier]
    found = match_rows(ledger=books, user=user, rows=[c for _n, c in fresh])
    duplicates = {fresh[position][0]: tx for position, tx in found.items()}

    def values() -> Any:
        for n, r in enumerate(rows):
            before = earlier.get(r.fingerprint)
            duplicate = before.transaction_id if before is not None else duplicates.get(n)
            merchant = (r.counterpart or r.description or "")[:255]
            yield (
                batch.pk, r.index, r.date, r.time, r.kind.value, r.amount, r.currency,
                r.description[:500], merchant, (r.card or "")[:8], r.mcc or "", r.fingerprint,
                filed[n], filed[n], duplicate, before is not None, duplicate is None,
            )  # fmt: skip

    with transaction.atomic():
        StatementImportRow.objects.filter(batch=batch).delete()
        copy_rows(StatementImportRow, ROW_FIELDS, values())
        batch.status, batch.error = ImportStatus.READY, {}
        batch.done = batch.total = total
        batch.left_out = len(left_out)
        batch.save(update_fields=["status", "error", "done", "total", "left_out"])
    return batch


def statement_failed(*, batch: StatementImport, error: ValidationError) -> None:
    """Keep why the file was refused, for the page to say. The file itself goes, but for
    a CSV whose columns the person is to choose."""
    params = getattr(error, "params", None) or {}
    changes: dict[str, Any] = {
        "status": ImportStatus.FAILED,
        "error": {
            "code": error.code or "malformed",
            "message": " ".join(error.messages),
            "row": params.get("row"),
        },
    }
    if error.code != Code.COLUMNS_MISSING:
        changes["content"] = b""
    StatementImport.objects.filter(pk=batch.pk).update(**changes)

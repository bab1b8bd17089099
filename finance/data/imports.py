"""Transactions in: a CSV from another app or a bank, previewed, then written all at once.

`read_table` decodes the file (UTF-8 or Windows-1251, comma, semicolon or tab),
`guess_mapping` picks the columns by their headings (Russian or English); both, and the
reading of dates and amounts, are the statement readers' generic CSV
(`finance.readers.statements.generic`), so a file reads the same there. `preview`
turns every row into a transaction or a problem without writing anything, and
`transactions_import` writes them all or none. The file's SHA-256 is kept
(`ImportBatch`), so the same file imported twice is written once.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core import money
from finance.defaults import FALLBACK_SLUGS, fallback_slug
from finance.jobs import defer_budget_check
from finance.models import Category, ImportBatch, Kind, Transaction
from finance.rates.lookup import exchange_rate
from finance.rates.store import exchange_rate_request
from finance.readers.statements import generic, text
from finance.readers.statements.errors import Code, StatementError
from finance.rules import normalize_amount
from finance.selectors.categories import CategoryIndex, category_index
from finance.services.books import ledger_for_write
from finance.services.splits import split_default_insert
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
FIELDS = generic.FIELDS
REQUIRED = generic.REQUIRED

FILE_EMPTY = _("The file holds no rows.")
FILE_TOO_BIG = _("The file is larger than 2 MB or holds more than 5000 rows; split it.")
FILE_NOT_CSV = _("This is not a CSV file (text, one row per line).")
COLUMN_MISSING = _("Choose the column that holds the %(field)s.")
ROW_DATE = _("“%(value)s” is not a date in the chosen format.")
ROW_AMOUNT = _("“%(value)s” is not an amount.")
ROW_KIND = _("“%(value)s” is not an expense, an income or a refund.")
ROW_NO_CATEGORY = _("There is no category for it; add one named “%(value)s”.")
ROWS_INVALID = _("%(count)s rows have problems; nothing was imported.")
IMPORT_REPEATED = _("This file was already imported on %(date)s; nothing was imported again.")

HEADINGS = generic.HEADINGS
DATE_FORMAT_CHOICES = [
    ("auto", _("Recognise (ISO, or day first)")),
    ("dmy", _("Day first: 31.12.2026, 31/12/2026")),
    ("mdy", _("Month first: 12/31/2026")),
    ("ymd", _("Year first: 2026-12-31")),
]
DECIMAL_CHOICES = [
    ("auto", _("Recognise")),
    ("comma", _("Comma: 1 234,56")),
    ("dot", _("Point: 1,234.56")),
]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    digest: str


@dataclass
class Options:
    mapping: dict[str, int | None]
    date_format: str = "auto"
    decimal: str = "auto"


@dataclass
class Row:
    line: int
    date: dt.date | None = None
    kind: str = Kind.EXPENSE
    amount: Decimal | None = None
    currency: str = ""
    category: Category | None = None
    note: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[Row]

    @property
    def problems(self) -> list[Row]:
        return [r for r in self.rows if r.errors]


def read_table(content: bytes) -> Table:
    """The file's heading row and rows, or ValidationError for a file that is not a CSV."""
    if len(content) > MAX_BYTES:
        raise ValidationError(FILE_TOO_BIG, code="import_too_big")
    if not content.strip():
        raise ValidationError(FILE_EMPTY if not content else FILE_NOT_CSV, code="import_not_csv")
    try:
        table = generic.read_table(text.decode(content))
    except StatementError as e:
        if e.code == Code.EMPTY:
            raise ValidationError(FILE_EMPTY, code="import_empty") from None
        raise ValidationError(FILE_NOT_CSV, code="import_not_csv") from None
    if len(table.rows) > MAX_ROWS:
        raise ValidationError(FILE_TOO_BIG, code="import_too_big")
    return Table(header=table.header, rows=table.rows, digest=hashlib.sha256(content).hexdigest())


def guess_mapping(header: list[str]) -> dict[str, int | None]:
    return generic.guess_mapping(header)


def _parse_date(value: str, layout: str) -> date | None:
    try:
        return generic.parse_date(value, layout, row=0)[0]
    except StatementError:
        return None


def _decimal_style(values: list[str]) -> str:
    return generic.decimal_style(values)


def _parse_amount(value: str, style: str) -> Decimal | None:
    try:
        return generic.parse_amount(value, style, row=0)
    except StatementError:
        return None


def _kind(value: str) -> str | None:
    kind = generic.parse_kind(value)
    return kind.value if kind is not None and kind.value in Kind.values else None


def _cell(row: list[str], index: int | None) -> str:
    return generic.cell(row, index)


def check_mapping(options: Options) -> None:
    for name in REQUIRED:
        if options.mapping.get(name) is None:
            raise ValidationError(
                COLUMN_MISSING, code="import_column_missing", params={"field": name}
            )


def preview(*, user: "User", table: Table, options: Options) -> Preview:
    """What importing `table` with `options` would write, row by row; writes nothing.
    Linear in the rows: the categories are read once (`category_index`), however many
    names the file holds."""
    check_mapping(options)
    m = options.mapping
    amounts = [_cell(r, m["amount"]) for r in table.rows]
    style = options.decimal if options.decimal != "auto" else _decimal_style(amounts)
    signed = m.get("kind") is None and any(a.strip().startswith(("-", "−")) for a in amounts)
    books = access.member_of(user=user, write=True).ledger
    index = category_index(user=user, ledger=books)
    fallbacks = {
        c.slug: c
        for c in Category.objects.for_ledger(books).filter(slug__in=FALLBACK_SLUGS.values())
    }
    found: dict[tuple[str, str], Category | None] = {}
    rows = []
    for line, cells in enumerate(table.rows, start=2):
        row = Row(line=line, note=_cell(cells, m.get("note"))[:500])
        raw_date = _cell(cells, m["date"])
        row.date = _parse_date(raw_date, options.date_format)
        if row.date is None:
            row.errors.append(str(ROW_DATE % {"value": raw_date}))
        raw_amount = _cell(cells, m["amount"])
        amount = _parse_amount(raw_amount, style)
        if m.get("kind") is not None:
            kind = _kind(_cell(cells, m["kind"]))
            if kind is None:
                row.errors.append(str(ROW_KIND % {"value": _cell(cells, m["kind"])}))
            row.kind = kind or Kind.EXPENSE
        elif signed and amount is not None:
            row.kind = Kind.EXPENSE if amount < 0 else Kind.INCOME
        try:
            row.currency = money.normalize_code(
                _cell(cells, m.get("currency")) or user.default_currency
            )
        except ValidationError as e:
            row.errors.extend(e.messages)
        if amount is None:
            row.errors.append(str(ROW_AMOUNT % {"value": raw_amount}))
        elif row.currency:
            try:
                row.amount = normalize_amount(abs(amount), row.currency)
            except ValidationError as e:
                row.errors.extend(e.messages)
        name = _cell(cells, m.get("category"))
        key = (row.kind, name)
        if key not in found:
            found[key] = _category(index, name, row.kind, fallbacks)
        row.category = found[key]
        if row.category is None:
            row.errors.append(str(ROW_NO_CATEGORY % {"value": name or fallback_slug(row.kind)}))
        rows.append(row)
    return Preview(rows=rows)


def _category(
    index: CategoryIndex, name: str, kind: str, fallbacks: dict[str, Category]
) -> Category | None:
    if name:
        try:
            category = index.find(name)
        except ValidationError:
            pass
        else:
            if category.kind == Kind(kind).category_kind and not category.is_archived:
                return category
    return fallbacks.get(fallback_slug(kind))


@transaction.atomic
def transactions_import(
    *, user: "User", table: Table, options: Options, filename: str = ""
) -> ImportBatch:
    """Write every row of `table` or none: a row with a problem, or a file imported
    before, raises ValidationError and writes nothing."""
    if ImportBatch.objects.filter(user=user, digest=table.digest).exists():
        earlier = ImportBatch.objects.get(user=user, digest=table.digest)
        raise ValidationError(
            IMPORT_REPEATED,
            code="import_repeated",
            params={"date": f"{earlier.created_at:%Y-%m-%d}"},
        )
    books = ledger_for_write(user, None)
    result = preview(user=user, table=table, options=options)
    if result.problems:
        raise ValidationError(
            ROWS_INVALID, code="import_rows_invalid", params={"count": len(result.problems)}
        )
    try:
        with transaction.atomic():  # a twin request's batch row wins; this one then refuses
            batch = ImportBatch.objects.create(
                user=user, digest=table.digest, filename=filename[:255], rows=len(result.rows)
            )
    except IntegrityError:
        raise ValidationError(
            IMPORT_REPEATED, code="import_repeated", params={"date": "—"}
        ) from None
    transactions = []
    for row in result.rows:
        assert row.amount is not None and row.date is not None  # no problems: both parsed
        transactions.append(
            Transaction(
                ledger=books,
                created_by=user,
                paid_by=user,
                kind=row.kind,
                amount=row.amount,
                currency=row.currency,
                category=row.category,
                date=row.date,
                note=row.note,
                source=Transaction.Source.IMPORT,
            )
        )
    Transaction.objects.bulk_create(transactions, batch_size=1000)
    # In a shared ledger its expenses are shared as any other: by the ledger's default.
    split = split_default_insert(ledger=books, transactions=transactions)
    # This month's spending (and any dated ahead) may pass a plan: the members hear of it,
    # as after any expense written. Past months are history, not news.
    this_month = user.today().replace(day=1)
    defer_budget_check(
        ledger=books,
        days=[tx.date for tx in transactions if tx.kind == Kind.EXPENSE and tx.date >= this_month],
    )
    audit_record(
        source=Transaction.Source.IMPORT,
        action="transactions.import",
        user=user,
        obj=batch,
        details={"rows": len(transactions), "sha256": table.digest, "split": split},
    )
    needed = {(tx.currency, tx.date) for tx in transactions if tx.currency != user.default_currency}
    for currency, day in sorted(needed):
        try:
            exchange_rate(base=currency, quote=user.default_currency, on=day)
        except ValidationError:
            exchange_rate_request(base=currency, quote=user.default_currency, on=day)
    return batch

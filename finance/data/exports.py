"""A person's data, out: their transactions as CSV and everything they own as JSON.

Reads only. The CSV is the one `finance.data.imports` reads back (same columns, same
formats). No secret leaves: no password hash, no token or its hash or prefix.
"""

import csv
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils import timezone

from core import db
from finance.models import BudgetItem, Category, Receipt, Transaction
from finance.readers.statements import formulas
from finance.services.books import ledger_personal
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User

CSV_COLUMNS = ["date", "kind", "amount", "currency", "category", "note", "source"]
# The CSV's two forms (`format`): RFC 4180 for programs, and one Excel opens in columns.
CSV, EXCEL = "csv", "excel"
FORMAT_VERSION = 1


class _Line:
    """A file-like object that hands back what csv.writer wrote, one row at a time."""

    def write(self, value: str) -> str:
        return value


def transactions_csv(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    start: date | None,
    end: date | None,
    excel: bool = False,
    using: str = db.PRIMARY,
) -> Iterator[str]:
    """The transactions of `ledger` (None: the person's active one) from `start` to `end`
    (either may be open), oldest first: RFC 4180, or for Excel with `excel`. `using`: the
    database the rows are read from; the access check is always the primary's."""
    books = access.member_of(user=user, ledger=ledger).ledger
    rows = Transaction.objects.using(using).for_ledger(books).select_related("category", "paid_by")
    if start is not None:
        rows = rows.filter(date__gte=start)
    if end is not None:
        rows = rows.filter(date__lte=end)
    # Excel splits a line at the list separator of the system's locale, which is ";"
    # wherever the decimal mark is a comma (Russia, most of Europe), and reads a file
    # without a byte-order mark as ANSI: Cyrillic turns to mojibake. Programs want RFC
    # 4180's commas and nothing before the first heading.
    # Every cell quoted and every part of it a spreadsheet could run as a formula made
    # text, whatever separator it splits at (OWASP's rule; see `formulas`).
    writer = csv.writer(_Line(), delimiter=";" if excel else ",", quoting=csv.QUOTE_ALL)
    heading = writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + heading if excel else heading
    for tx in rows.order_by("date", "id").iterator(chunk_size=2000):
        cells = [
            tx.date.isoformat(),
            tx.kind,
            str(tx.amount).replace(".", ",") if excel else str(tx.amount),
            tx.currency,
            tx.category.name,
            tx.note,
            tx.source,
        ]
        yield writer.writerow([formulas.protect(cell) for cell in cells])


def csv_filename(start: date | None, end: date | None) -> str:
    span = f"{start or 'start'}_{end or 'today'}" if start or end else "all"
    return f"kopilka-transactions-{span}.csv"


def _category(category: Category) -> dict[str, Any]:
    return {
        "id": category.pk,
        "kind": category.kind,
        "slug": category.slug,
        "name": category.name,
        "archived": category.is_archived,
        "keywords": sorted(alias.word for alias in category.aliases.all()),
    }


def _contacts(user: "User") -> list[dict[str, Any]]:
    """Linked messenger contacts, once the messaging app has them (user_contacts)."""
    try:
        model = apps.get_model("messaging", "UserContact")
    except LookupError:
        return []
    fields = [f.name for f in model._meta.concrete_fields if f.name not in {"user", "id"}]
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in model.objects.filter(user=user).values(*fields)
    ]


def account_export(*, user: "User", using: str = db.PRIMARY) -> dict[str, Any]:
    """Everything the person owns, as one JSON-ready document: their profile, tokens and
    contacts, and the books of their personal ledger. `using`: the database the books
    are read from; the ledger and the person's own rows are the primary's."""
    books = access.member_of(user=user, ledger=ledger_personal(user=user)).ledger
    categories = (
        Category.objects.using(using).for_ledger(books).prefetch_related("aliases").order_by("id")
    )
    budgets = (
        BudgetItem.objects.using(using)
        .filter(ledger=books)
        .select_related("category")
        .order_by("month")
    )
    transactions = Transaction.objects.using(using).for_ledger(books).select_related("category")
    tokens = user.api_tokens.order_by("created_at")
    return {
        "format": "kopilka-export",
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "default_currency": user.default_currency,
            "timezone": user.timezone,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
        },
        "categories": [_category(c) for c in categories],
        "budget_items": [
            {
                "month": f"{b.month:%Y-%m}",
                "category": b.category.slug,
                "planned_amount": str(b.planned_amount),
                "currency": b.currency,
            }
            for b in budgets
        ],
        "transactions": [
            {
                "id": tx.pk,
                "date": tx.date.isoformat(),
                "kind": tx.kind,
                "amount": str(tx.amount),
                "currency": tx.currency,
                "category": tx.category.slug,
                "note": tx.note,
                "text": tx.text,
                "source": tx.source,
                "created_at": tx.created_at.isoformat(),
            }
            for tx in transactions.order_by("date", "id").iterator(chunk_size=2000)
        ],
        "receipts": [
            {
                "transaction": r.transaction_id,
                "fn": r.fn,
                "i": r.i,
                "fp": r.fp,
                "n": r.n,
                "issued_at": f"{r.issued_on.isoformat()}T{r.issued_at_time.isoformat()}",
                "total": str(r.total),
                "seller": r.seller,
                "address": r.address,
                "items": [
                    {
                        "name": item.name,
                        "price": str(item.price),
                        "quantity": str(item.quantity),
                        "sum": str(item.amount),
                    }
                    for item in r.items.all()
                ],
            }
            for r in Receipt.objects.filter(ledger=books).prefetch_related("items").order_by("id")
        ],
        # The tokens' names and rights only: never the token, its hash or its prefix.
        "bot_tokens": [
            {
                "name": t.name,
                "scopes": list(t.scopes),
                "created_at": t.created_at.isoformat(),
                "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                "status": t.status(),
            }
            for t in tokens
        ],
        "contacts": _contacts(user),
    }

"""Recording a cash receipt from its QR code (54-ФЗ), whatever the channel: one receipt,
one transaction per ledger. Then, where a receipt-checking service is configured, its
seller and line items, fetched by a queue job.

A purchase (n=1) is an expense, its refund (n=2) a refund; a payout by the seller
(n=3, a pawnshop's, a bookmaker's) is an income, and its refund (n=4) an expense. The
date is the receipt's own (its local time, never shifted); the amount is in roubles.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_flush, audit_record, collected
from finance import receipt_check
from finance.defaults import fallback_slug
from finance.jobs import defer_budget_check, defer_receipt_items
from finance.models import Capture, Category, Kind, Receipt, ReceiptItem, Transaction
from finance.readers.receipts import FiscalReceipt, ReceiptError, ReceiptKind
from finance.rules import check_category
from finance.services.books import ledger_for_write
from finance.services.captures import Captured, capture_attach, capture_lock, capture_match
from finance.services.parser_cache import category_index, parser_categories
from finance.services.transactions import transaction_insert
from finance.textparse import words
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User
    from ledgers.models import Ledger

logger = logging.getLogger(__name__)

CURRENCY = "RUB"
KINDS = {
    ReceiptKind.PURCHASE: Kind.EXPENSE,
    ReceiptKind.PURCHASE_REFUND: Kind.REFUND,
    ReceiptKind.PAYOUT: Kind.INCOME,
    ReceiptKind.PAYOUT_REFUND: Kind.EXPENSE,
}
NO_CATEGORY = _("There is no %(kind)s category to file this under.")

# What a photo or a QR's text that is no receipt says to the person, by the reader's code.
RECEIPT_MESSAGES = {
    "not_an_image": _("This is not a photo: send a JPEG, PNG, WebP or HEIC image."),
    "file_too_large": _("The photo is larger than 5 MB: send a smaller one."),
    "too_many_pixels": _("The image is too large to read: send an ordinary photo."),
    "qr_not_found": _(
        "I could not read the receipt's QR code. Take the photo closer, with the receipt "
        "flat and in good light, so that the QR code fills about a third of the frame."
    ),
    "not_fiscal_qr:url": _("This QR code is a link, not a receipt's."),
    "not_fiscal_qr:payment": _("This is a payment QR code, not a receipt's."),
    "not_fiscal_qr:text": _("This QR code is not a receipt's."),
    "invalid_fiscal_qr": _(
        "The receipt's QR code is damaged or incomplete (“%(field)s”): take the photo again."
    ),
}


def receipt_problem(exc: ReceiptError) -> ValidationError:
    """The reader's refusal as the person reads it, keeping the reader's code."""
    looks_like = exc.params.get("looks_like")
    message = RECEIPT_MESSAGES.get(f"{exc.code}:{looks_like}") or RECEIPT_MESSAGES[exc.code]
    return ValidationError(message, code=exc.code, params=dict(exc.params))


@dataclass(frozen=True)
class RecordedReceipt:
    """A receipt recorded now, or (`duplicate`) found already recorded in the ledger."""

    transaction: Transaction
    receipt: Receipt
    duplicate: bool


def _recorded(books: "Ledger", fiscal: FiscalReceipt) -> Receipt | None:
    return (
        Receipt.objects.select_related("transaction__category")
        .filter(ledger=books, fn=fiscal.fn, i=fiscal.i, fp=fiscal.fp)
        .first()
    )


def receipt_record(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    receipt: FiscalReceipt,
    category: Category | None = None,
    text: str = "",
    source: str,
    actor: "User | None" = None,
) -> RecordedReceipt:
    """Record `receipt` in `ledger` (None: the person's active ledger), or find it there.

    The category is `category`, else the one the words of `text` (a caption, as typed
    text's words choose) name, else the ledger's fallback. The same receipt (fn + i + fp)
    again, from any channel, writes nothing and comes back as a duplicate with the
    transaction it became. Raises ValidationError for a category the receipt cannot take.
    """
    books = ledger_for_write(user, ledger)
    existing = _recorded(books, receipt)
    if existing is not None:
        return RecordedReceipt(existing.transaction, existing, duplicate=True)
    kind = KINDS[receipt.kind]
    caption = " ".join(text.split())[:500]
    if category is not None:
        check_category(ledger_id=books.pk, category=category, kind=kind)
        chosen = True
    else:
        category, chosen = _category_by_words(user, books, kind, [(caption, Decimal(1))])
    try:
        # A savepoint: a twin request that records the same receipt at once waits on the
        # unique index, then fails here and reports the twin's record instead. Its audit
        # rows are written inside, so that they go with the writes they describe.
        with transaction.atomic():
            with collected() as rows:
                tx = receipt_transaction(
                    books, user, receipt, kind, category, caption, source, actor
                )
                row = Receipt.objects.create(
                    ledger=books,
                    transaction=tx,
                    fn=receipt.fn,
                    i=receipt.i,
                    fp=receipt.fp,
                    n=receipt.kind.n,
                    total=receipt.total,
                    issued_on=receipt.issued_at.date(),
                    issued_at_time=receipt.issued_at.time(),
                    qr_text=receipt.qr_text,
                    category_chosen=chosen,
                )
                audit_record(
                    source=source,
                    action="receipt.record",
                    user=user,
                    ledger=books,
                    actor=actor,
                    obj=row,
                    details={
                        "receipt": receipt.dedup_key,
                        "n": receipt.kind.n,
                        "transaction": tx.pk,
                    },
                )
            audit_flush(rows)
            if receipt_check.configured():
                defer_receipt_items(receipt_id=row.pk)
    except IntegrityError:
        existing = _recorded(books, receipt)
        if existing is None:
            raise
        return RecordedReceipt(existing.transaction, existing, duplicate=True)
    tx.category_guessed = chosen
    return RecordedReceipt(tx, row, duplicate=False)


def receipt_transaction(
    books: "Ledger",
    user: "User",
    receipt: FiscalReceipt,
    kind: str,
    category: Category,
    caption: str,
    source: str,
    actor: "User | None",
) -> Transaction:
    """The transaction a new receipt is (inside `receipt_record`'s savepoint): the same
    purchase already recorded another way (typed, a bank notification, a statement's
    row; the rules of docs/capture.md) is that transaction, which the receipt then
    enriches; else a new one, with the receipt kept as its origin. Two receipts are
    never one purchase."""
    captured = Captured(
        source=Capture.Source.RECEIPT,
        kind=kind,
        amount=receipt.total,
        currency=CURRENCY,
        date=receipt.issued_at.date(),
        time=receipt.issued_at.time().replace(second=0),
        text=caption,
    )
    capture_lock(books)
    match = capture_match(ledger=books, user=user, captured=captured, source=source, actor=actor)
    if match is not None:
        return match.transaction
    tx = transaction_insert(
        ledger=books,
        user=user,
        kind=kind,
        amount=receipt.total,
        currency=CURRENCY,
        category=category,
        date=receipt.issued_at.date(),
        note=caption,
        text=caption,
        paid_by=None,
        source=source,
        actor=actor,
        dry_run=False,
    )
    capture_attach(ledger=books, tx=tx, user=user, captured=captured)
    return tx


def _category_by_words(
    user: "User", books: "Ledger", kind: str, texts: Iterable[tuple[str, Decimal]]
) -> tuple[Category, bool]:
    """The category the texts' words name, each text weighing as much as its amount
    (a receipt's items vote by their sums); else the fallback. True when words chose."""
    filed_under = Kind(kind).category_kind.value
    categories, entries = parser_categories(user=user, ledger=books, kind=filed_under)
    index = category_index(entries)
    votes: dict[int, Decimal] = {}
    for text, weight in texts:
        match = index.match(filed_under, words.tokens(text)) if text else None
        if match is not None and match.guessed:
            votes[match.category.id] = votes.get(match.category.id, Decimal(0)) + weight
    if votes:
        return categories[max(votes, key=lambda pk: (votes[pk], -pk))], True
    fallback = index.match(filed_under, [])
    if fallback is None:
        raise ValidationError(
            {
                "category": [
                    ValidationError(
                        NO_CATEGORY, code="category_not_found", params={"kind": filed_under}
                    )
                ]
            }
        )
    return categories[fallback.category.id], False


# The seller and the items, from the receipt-checking service.

# Seconds before each try after the first: the tax service may take hours to receive a
# receipt (the service's code 2), and a busy service asks to come back later (3, 4).
ITEMS_BACKOFF = (60, 600, 3600, 4 * 3600, 12 * 3600, 24 * 3600)


def receipt_items_fetch(*, receipt_id: int, attempt: int = 0) -> str:
    """Fetch a recorded receipt's seller and items and apply them; what happened, in a word.

    A failure leaves the record as it was and asks again later (`ITEMS_BACKOFF`), until
    the service says there is no such receipt or the tries run out.
    """
    if not receipt_check.configured():
        return "off"
    row = Receipt.objects.filter(pk=receipt_id, items_checked_at__isnull=True).first()
    if row is None:
        return "gone"
    try:
        checked = receipt_check.check(row.qr_text)
    except receipt_check.CheckError as exc:
        if exc.permanent or attempt >= len(ITEMS_BACKOFF):
            logger.warning("receipts: no items for receipt %s: %s", receipt_id, exc)
            return "failed"
        defer_receipt_items(
            receipt_id=receipt_id,
            attempt=attempt + 1,
            schedule_in_seconds=ITEMS_BACKOFF[attempt],
        )
        return "retry"
    return "done" if receipt_items_apply(receipt_id=receipt_id, checked=checked) else "gone"


@transaction.atomic
def receipt_items_apply(*, receipt_id: int, checked: receipt_check.CheckedReceipt) -> bool:
    """Store the items and the seller; name the seller in the note and, when nobody's
    words chose the category, choose it from the seller and the items. False when the
    receipt is gone or already has them."""
    row = (
        Receipt.objects.select_for_update()
        .filter(pk=receipt_id, items_checked_at__isnull=True)
        .first()
    )
    if row is None:
        return False
    # Locked too: a person pressing a category button at this moment wins after us.
    tx = (
        Transaction.objects.select_for_update(of=("self",))
        .select_related("category", "created_by", "ledger")
        .get(pk=row.transaction_id)
    )
    ReceiptItem.objects.bulk_create(
        ReceiptItem(
            receipt=row,
            position=n,
            name=item.name,
            price=item.price,
            quantity=item.quantity,
            amount=item.amount,
        )
        for n, item in enumerate(checked.items, start=1)
    )
    row.seller, row.seller_inn, row.address = checked.seller, checked.seller_inn, checked.address
    row.items_checked_at = timezone.now()
    row.save(update_fields=["seller", "seller_inn", "address", "items_checked_at"])

    changed: dict[str, object] = {"items": len(checked.items)}
    seller = checked.place or checked.seller
    if seller and seller not in tx.note:
        note = f"{seller} · {tx.note}" if tx.note else seller
        changed["note"] = [tx.note, note[:500]]
        tx.note = note[:500]
    recorder = tx.created_by  # None once their account is gone: their words are too
    if not row.category_chosen and recorder and tx.category.slug == fallback_slug(tx.kind):
        # The seller's name first (`АПТЕКА 36,6`); else the items, each weighing its sum.
        named = [(f"{checked.place} {checked.seller}", Decimal(1))]
        category, chosen = _category_by_words(recorder, tx.ledger, tx.kind, named)
        if not chosen:
            items = [(item.name, item.amount) for item in checked.items]
            category, chosen = _category_by_words(recorder, tx.ledger, tx.kind, items)
        if chosen and category.pk != tx.category_id:
            changed["category"] = [tx.category.slug, category.slug]
            tx.category = category
    tx.save(update_fields=["note", "category"])
    if "category" in changed and Kind(tx.kind).category_kind == Kind.EXPENSE:
        defer_budget_check(ledger=tx.ledger_id, days=[tx.date])
    audit_record(
        source=tx.source,
        action="receipt.items",
        user=tx.created_by,
        ledger=tx.ledger_id,
        obj=row,
        details=changed,
    )
    return True

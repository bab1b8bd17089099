"""Recording what a person typed (`кофе 250`): parse it against the ledger's categories,
record one transaction, learn a correction."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import money
from finance import textparse
from finance.models import Category, Kind, Transaction
from finance.rules import AMOUNT_OUT_OF_RANGE, check_category, normalize_amount
from finance.services.books import ledger_for_write
from finance.services.categories import aliases_learn
from finance.services.parser_cache import category_index, parser_categories
from finance.services.splits import SplitRequest, split_from_words
from finance.services.transactions import transaction_insert
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User

# The parser is pure and speaks English; people read these in their own language.
TEXT_MESSAGES = {
    "amount_not_found": _("The text states no amount; write it as a number, such as “кофе 250”."),
    "amount_out_of_range": AMOUNT_OUT_OF_RANGE,
    "unknown_currency": money.UNKNOWN_CURRENCY,
    "invalid_date": _("“%(words)s” is not a day that exists."),
    "category_not_found": _("There is no %(kind)s category to file this under."),
}


def _text_error(problems: Iterable[textparse.Problem]) -> ValidationError:
    fields: dict[str, list[ValidationError]] = {}
    for p in problems:
        message = TEXT_MESSAGES.get(p.code, p.message)
        error = ValidationError(message, code=p.code, params=p.params or None)
        fields.setdefault(p.path.removeprefix("payload."), []).append(error)
    return ValidationError(fields)


def record_from_text(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    kind: str,
    text: str,
    date: date | None = None,
    currency: str | None = None,
    category: Category | None = None,
    source: str,
    actor: "User | None" = None,
    dry_run: bool = False,
    split: SplitRequest | None = None,
) -> Transaction:
    """Record what a person typed (`кофе 250`) as one transaction in `ledger` (None: their
    active ledger), or write nothing.

    Raises ValidationError keyed by payload field (text, date, currency, category), each
    error with the contract's code. `date`, `currency` and `category` win over the text;
    a `category` other than the one the text suggests is learned as a correction is.
    `dry_run` returns the unsaved transaction. An expense of a shared ledger is split as
    `split` asks, else as its words say ("пополам", "за меня и Машу"), else as the
    ledger's default; the parser reads the text without the split's words.
    """
    books = ledger_for_write(user, ledger)
    words = text
    if split is None and kind == Kind.EXPENSE and books.personal_for_id is None:
        try:
            words, split = split_from_words(ledger=books, user=user, text=text)
        except ValidationError as e:
            raise ValidationError({"text": e.error_list}) from None
    if category is not None:
        try:
            check_category(ledger_id=books.pk, category=category, kind=kind)
        except ValidationError as e:
            raise ValidationError({"category": e.error_list}) from None
    # A refund's words name what was bought: its categories are the expense ones.
    filed_under = Kind(kind).category_kind.value
    categories, entries = parser_categories(user=user, ledger=books, kind=filed_under)
    try:
        parsed = textparse.parse(
            words,
            kind=filed_under,
            index=category_index(entries),
            default_currency=books.default_currency,
            today=user.today(),
            date=date,
            currency=currency,
        )
        amount = normalize_amount(parsed.amount, parsed.currency)
    except textparse.ParseError as e:
        raise _text_error(e.problems) from None
    except ValidationError as e:
        # The text's amount has more decimals than the currency holds (`1.5` yen).
        raise ValidationError({"text": e.error_list}) from None
    chosen = category or categories[parsed.category_id]
    with transaction.atomic(savepoint=False):
        tx = transaction_insert(
            ledger=books,
            user=user,
            kind=kind,
            amount=amount,
            currency=parsed.currency,
            category=chosen,
            date=parsed.date,
            note=parsed.note,
            text=text,
            paid_by=None,
            source=source,
            actor=actor,
            dry_run=dry_run,
            split=split,
        )
        if not dry_run and chosen.pk != parsed.category_id:
            aliases_learn(category=chosen, note=parsed.note, user=user)
    tx.category_guessed = parsed.category_guessed if category is None else None
    return tx

"""The money domain's shared rules: what an amount, a keyword and a category must be, and
who may read or write a ledger. The services and the selectors both ask here; nothing
here writes.
"""

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import money
from finance.models import Category, Kind
from ledgers import access

if TYPE_CHECKING:
    from accounts.models import User
    from ledgers.models import Ledger

AMOUNT_OUT_OF_RANGE = _("The amount must be greater than zero and less than 1,000,000,000,000.")
PLANNED_OUT_OF_RANGE = _("The planned amount must be zero or more and less than 1,000,000,000,000.")
AMOUNT_PRECISION = _("%(currency)s amounts have at most %(places)s decimal places.")
CATEGORY_NOT_FOUND = _("No such category.")
CATEGORY_KIND_MISMATCH = _("“%(category)s” is an %(category_kind)s category, not an %(kind)s one.")
CATEGORY_ARCHIVED = _("“%(category)s” is archived.")
ALIAS_INVALID = _("Keywords are 1 to 100 characters long.")
TOO_MANY_KEYWORDS = _("A category has at most %(limit)s keywords.")
TOO_MANY_CATEGORIES = _("A ledger has at most %(limit)s categories.")
# Bounds on what one person can make the parser read on every entry: each keyword is
# matched against every text recorded (80,000 keywords made each entry take 1.5 s).
MAX_KEYWORDS_PER_CATEGORY = 200
MAX_CATEGORIES_PER_LEDGER = 200


def ledger_for_read(user: "User", ledger: access.LedgerRef) -> "Ledger":
    """The ledger a read is about, when `user` is a member (None: their active ledger)."""
    return access.member_of(user=user, ledger=ledger).ledger


def ledger_or_none_for_read(user: "User", ledger: access.LedgerRef) -> "Ledger | None":
    """ledger_for_read, or None for a person who has no ledger at all yet: a read does not
    make their books, and books not made hold nothing (as a new personal ledger would)."""
    try:
        return ledger_for_read(user, ledger)
    except access.NoLedgerYet:
        return None


def check_write(user: "User | None", ledger_id: int) -> None:
    """Refuse a write to `ledger_id` unless `user` may write there (None: an operator)."""
    if user is not None:
        access.member_of(user=user, ledger=ledger_id, write=True)


def normalize_amount(amount: Decimal, currency: str, *, allow_zero: bool = False) -> Decimal:
    """Return `amount` with two decimal places, refusing what the currency cannot hold."""
    try:
        in_range = amount.is_finite() and (amount >= 0 if allow_zero else amount > 0)
        in_range = in_range and amount <= money.MAX_AMOUNT
    except InvalidOperation:
        in_range = False
    if not in_range:
        message = PLANNED_OUT_OF_RANGE if allow_zero else AMOUNT_OUT_OF_RANGE
        raise ValidationError(message, code="amount_out_of_range")
    if amount % money.quantum(currency):
        raise ValidationError(
            AMOUNT_PRECISION,
            code="amount_precision",
            params={"currency": currency, "places": money.decimal_places(currency)},
        )
    return amount.quantize(Decimal("0.01"))


def normalize_alias(word: str) -> str:
    normalized = " ".join(word.lower().split())
    if not 0 < len(normalized) <= 100:
        raise ValidationError(ALIAS_INVALID, code="alias_invalid")
    return normalized


def check_keyword_count(words: set[str]) -> None:
    if len(words) > MAX_KEYWORDS_PER_CATEGORY:
        raise ValidationError(
            TOO_MANY_KEYWORDS,
            code="too_many_keywords",
            params={"limit": MAX_KEYWORDS_PER_CATEGORY},
        )


def check_category(*, ledger_id: int, category: Category, kind: str) -> None:
    """Refuse `category` for a transaction of `kind` (a refund's is an expense category)."""
    if category.ledger_id != ledger_id:
        # Never reveal that another ledger's category exists.
        raise ValidationError(CATEGORY_NOT_FOUND, code="category_not_found")
    kind = Kind(kind).category_kind.value
    if category.kind != kind:
        raise ValidationError(
            CATEGORY_KIND_MISMATCH,
            code="category_kind_mismatch",
            params={"category": category.name, "category_kind": category.kind, "kind": kind},
        )
    if category.is_archived:
        raise ValidationError(
            CATEGORY_ARCHIVED, code="category_archived", params={"category": category.name}
        )

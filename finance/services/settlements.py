"""Settling up: money one person of a shared ledger paid another back, recorded and undone.

A member records what they paid or received; an owner or a manager records any payment
between two people of the ledger. Either party, whoever recorded it, or a manager may
undo one. Someone who has left the ledger can still be paid or pay: their balance is
still there for the others.
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core import money
from finance.models import Settlement, Share, Transaction
from finance.rules import normalize_amount
from finance.services.books import member_for
from ledgers import access
from ledgers.models import Ledger, Membership

if TYPE_CHECKING:
    from accounts.models import User

SETTLEMENT_PERSONAL = _("A personal ledger has nobody to settle up with.")
SETTLEMENT_SAME_PERSON = _("A payment goes from one person to another.")
SETTLEMENT_UNKNOWN_PERSON = _("User %(user)s has no part in this ledger.")
SETTLEMENT_NOT_PARTY = _(
    "You may record what you paid or received; only the ledger's owners and managers "
    "may record a payment between two others."
)
SETTLEMENT_UNDO_FORBIDDEN = _(
    "Only the two people, whoever recorded it, or the ledger's owners and managers may "
    "undo a payment."
)


def _details(s: Settlement) -> dict[str, object]:
    return {
        "from": s.from_user_id,
        "to": s.to_user_id,
        "amount": str(s.amount),
        "currency": s.currency,
        "date": s.date.isoformat(),
    }


def _has_part(ledger: Ledger, user_id: int) -> bool:
    """A member, or someone who was and still has money in the ledger's balances."""
    if Membership.objects.filter(ledger=ledger, user_id=user_id).exists():
        return True
    return (
        Share.objects.filter(split__transaction__ledger=ledger, user_id=user_id).exists()
        or Transaction.objects.filter(
            ledger=ledger, paid_by_id=user_id, split__isnull=False
        ).exists()
        or Settlement.objects.filter(ledger=ledger)
        .filter(Q(from_user_id=user_id) | Q(to_user_id=user_id))
        .exists()
    )


@transaction.atomic
def settlement_create(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    from_user_id: int,
    to_user_id: int,
    amount: Decimal,
    currency: str | None = None,
    date: date | None = None,
    source: str,
) -> Settlement:
    """Record that `from_user_id` paid `to_user_id` `amount` (in `currency`, default the
    ledger's) on `date` (default: today for the one who records it)."""
    member = member_for(user=user, ledger=ledger, write=True)
    books = member.ledger
    if books.personal_for_id is not None:
        raise ValidationError(SETTLEMENT_PERSONAL, code="settlement_personal_ledger")
    if from_user_id == to_user_id:
        raise ValidationError(SETTLEMENT_SAME_PERSON, code="settlement_same_person")
    if not member.can_manage and user.pk not in (from_user_id, to_user_id):
        raise access.LedgerForbidden(str(SETTLEMENT_NOT_PARTY), "settlement_not_party")
    for person in (from_user_id, to_user_id):
        if not _has_part(books, person):
            raise ValidationError(
                SETTLEMENT_UNKNOWN_PERSON, code="settlement_unknown_person", params={"user": person}
            )
    code = money.normalize_code(currency or books.default_currency)
    settlement = Settlement(
        ledger=books,
        from_user_id=from_user_id,
        to_user_id=to_user_id,
        amount=normalize_amount(amount, code),
        currency=code,
        date=date or user.today(),
        created_by=user,
        source=source,
    )
    # The check constraints are what the lines above enforced (validating them again
    # would cost a query each); the database enforces them too.
    settlement.full_clean(
        exclude=["ledger", "from_user", "to_user", "created_by"], validate_constraints=False
    )
    settlement.save()
    audit_record(
        source=source,
        action="settlement.create",
        user=user,
        ledger=books,
        obj=settlement,
        details=_details(settlement),
    )
    return settlement


@transaction.atomic
def settlement_delete(*, user: "User", settlement: Settlement, source: str) -> bool:
    """Undo `settlement`; False when it was already gone (a double press undoes once)."""
    member = access.member_of(user=user, ledger=settlement.ledger_id, write=True)
    people = (settlement.from_user_id, settlement.to_user_id, settlement.created_by_id)
    if not member.can_manage and user.pk not in people:
        raise access.LedgerForbidden(str(SETTLEMENT_UNDO_FORBIDDEN), "settlement_not_party")
    deleted, _counts = Settlement.objects.filter(pk=settlement.pk).delete()
    if deleted:
        audit_record(
            source=source,
            action="settlement.delete",
            user=user,
            ledger=settlement.ledger_id,
            obj=settlement,
            details=_details(settlement),
        )
    return bool(deleted)

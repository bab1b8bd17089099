"""Suggested regular payments, accepted (a rule from the series) or dismissed for good."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from finance.models import Category, RecurringRule, SuggestionDismissal
from finance.selectors.suggestions import Suggestion, suggestion_get
from finance.services.books import ledger_for_write
from finance.services.recurring import When, recurring_create
from ledgers import access
from ledgers.models import Ledger

if TYPE_CHECKING:
    from accounts.models import User

SUGGESTION_NOT_FOUND = _("No such suggestion: it may have been added or dismissed already.")


def recurring_from_suggestion(
    *, user: "User", ledger: access.LedgerRef = None, suggestion_id: str, source: str
) -> RecurringRule:
    """Accept a suggestion: the rule it describes, from its next date. Accepting one
    already accepted gives back the rule it made."""
    books = ledger_for_write(user, ledger)
    made = RecurringRule.objects.filter(ledger=books, suggestion_id=suggestion_id).first()
    if made is not None:
        return made
    suggestion = _suggestion(user, books, suggestion_id)
    category = Category.objects.get(pk=suggestion.category.id)
    return recurring_create(
        user=user,
        ledger=books,
        kind=suggestion.kind,
        amount=suggestion.amount,
        currency=suggestion.currency,
        category=category,
        when=When(
            frequency=suggestion.frequency,
            day=suggestion.day,
            weekday=suggestion.weekday,
            start_date=suggestion.next_date,
        ),
        note=suggestion.note,
        suggestion_id=suggestion.id,
        source=source,
    )


def _suggestion(user: "User", books: Ledger, suggestion_id: str) -> Suggestion:
    found = suggestion_get(user=user, ledger=books, pk=suggestion_id)
    if found is None:
        raise ValidationError(
            {"suggestion_id": [ValidationError(SUGGESTION_NOT_FOUND, code="suggestion_not_found")]}
        )
    return found


def suggestion_dismiss(
    *, user: "User", ledger: access.LedgerRef = None, suggestion_id: str, source: str
) -> Suggestion:
    """Say no to a suggestion: it is not offered again in this ledger."""
    books = ledger_for_write(user, ledger)
    suggestion = _suggestion(user, books, suggestion_id)
    with transaction.atomic():
        SuggestionDismissal.objects.bulk_create(
            [SuggestionDismissal(ledger=books, suggestion_id=suggestion.id, dismissed_by=user)],
            ignore_conflicts=True,
        )
        audit_record(
            source=source,
            action="recurring.dismiss_suggestion",
            user=user,
            ledger=books,
            details={"suggestion_id": suggestion.id, "note": suggestion.note},
        )
    return suggestion

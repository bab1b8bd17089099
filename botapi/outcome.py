"""What a handler gives back (`Outcome`), and the helpers every handler module shares:
a service's ValidationError as the contract's 400, an amount and a category from the
payload."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from botapi import results, schemas
from botapi.caller import Caller
from core.errors import ActionError, validation_details
from finance.models import Category
from finance.selectors.categories import category_find


@dataclass(frozen=True)
class Outcome:
    value: results.Result
    created: bool = False
    # What the request row of the audit log points at, when the action saved something.
    obj: models.Model | None = None


Payload = dict[str, Any]
Handler = Callable[[Caller, Payload, bool], Outcome]


def payload_error(
    exc: ValidationError, *, fields: dict[str, str] | None = None, default: str
) -> ActionError:
    """A service's ValidationError as the 400 of the contract, its paths naming the
    payload's fields (a field-less error: by its code in `fields`, else `default`)."""
    if hasattr(exc, "error_dict"):
        details = validation_details(exc, "payload")
    else:
        details = []
        for error in exc.error_list:
            name = (fields or {}).get(error.code or "", default)
            details += validation_details(error, f"payload.{name}")
    return schemas.invalid(details)


def amount(value: str | int) -> Decimal:
    # The schema admits only decimal strings and integers, so this is exact.
    return Decimal(value)


def category(caller: Caller, payload: Payload, kind: str | None) -> Category | None:
    """The payload's `category` (a slug, name or keyword), a category of `kind` winning a
    tie; None when it names none. Its refusal is keyed `category`."""
    if "category" not in payload:
        return None
    try:
        return category_find(
            user=caller.user, ledger=caller.ledger, reference=payload["category"], kind=kind
        )
    except ValidationError as exc:
        raise ValidationError({"category": exc.error_list}) from None

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from ledgers import selectors
from ledgers.models import Membership


@dataclass(frozen=True)
class LedgerMenu:
    rows: list[Membership]
    active: Membership | None


def _menu(user: User) -> LedgerMenu:
    rows = list(selectors.memberships(user=user))
    # No active ledger yet, or one the person has left: their personal one is in use.
    active = next((r for r in rows if r.ledger_id == user.active_ledger_id), None) or next(
        (r for r in rows if r.ledger.personal_for_id == user.pk), None
    )
    return LedgerMenu(rows=rows, active=active)


def ledgers(request: HttpRequest) -> dict[str, Any]:
    """The person's ledgers for the header's switch, read only when a page shows it."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {"ledger_menu": SimpleLazyObject(lambda: _menu(user))}

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from ledgers import selectors


def ledgers(request: HttpRequest) -> dict[str, Any]:
    """The person's ledgers for the header's switch, read only when a page shows it."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {"my_ledgers": SimpleLazyObject(lambda: list(selectors.memberships(user=user)))}

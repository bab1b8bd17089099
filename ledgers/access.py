"""Who may touch which ledger, decided in the query: the caller's own membership row.

A non-member finds nothing (404, as if the ledger did not exist); a read-only member
may read but not write (403). Every service and selector of the books asks here, and
asking only reads.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ledgers.models import Ledger, Membership

if TYPE_CHECKING:
    from accounts.models import User

LEDGER_NOT_FOUND = _("No such ledger.")
LEDGER_READ_ONLY = _("You may read this ledger but not change it.")
LEDGER_NOT_MANAGER = _("Only the ledger's owners and managers may do this.")
LEDGER_NOT_OWNER = _("Only the ledger's owners may do this.")


class LedgerNotFound(Http404):
    code = "ledger_not_found"

    def __init__(self) -> None:
        super().__init__(LEDGER_NOT_FOUND)


class NoLedgerYet(LedgerNotFound):
    """The person has no ledger at all yet (made around the services: createsuperuser, a
    script's bare row); a write makes their personal one, a read finds nothing."""


class LedgerForbidden(PermissionDenied):
    """A member without the role the request needs; `code` names which."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def read_only() -> LedgerForbidden:
    return LedgerForbidden(str(LEDGER_READ_ONLY), "ledger_read_only")


# A ledger, its id, or a membership already read (by the caller, from the query below).
LedgerRef = Ledger | Membership | int | None


def member_of(
    *, user: "User", ledger: LedgerRef = None, write: bool = False, manage: bool = False
) -> Membership:
    """The user's membership of `ledger` (None: their active ledger), with the ledger.

    Raises LedgerNotFound for a non-member, LedgerForbidden when `write` or `manage`
    asks for more than the member's role gives.
    """
    if ledger is None:
        member = _active(user)
    elif isinstance(ledger, Membership):
        if ledger.user_id != user.pk:
            raise LedgerNotFound
        member = ledger
    else:
        ledger_id = ledger if isinstance(ledger, int) else ledger.pk
        found = (
            Membership.objects.select_related("ledger")
            .filter(user=user, ledger_id=ledger_id)
            .order_by()
            .first()
        )
        if found is None:
            raise LedgerNotFound
        member = found
    if manage and not member.can_manage:
        raise LedgerForbidden(str(LEDGER_NOT_MANAGER), "ledger_not_manager")
    if write and not member.can_write:
        raise read_only()
    return member


def _active(user: "User") -> Membership:
    if user.active_ledger_id is not None:
        member = (
            Membership.objects.select_related("ledger")
            .filter(user=user, ledger_id=user.active_ledger_id)
            .order_by()
            .first()
        )
        if member is not None:
            return member
    # No active ledger yet, or the person has left it: their personal ledger. A person
    # made around the services (createsuperuser) may have none yet; the write that
    # needs one makes it (finance.services.books), never this check.
    personal = (
        Membership.objects.select_related("ledger")
        .filter(user=user, ledger__personal_for=user)
        .order_by()
        .first()
    )
    if personal is None:
        raise NoLedgerYet
    return personal

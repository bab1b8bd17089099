"""Who may touch which ledger, decided in the query: the caller's own membership row.

A non-member finds nothing (404, as if the ledger did not exist); a read-only member
may read but not write (403). Every service and selector of the books asks here, and
asking only reads.
"""

import functools
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from core import sql
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
        found = _membership(_BY_LEDGER, [user.pk, ledger_id])
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
        member = _membership(_BY_LEDGER, [user.pk, user.active_ledger_id])
        if member is not None:
            return member
    # No active ledger yet, or the person has left it: their personal ledger. A person
    # made around the services (createsuperuser) may have none yet; the write that
    # needs one makes it (finance.services.books), never this check.
    personal = _membership(_PERSONAL, [user.pk, user.pk])
    if personal is None:
        raise NoLedgerYet
    return personal


# The membership and its ledger in one hand-made statement: this check comes first in
# every read and write of the books, and the ORM took longer to compile its query
# (select_related) than the database took to answer it, about half of a month's summary.
_BY_LEDGER = 'm."user_id" = %s AND m."ledger_id" = %s'
_PERSONAL = 'm."user_id" = %s AND l."personal_for_id" = %s'


def _membership(where: str, params: list[Any]) -> Membership | None:
    with connection.cursor() as cursor:
        cursor.execute(_membership_sql(where), params)
        row = cursor.fetchone()
    if row is None:
        return None
    (member, ledger), _rest = sql.instances(row, _membership_parts())
    found = cast(Membership, member)
    found.ledger = cast(Ledger, ledger)
    return found


@functools.cache
def _membership_parts() -> list[sql.Part]:
    return sql.select_list((Membership, "m"), (Ledger, "l"))[1]


@functools.cache
def _membership_sql(where: str) -> str:
    columns, _parts = sql.select_list((Membership, "m"), (Ledger, "l"))
    return (
        f'SELECT {columns} FROM "{Membership._meta.db_table}" m'
        f' JOIN "{Ledger._meta.db_table}" l ON l."id" = m."ledger_id"'
        f" WHERE {where} LIMIT 1"
    )

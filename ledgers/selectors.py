"""Reads about ledgers: whose they are and who is in them."""

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from ledgers.models import Membership

if TYPE_CHECKING:
    from accounts.models import User


def memberships(*, user: "User") -> "QuerySet[Membership]":
    """The person's ledgers, with their role in each."""
    return (
        Membership.objects.filter(user=user)
        .select_related("ledger")
        .order_by("ledger__name", "ledger_id")
    )


def members(*, member: Membership) -> "QuerySet[Membership]":
    """Who is in `member`'s ledger (asked by a member, so access is already decided)."""
    return (
        Membership.objects.filter(ledger_id=member.ledger_id)
        .select_related("user")
        .order_by("created_at", "id")
    )

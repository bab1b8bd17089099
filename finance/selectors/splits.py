"""Reads of splits: how an expense is shared, and a ledger's default split."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from finance.models import Share, SplitDefault, Transaction
from finance.shares import from_minor, plain
from ledgers.models import Ledger, Membership

if TYPE_CHECKING:
    from accounts.models import User


def person_name(user: "User | None") -> str:
    """A person as a ledger shows its members (their username); an account since
    deleted is named as such."""
    return user.get_username() if user is not None else _("deleted account")


@dataclass(frozen=True)
class ShareLine:
    user_id: int | None
    name: str
    # What was asked (the weight, the amount, 1 when equal) and what it came to.
    weight: Decimal
    amount: Decimal


@dataclass(frozen=True)
class SplitView:
    mode: str
    shares: tuple[ShareLine, ...]


def _views(rows: Iterable[Share]) -> dict[int, SplitView]:
    modes: dict[int, str] = {}
    lines: dict[int, list[ShareLine]] = {}
    for share in rows:
        tx = share.split.transaction
        modes[tx.pk] = share.split.mode
        lines.setdefault(tx.pk, []).append(
            ShareLine(
                user_id=share.user_id,
                name=person_name(share.user),
                weight=plain(share.weight),
                amount=from_minor(share.amount_minor, tx.currency),
            )
        )
    return {pk: SplitView(modes[pk], tuple(lines[pk])) for pk in modes}


def _shares(ids: Iterable[int]) -> "Iterable[Share]":
    return (
        Share.objects.filter(split_id__in=list(ids))
        .select_related("split__transaction", "user")
        .order_by("split_id", "id")
    )


def split_view(tx: Transaction) -> SplitView | None:
    """How `tx` is shared, or None: not split (a personal ledger's, an income, an
    expense recorded before its ledger split them)."""
    if tx.pk is None:
        return None
    return _views(_shares([tx.pk])).get(tx.pk)


def split_views(transactions: Iterable[Transaction]) -> dict[int, SplitView]:
    """split_view for many transactions at once (a page of them), by id."""
    return _views(_shares(tx.pk for tx in transactions))


@dataclass(frozen=True)
class DefaultWeight:
    user_id: int
    name: str
    weight: Decimal | None  # None: the member is not named in the ledger's default


def default_split(*, ledger: Ledger) -> list[DefaultWeight]:
    """Each member of the ledger with their weight in its default split (all None: the
    default is equal among everyone), in the order the ledger lists its members."""
    weights = dict(SplitDefault.objects.filter(ledger=ledger).values_list("user_id", "weight"))
    members = (
        Membership.objects.filter(ledger=ledger).select_related("user").order_by("created_at", "id")
    )
    return [
        DefaultWeight(
            m.user_id,
            person_name(m.user),
            plain(weights[m.user_id]) if m.user_id in weights else None,
        )
        for m in members
    ]

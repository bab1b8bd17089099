"""Splitting an expense of a shared ledger among its members, and the ledger's default.

Every expense recorded in a shared ledger is split: as asked (equally, by shares, by
exact amounts), else by the ledger's default (weights its managers set, else equally
among all members). A personal ledger never splits, nor does an income. Each share is
stored in the currency's minor units, apportioned by the largest remainder, so the
shares add up to the amount exactly.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core import money, sql
from finance.models import Kind, Share, Split, SplitDefault, Transaction
from finance.readers.split_words import mentions_split, read_split
from finance.shares import allocate, plain, to_minor
from ledgers import access
from ledgers.models import Ledger, Membership

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

    from accounts.models import User

SPLIT_PERSONAL = _("Expenses in a personal ledger are not split.")
SPLIT_NOT_EXPENSE = _("Only expenses are split.")
SPLIT_NOT_MEMBER = _("User %(user)s is not a member of this ledger.")
SPLIT_REPEATED = _("User %(user)s appears more than once in the split.")
SPLIT_SHARE_MISSING = _("Give each member's share: a weight, or an amount.")
SPLIT_SHARE_INVALID = _(
    "A share is a number of zero or more with at most four decimal places, less than 10^12."
)
SPLIT_AMOUNT_PRECISION = _("%(currency)s amounts have at most %(places)s decimal places.")
SPLIT_EMPTY = _("A split needs at least one member with a share above zero.")
SPLIT_AMOUNTS_MISMATCH = _("The amounts add up to %(total)s, not to the expense's %(amount)s.")
SPLIT_WHO = _(
    "With whom? Name them, such as “пополам с Машей”, or say “за всех” to share it among everyone."
)
MAX_WEIGHT = Decimal("999999999999.9999")
WEIGHT_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class SplitMember:
    user_id: int
    # The weight (shares) or the amount (amounts); None when equal.
    share: Decimal | None = None


@dataclass(frozen=True)
class SplitRequest:
    """A split as a person asks for it. Equal without members: every member."""

    mode: str
    members: tuple[SplitMember, ...] = ()


@dataclass(frozen=True)
class Part:
    user_id: int | None
    weight: Decimal
    amount_minor: int


@dataclass(frozen=True)
class Plan:
    """A split worked out for one amount and currency, ready to store."""

    mode: str
    parts: tuple[Part, ...]

    def details(self) -> dict[str, object]:
        """For the audit row."""
        return {"mode": self.mode, "shares": {str(p.user_id): p.amount_minor for p in self.parts}}


def _invalid(message: "StrOrPromise", code: str, **params: object) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _members(ledger: Ledger) -> list[tuple[int, Decimal | None]]:
    """The ledger's members in its order, each with their default weight (None: not in
    the default), in one query."""
    default = SplitDefault.objects.filter(ledger_id=ledger.pk, user_id=OuterRef("user_id"))
    rows = (
        Membership.objects.filter(ledger_id=ledger.pk)
        .annotate(default_weight=Subquery(default.values("weight")[:1]))
        .order_by("created_at", "id")
        .values_list("user_id", "default_weight")
    )
    return list(rows)


def _weight(value: Decimal | None) -> Decimal:
    if value is None:
        raise _invalid(SPLIT_SHARE_MISSING, "split_share_missing")
    try:
        valid = value.is_finite() and 0 <= value <= MAX_WEIGHT and not value % WEIGHT_QUANTUM
    except InvalidOperation:
        valid = False
    if not valid:
        raise _invalid(SPLIT_SHARE_INVALID, "split_share_invalid")
    return value


def _plan(
    mode: str, weights: Sequence[tuple[int | None, Decimal]], amount: Decimal, currency: str
) -> Plan:
    weights = [(user, w) for user, w in weights if w > 0]
    if not weights:
        raise _invalid(SPLIT_EMPTY, "split_empty")
    total = to_minor(amount, currency)
    if mode == Split.Mode.AMOUNTS:
        minors = []
        for _user, w in weights:
            if w % money.quantum(currency):
                raise _invalid(
                    SPLIT_AMOUNT_PRECISION,
                    "split_amount_precision",
                    currency=currency,
                    places=money.decimal_places(currency),
                )
            minors.append(to_minor(w, currency))
        if sum(minors) != total:
            added = sum((w for _u, w in weights), Decimal(0))
            raise _invalid(
                SPLIT_AMOUNTS_MISMATCH, "split_amounts_mismatch", total=added, amount=amount
            )
    else:
        minors = allocate(total, [w for _u, w in weights])
    parts = tuple(Part(user, plain(w), m) for (user, w), m in zip(weights, minors, strict=True))
    return Plan(mode, parts)


def _default_plan(
    members: Sequence[tuple[int, Decimal | None]], amount: Decimal, currency: str
) -> Plan:
    """The ledger's default: by the weights its managers set, else equally among all."""
    named = [(user, w) for user, w in members if w is not None]
    if named:
        return _plan(Split.Mode.SHARES, named, amount, currency)
    return _plan(Split.Mode.EQUAL, [(user, Decimal(1)) for user, _w in members], amount, currency)


def split_plan(
    *,
    ledger: Ledger,
    kind: str,
    amount: Decimal,
    currency: str,
    request: SplitRequest | None,
) -> Plan | None:
    """How an expense of `amount` is shared in `ledger`: as `request` asks, or (None) by
    the ledger's default. None for what is not split (a personal ledger's, an income)."""
    if ledger.personal_for_id is not None or kind != Kind.EXPENSE:
        if request is None:
            return None
        if ledger.personal_for_id is not None:
            raise _invalid(SPLIT_PERSONAL, "split_personal_ledger")
        raise _invalid(SPLIT_NOT_EXPENSE, "split_not_expense")
    members = _members(ledger)
    if request is None:
        return _default_plan(members, amount, currency)
    mode = Split.Mode(request.mode)
    if mode == Split.Mode.EQUAL and not request.members:
        return _plan(mode, [(user, Decimal(1)) for user, _w in members], amount, currency)
    known = {user for user, _w in members}
    seen: set[int] = set()
    weights: list[tuple[int | None, Decimal]] = []
    for member in request.members:
        if member.user_id not in known:
            raise _invalid(SPLIT_NOT_MEMBER, "split_not_member", user=member.user_id)
        if member.user_id in seen:
            raise _invalid(SPLIT_REPEATED, "split_member_repeated", user=member.user_id)
        seen.add(member.user_id)
        weight = Decimal(1) if mode == Split.Mode.EQUAL else _weight(member.share)
        weights.append((member.user_id, weight))
    return _plan(mode, weights, amount, currency)


def split_from_words(*, ledger: Ledger, user: "User", text: str) -> tuple[str, SplitRequest | None]:
    """What `text` (an expense `user` pays, in a shared ledger) says about who shares it
    ("пополам", "за меня и Машу", "for everyone"), and the text without those words for
    the parser; (text, None) when it says nothing of it. Members are named as the ledger
    shows them (username) or by their first name."""
    if not mentions_split(text):
        return text, None
    members = list(
        Membership.objects.filter(ledger_id=ledger.pk)
        .order_by("created_at", "id")
        .values_list("user_id", "user__username", "user__first_name")
    )
    by_name: dict[str, list[int]] = {}
    for user_id, *names in members:
        for name in names:
            if name and user_id not in by_name.setdefault(name, []):
                by_name[name].append(user_id)
    words = read_split(text, list(by_name))
    if words is None:
        return text, None
    if words.everyone:
        return words.text, SplitRequest(Split.Mode.EQUAL)
    people = [user.pk] if words.me else []
    for name in words.names:
        people += [u for u in by_name[name] if u not in people]
    if words.halves and people == [user.pk]:
        if len(members) != 2:
            raise _invalid(SPLIT_WHO, "split_who")
        return words.text, SplitRequest(Split.Mode.EQUAL)
    return words.text, SplitRequest(Split.Mode.EQUAL, tuple(SplitMember(u) for u in people))


def split_insert(*, tx: Transaction, plan: Plan) -> None:
    """Store `plan` as the split of `tx` (saved, with none yet): two INSERTs."""
    Split(transaction=tx, mode=plan.mode).save(force_insert=True)
    sql.insert(
        [
            Share(split_id=tx.pk, user_id=p.user_id, weight=p.weight, amount_minor=p.amount_minor)
            for p in plan.parts
        ]
    )


def split_default_insert(*, ledger: Ledger, transactions: Sequence[Transaction]) -> int:
    """Split every expense of `transactions` (saved, in `ledger`, with no split yet) by
    the ledger's default, as a file's import does: the members read once, the rows
    written in two bulk INSERTs. Nothing in a personal ledger. How many were split."""
    if ledger.personal_for_id is not None:
        return 0
    expenses = [tx for tx in transactions if tx.kind == Kind.EXPENSE]
    if not expenses:
        return 0
    members = _members(ledger)
    plans = [(tx, _default_plan(members, tx.amount, tx.currency)) for tx in expenses]
    Split.objects.bulk_create(
        [Split(transaction=tx, mode=plan.mode) for tx, plan in plans], batch_size=1000
    )
    Share.objects.bulk_create(
        [
            Share(split_id=tx.pk, user_id=p.user_id, weight=p.weight, amount_minor=p.amount_minor)
            for tx, plan in plans
            for p in plan.parts
        ],
        batch_size=1000,
    )
    return len(plans)


def _stored(tx: Transaction) -> tuple[str, list[tuple[int | None, Decimal, int]]] | None:
    split = Split.objects.filter(pk=tx.pk).first()
    if split is None:
        return None
    rows = Share.objects.filter(split=split).order_by("id")
    return split.mode, list(rows.values_list("user_id", "weight", "amount_minor"))


def split_follow(*, tx: Transaction) -> Plan | None:
    """Share the new amount or currency of `tx` as its split shared the old one: the same
    people, the same weights (exact amounts become weights in proportion to them)."""
    stored = _stored(tx)
    if stored is None:
        return None
    mode, rows = stored
    if mode == Split.Mode.AMOUNTS:
        mode = Split.Mode.SHARES
        rows = [(user, Decimal(minor), minor) for user, _w, minor in rows]
    plan = _plan(mode, [(user, w) for user, w, _m in rows], tx.amount, tx.currency)
    _replace(tx, plan)
    return plan


def _replace(tx: Transaction, plan: Plan) -> None:
    Split.objects.filter(pk=tx.pk).delete()
    split_insert(tx=tx, plan=plan)


def split_change(*, tx: Transaction, ledger: Ledger, request: SplitRequest) -> Plan:
    """Split `tx` anew as `request` asks (the caller has checked the right to change it)."""
    plan = split_plan(
        ledger=ledger, kind=tx.kind, amount=tx.amount, currency=tx.currency, request=request
    )
    assert plan is not None  # a request is refused, never ignored
    _replace(tx, plan)
    return plan


# The ledger's default


@transaction.atomic
def split_default_set(
    *,
    user: "User",
    ledger: access.LedgerRef,
    weights: Iterable[tuple[int, Decimal]],
    source: str,
) -> list[SplitDefault]:
    """Set the ledger's default split (a manager's): a weight per member; none, or all
    zero, makes it equal among all members again."""
    member = access.member_of(user=user, ledger=ledger, manage=True)
    books = member.ledger
    if books.personal_for_id is not None:
        raise _invalid(SPLIT_PERSONAL, "split_personal_ledger")
    known = set(Membership.objects.filter(ledger=books).values_list("user_id", flat=True))
    chosen: dict[int, Decimal] = {}
    for user_id, weight in weights:
        if user_id not in known:
            raise _invalid(SPLIT_NOT_MEMBER, "split_not_member", user=user_id)
        if user_id in chosen:
            raise _invalid(SPLIT_REPEATED, "split_member_repeated", user=user_id)
        chosen[user_id] = _weight(weight)
    chosen = {u: w for u, w in chosen.items() if w > 0}
    SplitDefault.objects.filter(ledger=books).delete()
    rows = SplitDefault.objects.bulk_create(
        SplitDefault(ledger=books, user_id=u, weight=w) for u, w in chosen.items()
    )
    audit_record(
        source=source,
        action="ledger.split_default",
        user=user,
        ledger=books,
        obj=books,
        details={"weights": {str(u): str(plain(w)) for u, w in chosen.items()}},
    )
    return rows

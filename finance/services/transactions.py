"""Writes of transactions: record, change, delete; each audited, with the jobs it causes."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core import money, sql
from finance.jobs import defer_budget_check
from finance.models import Category, Kind, Transaction
from finance.rates.store import transaction_rate_check
from finance.rules import check_category, check_write, normalize_amount
from finance.services.books import ledger_for_write
from finance.services.categories import aliases_learn
from finance.services.splits import (
    SplitRequest,
    split_change,
    split_follow,
    split_insert,
    split_plan,
)
from ledgers import access
from ledgers.models import Ledger, Membership

if TYPE_CHECKING:
    from accounts.models import User

PAID_BY_NOT_MEMBER = _("Whoever paid must be a member of the ledger.")


def _transaction_details(tx: Transaction) -> dict[str, object]:
    return {
        "kind": tx.kind,
        "amount": str(tx.amount),
        "currency": tx.currency,
        "category": tx.category.slug,
        "date": tx.date.isoformat(),
    }


def transaction_create(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    kind: str,
    amount: Decimal,
    currency: str,
    category: Category,
    date: date,
    note: str = "",
    text: str = "",
    paid_by: "User | None" = None,
    source: str,
    actor: "User | None" = None,
    dry_run: bool = False,
    split: SplitRequest | None = None,
) -> Transaction:
    """Record one transaction in `ledger` (None: the person's active ledger), paid by
    `paid_by` (a member; by default the one who records), an expense of a shared ledger
    split as `split` asks (None: the ledger's default); `dry_run` checks everything and
    returns it unsaved."""
    books = ledger_for_write(user, ledger)
    return transaction_insert(
        ledger=books,
        user=user,
        kind=kind,
        amount=amount,
        currency=currency,
        category=category,
        date=date,
        note=note,
        text=text,
        paid_by=paid_by,
        source=source,
        actor=actor,
        dry_run=dry_run,
        split=split,
    )


def _check_paid_by(ledger: Ledger, user: "User", paid_by: "User | None") -> "User":
    if paid_by is None or paid_by.pk == user.pk:
        return user
    if not Membership.objects.filter(ledger=ledger, user=paid_by).exists():
        raise ValidationError(PAID_BY_NOT_MEMBER, code="paid_by_not_member")
    return paid_by


def transaction_insert(
    *,
    ledger: Ledger,
    user: "User",
    kind: str,
    amount: Decimal,
    currency: str,
    category: Category,
    date: date,
    note: str,
    text: str,
    paid_by: "User | None",
    source: str,
    actor: "User | None",
    dry_run: bool,
    split: SplitRequest | None = None,
) -> Transaction:
    """transaction_create in a ledger the caller has already found `user` may write to."""
    currency = money.normalize_code(currency)
    amount = normalize_amount(amount, currency)
    check_category(ledger_id=ledger.pk, category=category, kind=kind)
    tx = Transaction(
        ledger=ledger,
        created_by=user,
        paid_by=_check_paid_by(ledger, user, paid_by),
        kind=kind,
        amount=amount,
        currency=currency,
        category=category,
        date=date,
        note=note.strip()[:500],
        text=text,
        source=source,
    )
    # The check constraints (amount > 0, an ISO code) are what normalize_* just enforced
    # (and the database enforces them too); validating them here cost a query each.
    tx.full_clean(
        exclude=["ledger", "created_by", "paid_by", "category"], validate_constraints=False
    )
    # A personal ledger's expense and an income ask nothing more (no query).
    plan = split_plan(ledger=ledger, kind=kind, amount=amount, currency=currency, request=split)
    if dry_run:
        return tx
    # Everything is checked: the row and its audit row go in together. Within a caller's
    # transaction (the bot's idempotency claim) no savepoint is needed, since a database
    # error aborts the whole PostgreSQL transaction anyway; that saves two round trips.
    # The INSERT is made once (core.sql): every recorded expense pays for it.
    with transaction.atomic(savepoint=False):
        sql.insert([tx])
        details = _transaction_details(tx)
        if plan is not None:
            split_insert(tx=tx, plan=plan)
            details["split"] = plan.details()
        audit_record(
            source=source,
            action="transaction.create",
            user=user,
            ledger=ledger,
            actor=actor,
            obj=tx,
            details=details,
        )
        if currency != user.default_currency:
            transaction_rate_check(tx=tx)
        if kind == Kind.EXPENSE:  # (a refund only lowers spending: no plan is passed)
            defer_budget_check(ledger=ledger, days=[tx.date])  # rolls back with the write
    return tx


@transaction.atomic
def transaction_update(
    *,
    tx: Transaction,
    user: "User | None",
    amount: Decimal | None = None,
    currency: str | None = None,
    category: Category | None = None,
    date: date | None = None,
    note: str | None = None,
    source: str,
    actor: "User | None" = None,
    split: SplitRequest | None = None,
) -> Transaction:
    """Change some fields of a transaction; a new category must be of the same kind.

    `user` is the member who does it (None: an operator, the `actor`); a new category
    teaches the parser for that person (for the one who recorded it, when an operator).
    `split` shares an expense of a shared ledger anew; without it, a split expense
    whose amount or currency changes is shared as it was.
    """
    check_write(user, tx.ledger_id)
    before = _transaction_details(tx)
    before_date = tx.date
    if currency is not None:
        tx.currency = money.normalize_code(currency)
    if amount is not None or currency is not None:
        tx.amount = normalize_amount(amount if amount is not None else tx.amount, tx.currency)
    recategorised = category is not None and category.pk != tx.category_id
    if category is not None and recategorised:
        check_category(ledger_id=tx.ledger_id, category=category, kind=tx.kind)
        tx.category = category
    if date is not None:
        tx.date = date
    if note is not None:
        tx.note = note.strip()[:500]
    tx.full_clean(exclude=["ledger", "created_by", "paid_by", "category"])
    tx.save()
    after = _transaction_details(tx)
    changed: dict[str, object] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    learner = user if user is not None else tx.created_by
    # (An operator's change to the row of a deleted account teaches nobody.)
    if recategorised and learner is not None:
        learned = aliases_learn(category=tx.category, note=tx.note, user=learner)
        if learned:
            changed["learned_aliases"] = learned
    if changed and Kind(tx.kind).category_kind == Kind.EXPENSE:
        defer_budget_check(ledger=tx.ledger_id, days=[before_date, tx.date])
    # Who shares it is no budget's business.
    if split is not None:
        changed["split"] = split_change(tx=tx, ledger=tx.ledger, request=split).details()
    elif {"amount", "currency"} & set(changed) and (followed := split_follow(tx=tx)):
        changed["split"] = followed.details()
    if changed:
        audit_record(
            source=source,
            action="transaction.update",
            user=user if user is not None else tx.created_by,
            ledger=tx.ledger_id,
            actor=actor,
            obj=tx,
            details=changed,
        )
    return tx


@transaction.atomic
def transaction_delete(
    *, tx: Transaction, user: "User | None", source: str, actor: "User | None" = None
) -> bool:
    """Delete `tx`; False when it was already gone (a double submit deletes and audits once).

    `user` is the member who does it (None: an operator, the `actor`).
    """
    check_write(user, tx.ledger_id)
    details = _transaction_details(tx)
    deleted, _ = Transaction.objects.filter(pk=tx.pk).delete()
    if deleted and tx.kind == Kind.REFUND:
        # The refund no longer lowers its month's spending, which may now pass a plan.
        defer_budget_check(ledger=tx.ledger_id, days=[tx.date])
    if deleted:
        audit_record(
            source=source,
            action="transaction.delete",
            user=user if user is not None else tx.created_by,
            ledger=tx.ledger_id,
            actor=actor,
            obj=tx,
            details=details,
        )
    return bool(deleted)

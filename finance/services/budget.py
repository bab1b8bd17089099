"""Writes of the monthly budget: a category's plan, a month's plans at once, last month's
plan copied forward."""

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from core import money
from finance.jobs import defer_budget_check
from finance.models import BudgetItem, Category, Kind
from finance.rules import check_category, check_write, normalize_amount
from finance.services.books import ledger_for_write
from ledgers import access
from ledgers.models import Ledger

if TYPE_CHECKING:
    from accounts.models import User

# Seconds after a ledger's first plan when its budget is checked once more.
FIRST_PLAN_RECHECK = 60


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def budget_item_set(
    *,
    user: "User | None",
    ledger: access.LedgerRef = None,
    month: date,
    category: Category,
    planned_amount: Decimal,
    currency: str | None = None,
    source: str,
    actor: "User | None" = None,
) -> tuple[BudgetItem, bool]:
    """Set the month's plan for a category, creating or updating it; returns (item, created).

    In `ledger` (None: the person's active one; an operator, `user` None, names it).
    Without a currency, an existing plan keeps its own and a new one takes the ledger's.
    """
    books = ledger_for_write(user, ledger)
    return _budget_item_set(
        ledger=books,
        user=user,
        month=month,
        category=category,
        planned_amount=planned_amount,
        currency=currency,
        source=source,
        actor=actor,
    )


def _budget_item_set(
    *,
    ledger: Ledger,
    user: "User | None",
    month: date,
    category: Category,
    planned_amount: Decimal,
    currency: str | None,
    source: str,
    actor: "User | None",
) -> tuple[BudgetItem, bool]:
    month = _first_of_month(month)
    if currency is None:
        existing = BudgetItem.objects.filter(ledger=ledger, month=month, category=category)
        currency = existing.values_list("currency", flat=True).first() or ledger.default_currency
    currency = money.normalize_code(currency)
    planned_amount = normalize_amount(planned_amount, currency, allow_zero=True)
    check_category(ledger_id=ledger.pk, category=category, kind=category.kind)
    values = {"planned_amount": planned_amount, "currency": currency, "updated_at": timezone.now()}
    for attempt in range(2):
        try:
            with transaction.atomic():
                item, created = BudgetItem.objects.update_or_create(
                    ledger=ledger, month=month, category=category, defaults=values
                )
                first_plan = not ledger.has_budget
                if first_plan:
                    Ledger.objects.filter(pk=ledger.pk).update(has_budget=True)
                    ledger.has_budget = True
                audit_record(
                    source=source,
                    action="budget_item.set",
                    user=user,
                    ledger=ledger,
                    actor=actor,
                    obj=item,
                    details={
                        "month": month.isoformat(),
                        "category": category.slug,
                        "planned_amount": str(planned_amount),
                        "currency": currency,
                    },
                )
                if category.kind == Kind.EXPENSE:
                    defer_budget_check(ledger=ledger, days=[month])
                if first_plan:
                    # An expense in flight read the ledger before this plan and skipped
                    # its check; it may commit after the check above has run. Look again
                    # once it has surely committed (a check run twice sends nothing twice).
                    defer_budget_check(
                        ledger=ledger.pk, days=[month], schedule_in_seconds=FIRST_PLAN_RECHECK
                    )
                return item, created
        except IntegrityError:
            # A concurrent twin inserted the row first; the second attempt updates it.
            if attempt:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def budget_item_delete(
    *, item: BudgetItem, user: "User | None", source: str, actor: "User | None" = None
) -> None:
    """Drop a category's plan for the month (no plan is not the same as a plan of zero).

    `user` is the member who does it (None: an operator, the `actor`).
    """
    check_write(user, item.ledger_id)
    audit_record(
        source=source,
        action="budget_item.delete",
        user=user,
        ledger=item.ledger_id,
        actor=actor,
        obj=item,
        details={
            "month": item.month.isoformat(),
            "category": item.category.slug,
            "planned_amount": str(item.planned_amount),
            "currency": item.currency,
        },
    )
    item.delete()


@transaction.atomic
def budget_month_update(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    month: date,
    plans: dict[Category, Decimal | None],
    source: str,
    actor: "User | None" = None,
) -> int:
    """Set several categories' plans for `month` at once (None drops a plan): all or none.

    Returns how many plans changed.
    """
    books = ledger_for_write(user, ledger)
    month = _first_of_month(month)
    items = {
        b.category_id: b
        for b in BudgetItem.objects.filter(
            ledger=books, month=month, category__in=list(plans)
        ).select_related("category")
    }
    changed = 0
    for category, amount in plans.items():
        item = items.get(category.pk)
        if amount is None:
            if item is not None:
                budget_item_delete(item=item, user=user, source=source, actor=actor)
                changed += 1
            continue
        if item is not None and item.planned_amount == amount:
            continue
        _budget_item_set(
            ledger=books,
            user=user,
            month=month,
            category=category,
            planned_amount=amount,
            currency=None,
            source=source,
            actor=actor,
        )
        changed += 1
    return changed


@transaction.atomic
def budget_copy_previous_month(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    month: date,
    source: str,
    actor: "User | None" = None,
) -> list[BudgetItem]:
    """Copy last month's plan into `month` for the categories that have none yet.

    A plan already made for `month` is kept; archived categories are left behind.
    Returns the items created.
    """
    books = ledger_for_write(user, ledger)
    month = _first_of_month(month)
    previous = (month - timedelta(days=1)).replace(day=1)
    planned = set(
        BudgetItem.objects.filter(ledger=books, month=month).values_list("category_id", flat=True)
    )
    to_copy = (
        BudgetItem.objects.filter(ledger=books, month=previous, category__is_archived=False)
        .exclude(category_id__in=planned)
        .select_related("category")
        .order_by("category__name")
    )
    return [
        _budget_item_set(
            ledger=books,
            user=user,
            month=month,
            category=old.category,
            planned_amount=old.planned_amount,
            currency=old.currency,
            source=source,
            actor=actor,
        )[0]
        for old in to_copy
    ]

"""A shared ledger's money between its members, on the ledger's page: who owes whom, the
transfers that settle it, the payments recorded, a form to record one, and the default
split (set by managers)."""

from typing import Any

from django import template

from finance.households import forms
from finance.selectors.balances import ledger_balances, settlement_list
from finance.selectors.splits import default_split
from ledgers.models import Membership

register = template.Library()

HISTORY = 50


@register.inclusion_tag("finance/_household_card.html", takes_context=True)
def ledger_household_card(context: template.Context, member: Membership) -> dict[str, Any]:
    ledger = member.ledger
    if ledger.personal_for_id is not None:
        return {"shared": False}
    user = context["request"].user
    balances = ledger_balances(user=user, ledger=member)

    def may_record(payer: int | None, payee: int | None) -> bool:
        people = (payer, payee)
        return member.can_write and None not in people and (member.can_manage or user.pk in people)

    settlements = list(settlement_list(user=user, ledger=member)[:HISTORY])
    people = default_split(ledger=ledger)
    return {
        "shared": True,
        "member": member,
        "ledger": ledger,
        "balances": balances.balances,
        "mine": balances.of(user.pk),
        "transfers": [(t, may_record(t.from_id, t.to_id)) for t in balances.settle],
        "settlements": [
            (
                s,
                member.can_write
                and (
                    member.can_manage or user.pk in (s.from_user_id, s.to_user_id, s.created_by_id)
                ),
            )
            for s in settlements
        ],
        "settlement_form": forms.SettlementForm(**forms.settlement_choices(user, member, balances)),
        "default_weights": [p for p in people if p.weight is not None],
        "default_form": forms.DefaultSplitForm(people=people) if member.can_manage else None,
    }

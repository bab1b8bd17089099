"""JSON shapes of the money domain that more than one API returns. Money is a string
with two decimal places, like every amount the APIs send ("250.00")."""

from datetime import date
from decimal import Decimal
from typing import Any

from finance.selectors.balances import Balances
from finance.selectors.splits import SplitView
from finance.selectors.summary import CategoryLine, CategoryRef, MonthlySummary

CENTS = Decimal("0.01")


def money(amount: Decimal) -> str:
    return str(amount.quantize(CENTS))


def category_ref_data(category: CategoryRef) -> dict[str, Any]:
    return {"id": category.id, "slug": category.slug, "name": category.name}


def _line_data(line: CategoryLine) -> dict[str, Any]:
    return {
        "category": category_ref_data(line.category),
        "kind": line.kind,
        "planned": money(line.planned),
        "spent": money(line.spent),
        "remaining": money(line.remaining),
        "over_budget": line.over_budget,
    }


def summary_data(summary: MonthlySummary) -> dict[str, Any]:
    """The month's summary, as both the bot's get_summary and GET /api/summary/ answer it."""
    return {
        "month": f"{summary.month:%Y-%m}",
        "currency": summary.currency,
        "income": money(summary.income),
        "expense": money(summary.expense),
        "balance": money(summary.balance),
        "categories": [_line_data(line) for line in summary.categories],
        "unconverted": [
            {"currency": x.currency, "amount": money(x.amount), "kind": x.kind}
            for x in summary.unconverted
        ],
        "missing_rates": [
            {"from": m.base, "to": m.quote, "date": m.on.isoformat()} for m in summary.missing_rates
        ],
        "members": [
            {
                "user_id": m.user_id,
                "name": m.name,
                "expense": money(m.expense),
                "income": money(m.income),
                "share": money(m.share),
            }
            for m in summary.members
        ],
    }


def split_data(split: SplitView) -> dict[str, Any]:
    """How an expense is shared: `share` as asked (a weight, an amount, 1 when equal),
    `amount` what it came to."""
    return {
        "mode": split.mode,
        "members": [
            {"user": s.user_id, "name": s.name, "share": str(s.weight), "amount": money(s.amount)}
            for s in split.shares
        ],
    }


def balances_data(balances: Balances) -> dict[str, Any]:
    """Who owes whom, as both the bot's get_balances and GET /api/ledgers/{id}/balances/
    answer it."""
    return {
        "balances": [
            {
                "user": b.user_id,
                "name": b.name,
                "currency": b.currency,
                "balance": money(b.balance),
            }
            for b in balances.balances
        ],
        "settle": [
            {"from": t.from_id, "to": t.to_id, "amount": money(t.amount), "currency": t.currency}
            for t in balances.settle
        ],
        "currency": balances.currency,
        "unconverted": list(balances.unconverted),
        "missing_rates": [
            {"from": m.base, "to": m.quote, "date": m.on.isoformat()}
            for m in balances.missing_rates
        ],
    }


def settlement_data(
    *, pk: int, from_id: int | None, to_id: int | None, amount: Decimal, currency: str, on: date
) -> dict[str, Any]:
    return {
        "id": pk,
        "from": from_id,
        "to": to_id,
        "amount": money(amount),
        "currency": currency,
        "date": on.isoformat(),
    }

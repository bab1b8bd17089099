"""JSON shapes of the money domain that more than one API returns. Money is a string
with two decimal places, like every amount the APIs send ("250.00")."""

from decimal import Decimal
from typing import Any

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
        "remaining": None if line.remaining is None else money(line.remaining),
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
            }
            for m in summary.members
        ],
    }

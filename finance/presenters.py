"""JSON shapes of the money domain that more than one API returns. Money is a string
with two decimal places, like every amount the APIs send ("250.00")."""

from decimal import Decimal
from typing import Any

from finance.selectors.forecast import Forecast
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
            }
            for m in summary.members
        ],
    }


def forecast_data(forecast: Forecast) -> dict[str, Any]:
    """The current month's forecast, added to its summary (docs/recurring.md)."""
    data: dict[str, Any] = {
        "forecast": money(forecast.forecast),
        "recurring_due": [
            {
                "rule_id": due.rule_id,
                "date": due.date.isoformat(),
                "amount": money(due.amount),
                "currency": due.currency,
                "amount_converted": money(due.converted) if due.converted is not None else None,
                "category": category_ref_data(due.category),
                "note": due.note,
            }
            for due in forecast.recurring_due
        ],
        "forecast_basis": {
            "spent": money(forecast.spent),
            "recurring_due": money(forecast.recurring_due_total),
            "average_daily": money(forecast.average_daily),
            "days_left": forecast.days_left,
            "plan": money(forecast.plan) if forecast.plan is not None else None,
        },
    }
    if forecast.safe_to_spend_today is not None:
        data["safe_to_spend_today"] = money(forecast.safe_to_spend_today)
    return data

"""JSON shapes of the money domain that more than one API returns, and a rule's schedule
in words for the pages and the chat. Money is a string with two decimal places, like
every amount the APIs send ("250.00")."""

from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from finance.schedules import LAST_DAY
from finance.selectors.balances import Balances
from finance.selectors.forecast import Forecast
from finance.selectors.splits import SplitView
from finance.selectors.suggestions import Suggestion
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
        "unconverted_plans": [
            {"currency": x.currency, "amount": money(x.amount)} for x in summary.unconverted_plans
        ],
        "missing_rates": [
            {"from": m.base, "to": m.quote, "date": m.on.isoformat()} for m in summary.missing_rates
        ],
        "members": [
            {
                "user_id": m.user_id,
                "name": m.name,
                "former_member": m.former,
                "expense": money(m.expense),
                "income": money(m.income),
                "share": money(m.share),
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


_ON_WEEKDAYS = (
    gettext_lazy("on Mondays"),
    gettext_lazy("on Tuesdays"),
    gettext_lazy("on Wednesdays"),
    gettext_lazy("on Thursdays"),
    gettext_lazy("on Fridays"),
    gettext_lazy("on Saturdays"),
    gettext_lazy("on Sundays"),
)


def schedule_text(
    *,
    frequency: str,
    interval: int,
    start: date,
    day: int | None = None,
    weekday: int | None = None,
    end: date | None = None,
    count: int | None = None,
) -> str:
    """A rule's schedule in the reader's words: "monthly, on day 1", "every 2 weeks, on
    Fridays", "yearly, on 15 March", with its end."""
    n = interval
    if frequency == "daily":
        text = _("daily") if n == 1 else ngettext("every %(n)s day", "every %(n)s days", n)
    elif frequency == "weekly":
        text = _("weekly") if n == 1 else ngettext("every %(n)s week", "every %(n)s weeks", n)
        text = f"{text}, {_ON_WEEKDAYS[weekday if weekday is not None else start.weekday()]}"
    elif frequency == "monthly":
        text = _("monthly") if n == 1 else ngettext("every %(n)s month", "every %(n)s months", n)
        on_day = day if day is not None else start.day
        on = _("on the last day") if on_day == LAST_DAY else _("on day %(day)s") % {"day": on_day}
        text = f"{text}, {on}"
    else:
        text = _("yearly") if n == 1 else ngettext("every %(n)s year", "every %(n)s years", n)
        text = f"{text}, {format_date(start, 'd MMMM', locale=get_language() or 'ru')}"
    text = text.replace("%(n)s", str(n))
    if end is not None:
        text += ", " + _("until %(date)s") % {"date": formats.date_format(end, "SHORT_DATE_FORMAT")}
    elif count is not None:
        text += ", " + ngettext("%(count)s time in all", "%(count)s times in all", count) % {
            "count": count
        }
    return text


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


def suggestion_schedule_text(suggestion: Suggestion) -> str:
    """A suggested regular payment's schedule in the reader's words, from its next date."""
    return schedule_text(
        frequency=suggestion.frequency,
        interval=1,
        start=suggestion.next_date,
        day=suggestion.day,
        weekday=suggestion.weekday,
    )

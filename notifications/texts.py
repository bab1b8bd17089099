"""The words of each notification, in the reader's language and currency."""

import calendar
from datetime import date
from decimal import ROUND_DOWN, Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from finance.selectors.balances import Balances
from finance.selectors.summary import CategoryLine, MonthlySummary


def money(amount: Decimal, currency: str) -> str:
    """8200 RUB -> "8 200 ₽" (ru), "8,200 ₽" (en); kopecks only when there are any."""
    language = translation.get_language() or "ru"
    return format_currency(
        amount, currency, format="#,##0.## ¤", locale=language, currency_digits=False
    )


def percent(spent: Decimal, planned: Decimal) -> int:
    # Down, never up: 99.6 % of the plan is not yet "100 %".
    return int((spent * 100 / planned).to_integral_value(ROUND_DOWN))


def budget_line(line: CategoryLine, currency: str) -> str:
    return _("%(category)s: %(spent)s of %(planned)s (%(percent)s%%)") % {
        "category": line.category.name,
        "spent": money(line.spent, currency),
        "planned": money(line.planned, currency),
        "percent": percent(line.spent, line.planned),
    }


def budget_alert(
    line: CategoryLine, currency: str, *, month: date, today: date, ledger: str = ""
) -> str:
    """`ledger`: the ledger's name, for a person who keeps more than one set of books."""
    text = _budget_alert(line, currency, month=month, today=today)
    return f"{ledger} · {text}" if ledger else text


def _budget_alert(line: CategoryLine, currency: str, *, month: date, today: date) -> str:
    head = budget_line(line, currency)
    if line.spent > line.planned:
        over = money(line.spent - line.planned, currency)
        return _("%(line)s, %(over)s over the plan") % {"line": head, "over": over}
    if (today.year, today.month) != (month.year, month.month):
        return head
    days = calendar.monthrange(month.year, month.month)[1] - today.day + 1
    left = money(line.planned - line.spent, currency)
    return ngettext(
        "%(line)s, %(left)s left for %(days)s day",
        "%(line)s, %(left)s left for %(days)s days",
        days,
    ) % {"line": head, "left": left, "days": days}


def daily_reminder() -> str:
    return _("Nothing recorded today. Reply with what you spent.")


def month_name(month: date) -> str:
    return format_date(month, "LLLL yyyy", locale=translation.get_language() or "ru")


def monthly_report(
    current: MonthlySummary,
    previous: MonthlySummary | None,
    balances: Balances | None = None,
    ledger: str = "",
) -> str:
    """The month's report; a shared ledger's (`balances`, `ledger` its name) also says
    who owes whom."""
    text = _monthly_report(current, previous)
    if balances is not None and len({b.user_id for b in balances.balances}) > 1:
        text += "\n\n" + balances_lines(balances, ledger)
    return text


def balances_lines(balances: Balances, ledger: str) -> str:
    lines = [_("Who owes whom in “%(ledger)s”:") % {"ledger": ledger}]
    for b in balances.balances:
        if b.balance:
            sign = "+" if b.balance > 0 else "−"
            lines.append(f"• {b.name}: {sign}{money(abs(b.balance), b.currency)}")
    if balances.settle:
        lines.append(_("To settle up:"))
        lines += [
            f"• {t.from_name} → {t.to_name}: {money(t.amount, t.currency)}" for t in balances.settle
        ]
    else:
        lines.append(_("Everyone is settled up."))
    return "\n".join(lines)


def _monthly_report(current: MonthlySummary, previous: MonthlySummary | None) -> str:
    currency = current.currency
    lines = [
        _("Kopilka: %(month)s") % {"month": month_name(current.month)},
        _("Income: %(amount)s") % {"amount": money(current.income, currency)},
        _("Expense: %(amount)s") % {"amount": money(current.expense, currency)},
        _("Balance: %(amount)s") % {"amount": money(current.balance, currency)},
    ]
    planned = [x for x in current.categories if x.kind == "expense" and x.planned > 0]
    if planned:
        lines += ["", _("Against the plan:")]
        lines += ["• " + budget_line(x, currency) for x in planned]
    if previous is not None:
        before = {x.category.id: x.spent for x in previous.categories if x.kind == "expense"}
        now = {x.category.id: x for x in current.categories if x.kind == "expense"}
        names = {x.category.id: x.category.name for x in previous.categories}
        names.update({k: v.category.name for k, v in now.items()})
        changes = {
            pk: (now[pk].spent if pk in now else Decimal(0)) - before.get(pk, Decimal(0))
            for pk in set(before) | set(now)
        }
        biggest = sorted((c for c in changes.items() if c[1]), key=lambda c: -abs(c[1]))[:3]
        if biggest:
            lines += [
                "",
                _("Biggest changes from %(month)s:") % {"month": month_name(previous.month)},
            ]
            lines += [
                f"• {names[pk]}: {'+' if delta > 0 else '−'}{money(abs(delta), currency)}"
                for pk, delta in biggest
            ]
    return "\n".join(lines)


def report_suggestions(lines: list[str]) -> str:
    """The regular payments the history suggests, for the monthly report."""
    head = _("Regular payments found in your history (add them in the cabinet, Regular payments):")
    return "\n".join([head, *(f"• {line}" for line in lines)])


def report_summary(current: MonthlySummary) -> str:
    """The report in one line, for WhatsApp's template outside the 24-hour window."""
    currency = current.currency
    return _("income %(income)s, expense %(expense)s, balance %(balance)s") % {
        "income": money(current.income, currency),
        "expense": money(current.expense, currency),
        "balance": money(current.balance, currency),
    }


def long_date(day: date) -> str:
    return format_date(day, "long", locale=translation.get_language() or "ru")


def token_expiry(name: str, expires: date, url: str) -> str:
    return _("Your bot token “%(name)s” expires on %(date)s. Rotate it here: %(url)s") % {
        "name": name,
        "date": long_date(expires),
        "url": url,
    }


def one_line(text: str) -> str:
    """A template variable: WhatsApp refuses new lines, tabs and runs of spaces in them."""
    return " ".join(text.split())[:1000]


def test_message() -> str:
    return _("A test message from Kopilka: notifications will arrive here.")


def recurring_posted(*, what: str, amount: str, category: str, day: date) -> str:
    """A recurring rule's date, recorded."""
    return _("Regular payment recorded: %(what)s · %(amount)s · %(category)s, %(date)s") % {
        "what": what,
        "amount": amount,
        "category": category,
        "date": long_date(day),
    }


def recurring_failed(*, what: str, amount: str, day: date, reason: str) -> str:
    """A recurring rule's date that could not be recorded."""
    return _(
        "The regular payment %(what)s · %(amount)s of %(date)s was not recorded: %(reason)s "
        "See Regular payments in the cabinet."
    ) % {"what": what, "amount": amount, "date": long_date(day), "reason": reason}


def undo_button() -> str:
    return _("Undo")


def undo_reply_hint() -> str:
    return _("Reply “undo” to remove it.")


def undo_link_hint(url: str) -> str:
    return _("To remove it: %(url)s") % {"url": url}


def subject(kind: str) -> str:
    return {
        "recurring": _("Kopilka: a regular payment recorded"),
        "budget_alert": _("Kopilka: budget alert"),
        "daily_reminder": _("Kopilka: nothing recorded today"),
        "monthly_report": _("Kopilka: monthly report"),
        "token_expiry": _("Kopilka: a bot token expires soon"),
    }.get(kind, "Kopilka")

"""The chat's words: help, confirmations' parts and the command replies, from the
actions' typed results, in the active language."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from botapi.results import CategoriesResult, SettlementResult
from core import i18n
from finance.models import Kind
from finance.selectors.balances import Balances, SettleTransfer
from finance.selectors.summary import MonthlySummary

# Channels without a command menu or buttons: commands are plain words, in either language,
# and buttons become what to answer instead.
PLAIN_CHANNELS = frozenset({"whatsapp"})


def help_text(channel: str = "telegram") -> str:
    if channel in PLAIN_CHANNELS:
        return plain_help_text()
    return "\n".join(
        [
            _("Write an amount and what it was for: “кофе 250”, “такси 480 вчера”."),
            _("A + or an income word records an income: “+5000 кэшбэк”, “зарплата 90000”."),
            _("Several lines record one transaction each."),
            _("Forward or paste your bank's SMS or push: I record each purchase once."),
            _("Reply to my confirmation with a new amount or a category to correct it."),
            "",
            _("/month: this month's income, expenses and balance"),
            _("/budget: the month's plan against what was spent"),
            _("/categories: your categories"),
            _("/undo: remove the last transaction recorded here"),
            _("/today: how much you can spend today and stay on plan"),
            _("/recurring: your regular payments; “каждый месяц 1-го аренда 45000” adds one"),
            _("/lang ru or /lang en: the language of my replies"),
            _("/ledger: which ledger I record into, and switching it"),
            _("/balance: who owes whom in a shared ledger; /settle: settling up"),
            _("/unlink: stop using this chat with Kopilka"),
            _("/help: this message"),
        ]
    )


def group_help_text() -> str:
    """The help in a group linked to a ledger."""
    return "\n".join(
        [
            _(
                "Members of the group's ledger record by writing an amount and what it was for: “кофе 250”."
            ),
            _(
                "Each record is the writer's own: only they undo it or correct it (reply to my confirmation)."
            ),
            "",
            _("/month: this month of the group's ledger"),
            _("/budget: its plan against what was spent"),
            _("/categories: its categories"),
            _("/undo: remove your last transaction recorded here"),
            _("/today: how much the ledger can still spend today"),
            _("/balance: who owes whom; /settle: the transfers that settle up"),
            _(
                "An expense is split by the ledger's default; say otherwise in words "
                "(“пицца 1200 пополам с Машей”, “за всех”) or with the Split button."
            ),
            _("/ledger: which ledger this group keeps"),
            _("/help: this message"),
            "",
            _(
                "If I do not answer plain messages, the bot's privacy mode is on: commands and "
                "replies to me always reach me, plain messages only once I am an admin here "
                "(or privacy mode is off in @BotFather, /setprivacy)."
            ),
        ]
    )


def plain_help_text() -> str:
    """The help where commands are plain words (WhatsApp)."""
    return "\n".join(
        [
            _("Write an amount and what it was for: “кофе 250”, “такси 480 вчера”."),
            _("A + or an income word records an income: “+5000 кэшбэк”, “зарплата 90000”."),
            _("Several lines record one transaction each."),
            _("Forward or paste your bank's SMS or push: I record each purchase once."),
            _("“category” and a name right after a record moves it: “category такси”."),
            "",
            _("“month”: this month's income, expenses and balance"),
            _("“budget”: the month's plan against what was spent"),
            _("“categories”: your categories"),
            _("“balance”: who owes whom in a shared ledger; “settle”: settling up"),
            _("“undo”: remove the last transaction recorded here"),
            _("“today”: how much you can spend today and stay on plan"),
            _("“recurring”: your regular payments; “каждый месяц 1-го аренда 45000” adds one"),
            _("“lang ru” or “lang en”: the language of my replies"),
            _("“unlink”: stop using this chat with Kopilka"),
            _("“help”: this message"),
        ]
    )


def money(amount: Decimal, currency: str) -> str:
    return i18n.money_text(amount, currency)


def day(when: date, today: date) -> str:
    if when == today:
        return _("today")
    if when == today - timedelta(days=1):
        return _("yesterday")
    return i18n.day_text(when, today)


def month(summary: MonthlySummary) -> str:
    """get_summary's result as /month shows it."""
    currency = summary.currency
    lines = [
        _("This month (%(month)s)") % {"month": i18n.month_text(summary.month)},
        _("Income: %(amount)s") % {"amount": money(summary.income, currency)},
        _("Expenses: %(amount)s") % {"amount": money(summary.expense, currency)},
        _("Balance: %(amount)s") % {"amount": money(summary.balance, currency)},
    ]
    rows = [line for line in summary.categories if line.spent or line.planned]
    if rows:
        lines.append("")
    for row in rows:
        spent = money(row.spent, currency)
        if row.planned:
            lines.append(f"{row.category.name}: {spent} / {money(row.planned, currency)}")
        else:
            lines.append(f"{row.category.name}: {spent}")
    return "\n".join(lines)


def budget(summary: MonthlySummary) -> str:
    """get_summary's result as /budget shows it: the planned categories only."""
    currency = summary.currency
    rows = [line for line in summary.categories if line.planned]
    if not rows:
        return _("No plan for this month yet: set one in the cabinet (Budget).")
    lines = [_("The plan for %(month)s") % {"month": i18n.month_text(summary.month)}]
    for row in rows:
        values = {"spent": money(row.spent, currency), "planned": money(row.planned, currency)}
        if row.remaining is None:  # an income: received, with nothing left to spend
            status = _("%(spent)s of %(planned)s received") % values
        elif row.over_budget:
            values["left"] = money(abs(row.remaining), currency)
            status = _("%(spent)s of %(planned)s, %(left)s over") % values
        else:
            values["left"] = money(row.remaining, currency)
            status = _("%(spent)s of %(planned)s, %(left)s left") % values
        lines.append(f"{row.category.name}: {status}")
    return "\n".join(lines)


def categories(result: CategoriesResult) -> str:
    """list_categories' result as /categories shows it."""
    names: dict[Kind, list[str]] = {Kind.EXPENSE: [], Kind.INCOME: []}
    for category in result.categories:
        names[Kind(category.kind)].append(category.name)
    return "\n".join(
        [
            _("Expenses: %(names)s") % {"names": ", ".join(names[Kind.EXPENSE])},
            _("Incomes: %(names)s") % {"names": ", ".join(names[Kind.INCOME])},
        ]
    )


def _signed(amount: Decimal, currency: str) -> str:
    sign = "+" if amount > 0 else "−" if amount < 0 else ""
    return sign + money(abs(amount), currency)


def transfer(t: SettleTransfer) -> str:
    return f"{t.from_name} → {t.to_name}: {money(t.amount, t.currency)}"


def balances(result: Balances, ledger: str) -> str:
    """get_balances' result as /balance shows it."""
    if not result.balances:
        return _("Nobody owes anybody in “%(ledger)s”.") % {"ledger": ledger}
    lines = [_("Who owes whom in “%(ledger)s”:") % {"ledger": ledger}]
    for b in result.balances:
        left = "" if b.member else " " + _("(left the ledger)")
        lines.append(f"{b.name}{left}: {_signed(b.balance, b.currency)}")
    if result.settle:
        lines += ["", _("To settle up:")]
        lines += [transfer(t) for t in result.settle]
    else:
        lines += ["", _("Everyone is settled up.")]
    return "\n".join(lines)


def payment(result: SettlementResult, names: dict[int | None, str]) -> str:
    """A settlement as a confirmation names it."""
    payer = names.get(result.from_id, _("deleted account"))
    payee = names.get(result.to_id, _("deleted account"))
    return f"{payer} → {payee}: {money(result.amount, result.currency)}"

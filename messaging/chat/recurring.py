"""Regular payments in the chat: a rule made from a line that says how often
("каждый месяц 1-го аренда 45000"), `/recurring` with its buttons (skip the next date,
pause or resume, delete; add or dismiss a suggestion), and `/today` ("сколько можно
потратить"): what is safe to spend today, from get_summary's forecast.

Every change goes through the dispatcher as the person (create/update/delete_recurring).
"""

from typing import Any, Protocol, TypeVar

from django.utils import formats
from django.utils.translation import gettext as _

from botapi.results import (
    RecurringDeletedResult,
    RecurringListResult,
    RecurringResult,
    SummaryResult,
)
from core.errors import ActionError
from finance.presenters import schedule_text, suggestion_schedule_text
from finance.selectors.forecast import Forecast
from finance.selectors.suggestions import Suggestion
from messaging.chat import phrases
from messaging.chat.exchange import Inbound, Reply
from messaging.transports import Button

R = TypeVar("R")

CREATE = "create_recurring"
# Rules a /recurring list gives buttons to; the rest are listed only.
MAX_BUTTONS = 10
# Callback data: "r:<what>:<rule id or suggestion id>" (Telegram allows 64 bytes).
PREFIX = "r:"
SKIP, PAUSE, RESUME, DELETE, CONFIRM, ACCEPT, DISMISS = "s", "p", "g", "d", "D", "a", "x"


class Chat(Protocol):
    """What these replies use of the dialogue (`messaging.chat.dialogue.Dialogue`)."""

    inbound: Inbound
    notice: str

    def perform(
        self,
        kind: type[R],
        action: str,
        payload: dict[str, Any],
        *,
        key: str = "",
        dry_run: bool = False,
    ) -> R: ...


class Pressing(Chat, Protocol):
    """A dialogue answering a pressed button."""

    def refusal(self, exc: ActionError) -> Reply: ...


def _what(rule: RecurringResult | Suggestion) -> str:
    return rule.note or rule.category.name


def _schedule(rule: RecurringResult) -> str:
    return schedule_text(
        frequency=rule.frequency,
        interval=rule.interval,
        start=rule.start_date,
        day=rule.day,
        weekday=rule.weekday,
        end=rule.end_date,
        count=rule.count,
    )


def _day(value: Any) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _line(rule: RecurringResult) -> str:
    parts = [_what(rule), phrases.money(rule.amount, rule.currency), _schedule(rule)]
    if rule.paused:
        parts.append(_("paused"))
    elif rule.next_date is not None:
        parts.append(_("next %(date)s") % {"date": _day(rule.next_date)})
    else:
        parts.append(_("ended"))
    return " · ".join(parts)


def data(what: str, ref: int | str) -> str:
    return f"{PREFIX}{what}:{ref}"


def is_button(callback: str) -> bool:
    return callback.startswith(PREFIX)


def created(rule: RecurringResult) -> Reply:
    """The reply to a line that made a rule."""
    text = _("Regular payment saved: %(what)s") % {"what": _line(rule)}
    buttons = [
        [
            Button(_("Skip the next"), data(SKIP, rule.id)),
            Button(_("Pause"), data(PAUSE, rule.id)),
            Button(_("Delete"), data(DELETE, rule.id)),
        ]
    ]
    return Reply(text, buttons, action=CREATE, result=rule.data())


def listed(d: Chat, argument: str) -> Reply:
    """`/recurring`: the rules, and what the history suggests."""
    found = d.perform(RecurringListResult, "list_recurring", {})
    lines: list[str] = []
    buttons: list[list[Button]] = []
    if found.recurring:
        lines.append(_("Your regular payments:"))
    for n, rule in enumerate(found.recurring, start=1):
        lines.append(f"{n}. {_line(rule)}")
        if n <= MAX_BUTTONS:
            pause = Button(f"{n} · {_('Resume')}", data(RESUME, rule.id))
            if not rule.paused:
                pause = Button(f"{n} · {_('Pause')}", data(PAUSE, rule.id))
            row = [pause, Button(f"{n} · {_('Delete')}", data(DELETE, rule.id))]
            if rule.next_date is not None and not rule.paused:
                row.insert(0, Button(f"{n} · {_('Skip the next')}", data(SKIP, rule.id)))
            buttons.append(row)
    if found.suggested:
        if lines:
            lines.append("")
        lines.append(_("Found in your history, not regular payments yet:"))
    for suggestion in found.suggested:
        what = _what(suggestion)
        schedule = suggestion_schedule_text(suggestion)
        amount = phrases.money(suggestion.amount, suggestion.currency)
        lines.append(f"• {what} · {amount} · {schedule}")
        buttons.append(
            [
                Button(_("Add “%(what)s”") % {"what": what[:40]}, data(ACCEPT, suggestion.id)),
                Button(_("No"), data(DISMISS, suggestion.id)),
            ]
        )
    if not lines:
        lines.append(
            _("No regular payments yet. Write one as it goes: “каждый месяц 1-го аренда 45000”.")
        )
    elif d.inbound.channel in phrases.PLAIN_CHANNELS:
        lines += ["", _("To change them, open Regular payments in the cabinet.")]
        buttons = []
    return Reply("\n".join(lines), buttons, action="list_recurring")


def pressed(d: Pressing, callback: str) -> list[Reply]:
    """A /recurring button: do what it says, as the person."""
    what, _sep, ref = callback.removeprefix(PREFIX).partition(":")
    try:
        if what in {ACCEPT, DISMISS}:
            return [_suggestion_pressed(d, what, ref)]
        if not ref.isascii() or not ref.isdigit():
            raise ValueError(callback)
        return [_rule_pressed(d, what, int(ref))]
    except ActionError as exc:
        if any(x.get("code", "").endswith("_not_found") for x in exc.details or []):
            d.notice = _("This button no longer works.")
            return []
        return [d.refusal(exc)]
    except ValueError:
        d.notice = _("This button no longer works.")
        return []


def _rule_pressed(d: Chat, what: str, rule_id: int) -> Reply:
    if what == DELETE:
        found = d.perform(RecurringListResult, "list_recurring", {})
        rule = next((r for r in found.recurring if r.id == rule_id), None)
        if rule is None:
            raise ValueError(rule_id)
        confirm = [[Button(_("Yes, delete"), data(CONFIRM, rule_id))]]
        text = _("Delete “%(what)s”? What it recorded stays.") % {"what": _what(rule)}
        return Reply(text, confirm, action="list_recurring")
    if what == CONFIRM:
        deleted = d.perform(RecurringDeletedResult, "delete_recurring", {"id": rule_id})
        assert deleted.recurring is not None
        d.notice = _("Deleted.")
        return Reply(
            _("Deleted: %(what)s. What it recorded stays.") % {"what": _what(deleted.recurring)},
            action="delete_recurring",
        )
    changes = {SKIP: {"skip_next": True}, PAUSE: {"paused": True}, RESUME: {"paused": False}}
    if what not in changes:
        raise ValueError(what)
    rule = d.perform(RecurringResult, "update_recurring", {"id": rule_id, **changes[what]})
    if what == SKIP:
        text = _("Skipped. %(what)s") % {"what": _line(rule)}
    elif what == PAUSE:
        text = _("Paused: %(what)s") % {"what": _line(rule)}
    else:
        text = _("Goes on: %(what)s") % {"what": _line(rule)}
    d.notice = text[:200]
    return Reply(text, action="update_recurring", result=rule.data())


def _suggestion_pressed(d: Chat, what: str, suggestion_id: str) -> Reply:
    if what == ACCEPT:
        rule = d.perform(RecurringResult, CREATE, {"suggestion_id": suggestion_id})
        return created(rule)
    dismissed = d.perform(RecurringDeletedResult, "delete_recurring", {"id": suggestion_id})
    note = (dismissed.suggestion or {}).get("note", "")
    d.notice = _("It will not be suggested again.")
    return Reply(
        _("“%(what)s” will not be suggested again.") % {"what": note}, action="delete_recurring"
    )


def today(d: Chat, argument: str) -> Reply:
    """`/today`, "сколько можно потратить": what is safe to spend today and where the month
    is heading."""
    result = d.perform(SummaryResult, "get_summary", {})
    return Reply(today_text(result.forecast), action="get_summary")


def today_text(forecast: Forecast | None) -> str:
    if forecast is None:  # pragma: no cover - get_summary's own month is always the current
        return _("No forecast for this month.")
    currency = forecast.currency
    lines = []
    if forecast.safe_to_spend_today is not None:
        lines.append(
            _("Today you can spend %(amount)s and stay on plan.")
            % {"amount": phrases.money(forecast.safe_to_spend_today, currency)}
        )
    else:
        lines.append(
            _(
                "This month has no plan: set one in the cabinet (Budget) to know what is safe to spend."
            )
        )
    values = {
        "forecast": phrases.money(forecast.forecast, currency),
        "spent": phrases.money(forecast.spent, currency),
    }
    if forecast.plan is not None:
        values["plan"] = phrases.money(forecast.plan, currency)
        lines.append(
            _(
                "The month is heading for %(forecast)s of a plan of %(plan)s; spent so far %(spent)s."
            )
            % values
        )
    else:
        lines.append(_("The month is heading for %(forecast)s; spent so far %(spent)s.") % values)
    if forecast.recurring_due:
        lines.append(_("Regular payments still due:"))
        for due in forecast.recurring_due:
            lines.append(
                f"• {_day(due.date)} · {due.note or due.category.name} · "
                f"{phrases.money(due.amount, due.currency)}"
            )
    return "\n".join(lines)

"""What a notification says when its time comes, per kind: its text, and the WhatsApp
template that stands in for it outside the 24-hour window (its purpose and one-line
variables); or nothing, when it is no longer needed (today's records are in, the token
was renewed)."""

from collections.abc import Callable
from datetime import date, datetime, time

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounts.models import ApiToken, User
from core import db
from finance.models import RecurringOccurrence
from finance.months import add_months
from finance.presenters import suggestion_schedule_text
from finance.rates.lookup import MissingExchangeRate
from finance.rules import ledger_or_none_for_read
from finance.selectors.balances import ledger_balances
from finance.selectors.recurring import occurrence_get
from finance.selectors.suggestions import suggestion_list
from finance.selectors.summary import monthly_summary
from finance.selectors.transactions import transaction_list
from messaging.outbound import Template
from notifications import channels, texts
from notifications.models import Kind, Notification

Rendered = tuple[str, Template]


def _recorded_on(user: User, day: date) -> bool:
    """Anything dated `day`, or recorded during it (yesterday's taxi, typed today)."""
    start = datetime.combine(day, time.min, tzinfo=user.tz())
    records = transaction_list(user=user)
    return records.filter(Q(date=day) | Q(created_at__gte=start)).exists()


def daily_reminder(notification: Notification) -> Rendered | None:
    user = notification.user
    if _recorded_on(user, date.fromisoformat(notification.period)):
        return None
    name = user.first_name or user.username
    return texts.daily_reminder(), Template("reminder", {"1": texts.one_line(name)})


def monthly_report(notification: Notification) -> Rendered | None:
    user = notification.user
    month = date.fromisoformat(notification.period + "-01")
    # Months that are over: read from the replica when there is one.
    current = monthly_summary(user=user, month=month, using=db.heavy_reads())
    try:
        previous = monthly_summary(user=user, month=add_months(month, -1), using=db.heavy_reads())
    except MissingExchangeRate:
        previous = None
    variables = {"1": texts.month_name(month), "2": texts.report_summary(current)}
    # A shared ledger's report also says who owes whom, as of now.
    books = ledger_or_none_for_read(user, None)
    if books is not None and books.personal_for_id is None:
        balances = ledger_balances(user=user, ledger=books)
        text = texts.monthly_report(current, previous, balances, books.name)
    else:
        text = texts.monthly_report(current, previous)
    # Regular payments the history shows and no rule records yet, as of the report's day.
    suggestions = suggestion_list(user=user)
    if suggestions:
        lines = [
            f"{s.note} · {texts.money(s.amount, s.currency)} · {suggestion_schedule_text(s)}"
            for s in suggestions
        ]
        text += "\n\n" + texts.report_suggestions(lines)
    return text, Template("report", variables)


def token_expiry(notification: Notification) -> Rendered | None:
    user = notification.user
    token = ApiToken.objects.filter(
        user=user, pk=notification.subject.removeprefix("token:")
    ).first()
    if token is None or not token.is_active() or token.expires_at is None:
        return None
    url = settings.PUBLIC_URL + reverse("accounts:tokens")
    expires = token.expires_at.astimezone(user.tz()).date()
    variables = {"1": texts.one_line(token.name), "2": texts.long_date(expires), "3": url}
    return texts.token_expiry(token.name, expires, url), Template("token", variables)


def budget_alert(notification: Notification) -> Rendered | None:
    # Written when the alert was claimed, in the person's language then.
    return notification.text, Template("alert", {"1": texts.one_line(notification.text)})


def test_message(notification: Notification) -> Rendered | None:
    return notification.text, channels.TEST_TEMPLATE


def _occurrence(notification: Notification) -> RecurringOccurrence | None:
    pk = notification.subject.removeprefix("occurrence:")
    return occurrence_get(pk=int(pk)) if pk.isdigit() else None


def recurring(notification: Notification) -> Rendered | None:
    """A recurring rule's date: what was recorded (nothing, when it was undone before
    this went out), or why it could not be."""
    occurrence = _occurrence(notification)
    if occurrence is None:
        return None
    rule, tx = occurrence.rule, occurrence.transaction
    what = rule.note or rule.category.name
    if occurrence.status == RecurringOccurrence.Status.FAILED:
        amount = texts.money(rule.amount, rule.currency)
        text = texts.recurring_failed(
            what=what, amount=amount, day=occurrence.date, reason=occurrence.error
        )
    elif tx is not None:
        text = texts.recurring_posted(
            what=tx.note or what,
            amount=texts.money(tx.amount, tx.currency),
            category=tx.category.name,
            day=tx.date,
        )
    else:
        return None
    if rule.ledger.personal_for_id != notification.user_id:
        text = f"{rule.ledger.name} · {text}"
    return text, Template("alert", {"1": texts.one_line(text)})


RENDERERS: dict[str, Callable[[Notification], Rendered | None]] = {
    Kind.DAILY_REMINDER: daily_reminder,
    Kind.MONTHLY_REPORT: monthly_report,
    Kind.TOKEN_EXPIRY: token_expiry,
    Kind.BUDGET_ALERT: budget_alert,
    Kind.TEST: test_message,
    Kind.RECURRING: recurring,
}


def render(notification: Notification) -> Rendered | None:
    """In the active language (the person's); a kind without its own is sent as written."""
    return RENDERERS.get(notification.kind, test_message)(notification)


def undo(notification: Notification) -> channels.Undo | None:
    """How the message offers to take back what it tells was recorded, if it tells so."""
    if notification.kind != Kind.RECURRING:
        return None
    occurrence = _occurrence(notification)
    if occurrence is None or occurrence.transaction_id is None:
        return None
    path = reverse("finance:delete_transaction", args=[occurrence.transaction_id])
    return channels.Undo(
        transaction_id=occurrence.transaction_id,
        button=texts.undo_button(),
        reply_hint=texts.undo_reply_hint(),
        link_hint=texts.undo_link_hint(settings.PUBLIC_URL + path),
    )

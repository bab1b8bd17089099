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
from finance.months import add_months
from finance.rates.lookup import MissingExchangeRate
from finance.rules import ledger_or_none_for_read
from finance.selectors.balances import ledger_balances
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
    current = monthly_summary(user=user, month=month)
    try:
        previous = monthly_summary(user=user, month=add_months(month, -1))
    except MissingExchangeRate:
        previous = None
    variables = {"1": texts.month_name(month), "2": texts.report_summary(current)}
    # A shared ledger's report also says who owes whom, as of now.
    books = ledger_or_none_for_read(user, None)
    if books is not None and books.personal_for_id is None:
        balances = ledger_balances(user=user, ledger=books)
        text = texts.monthly_report(current, previous, balances, books.name)
        return text, Template("report", variables)
    return texts.monthly_report(current, previous), Template("report", variables)


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


RENDERERS: dict[str, Callable[[Notification], Rendered | None]] = {
    Kind.DAILY_REMINDER: daily_reminder,
    Kind.MONTHLY_REPORT: monthly_report,
    Kind.TOKEN_EXPIRY: token_expiry,
    Kind.BUDGET_ALERT: budget_alert,
    Kind.TEST: test_message,
}


def render(notification: Notification) -> Rendered | None:
    """In the active language (the person's); a kind without its own is sent as written."""
    return RENDERERS.get(notification.kind, test_message)(notification)

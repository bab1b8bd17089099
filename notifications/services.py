"""Notifications: claim each by its key, then deliver it once, on the queue.

A notification is a row claimed by (user, kind, period, subject) in the same
transaction that defers the job delivering it. Delivery moves the row to `sending`
with a conditional UPDATE, so of two workers (or a retried job) one sends and the
other finds nothing to do. A temporary failure goes back to the queue with a delay;
a permanent one turns the channel off for the person and says why.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import ApiToken, User
from finance import selectors as finance_selectors
from ledgers.models import Ledger, Membership
from messaging import outbound
from messaging.models import Channel as MessagingChannel
from messaging.models import UserContact
from notifications import channels, queue, selectors, texts
from notifications.models import Channel, Kind, Notification, NotificationSettings

logger = logging.getLogger(__name__)

THRESHOLDS_INVALID = _("Thresholds are whole percentages from 1 to 1000, such as “80, 100”.")
CHANNEL_UNAVAILABLE = _("This channel is not set up for you yet.")
# Reasons stored on a notification row in English (operators read them in the admin);
# the cabinet shows them in the reader's language.
NO_CHANNEL = gettext_noop("No channel to send to: link a messenger or add an e-mail address.")
TURNED_OFF = gettext_noop("Turned off in the settings before it was sent.")
NOT_NEEDED = gettext_noop("No longer needed when its time came.")
NOT_PREPARED = gettext_noop("The message could not be prepared; it will be tried again.")
SUPERSEDED = gettext_noop(
    "A higher threshold was passed by the same write: only that one was sent."
)
TOO_MANY_TESTS = _("That is enough test messages for an hour; try again later.")
TESTS_PER_HOUR = 5
MAX_ATTEMPTS = 6
TOKEN_NOTICE_DAYS = 7

Status = Notification.Status


# Settings


def settings_for(*, user: User) -> NotificationSettings:
    """The person's settings, made with the defaults on first need."""
    found, _created = NotificationSettings.objects.get_or_create(user=user)
    return found


def normalize_thresholds(values: list[int]) -> list[int]:
    cleaned = sorted(set(values))
    if not cleaned or len(cleaned) > 5 or any(not 1 <= v <= 1000 for v in cleaned):
        raise ValidationError(THRESHOLDS_INVALID, code="thresholds_invalid")
    return cleaned


@dataclass(frozen=True)
class Messenger:
    contact: channels.Contact
    linked_at: datetime | None


def messengers(prefs: NotificationSettings) -> list[Messenger]:
    """The messengers the person has linked (turned off or not), the one linked last first."""
    linked: dict[str, UserContact] = {}
    # One query for both: it runs for every notification delivered.
    for row in UserContact.objects.filter(user_id=prefs.user_id, is_active=True).order_by(
        "-linked_at", "-pk"
    ):
        linked.setdefault(row.channel, row)
    found: list[Messenger] = []
    telegram = linked.get(MessagingChannel.TELEGRAM)
    if telegram is not None:
        found.append(
            Messenger(channels.Contact(Channel.TELEGRAM, telegram.chat_id), telegram.linked_at)
        )
    number = linked.get(MessagingChannel.WHATSAPP)
    if number is not None:
        contact = channels.Contact(Channel.WHATSAPP, number.chat_id, contact_id=number.pk)
        found.append(Messenger(contact, number.linked_at))
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda m: m.linked_at or oldest, reverse=True)


def _disabled(prefs: NotificationSettings, channel: str) -> str:
    return str(getattr(prefs, DISABLED_FIELDS[Channel(channel)]))


def reachable(prefs: NotificationSettings) -> list[channels.Contact]:
    """Where a message can go now, the messenger linked last first, e-mail last."""
    found = [m.contact for m in messengers(prefs) if not _disabled(prefs, m.contact.channel)]
    if prefs.user.email and not prefs.email_disabled:
        found.append(channels.Contact(Channel.EMAIL, prefs.user.email))
    return found


def available_channels(prefs: NotificationSettings) -> list[str]:
    """The channels a message can go to now, the messenger linked last first."""
    return [c.channel for c in reachable(prefs)]


def offered_channels(prefs: NotificationSettings) -> list[str]:
    """The channels the settings page offers: Telegram and e-mail always (choosing one
    not set up says so), WhatsApp once a number is linked (or while it is the choice)."""
    linked = {m.contact.channel for m in messengers(prefs)}
    return [
        c
        for c in Channel.values
        if c != Channel.WHATSAPP or c in linked or prefs.channel == Channel.WHATSAPP
    ]


@transaction.atomic
def settings_update(
    *,
    user: User,
    budget_alerts: bool,
    daily_reminder: bool,
    monthly_report: bool,
    token_expiry: bool,
    channel: str,
    reminder_time: time,
    report_time: time,
    thresholds: list[int],
) -> NotificationSettings:
    prefs = NotificationSettings.objects.select_for_update().get(pk=settings_for(user=user).pk)
    if channel:
        linked = {m.contact.channel for m in messengers(prefs)}
        set_up = channel in linked or (channel == Channel.EMAIL and bool(user.email))
        if channel != prefs.channel and not set_up:
            raise ValidationError(
                {"channel": ValidationError(CHANNEL_UNAVAILABLE, code="channel_unavailable")}
            )
        # Choosing a channel (again) is how a person says it works again.
        if set_up:
            setattr(prefs, DISABLED_FIELDS[Channel(channel)], "")
    prefs.budget_alerts = budget_alerts
    prefs.daily_reminder = daily_reminder
    prefs.monthly_report = monthly_report
    prefs.token_expiry = token_expiry
    prefs.channel = channel
    prefs.reminder_time = reminder_time.replace(second=0, microsecond=0)
    prefs.report_time = report_time.replace(second=0, microsecond=0)
    prefs.thresholds = normalize_thresholds(thresholds)
    prefs.updated_at = timezone.now()
    prefs.full_clean()
    prefs.save()
    return prefs


def contact_for(prefs: NotificationSettings) -> channels.Contact | None:
    """The chosen channel when it works, else the messenger linked last, else e-mail."""
    usable = reachable(prefs)
    chosen = [c for c in usable if c.channel == prefs.channel]
    if chosen:
        return chosen[0]
    return usable[0] if usable else None


# Claiming

_CLAIM_SQL = """
INSERT INTO notifications_notification
    (user_id, kind, period, subject, status, channel, text, error, attempts, created_at)
SELECT u, %(kind)s, p, s, 'pending', '', t, '', 0, %(now)s
FROM unnest(%(users)s::bigint[], %(periods)s::text[], %(subjects)s::text[], %(texts)s::text[])
    AS x(u, p, s, t)
ON CONFLICT ON CONSTRAINT notifications_notification_unique_key DO NOTHING
RETURNING id
"""


@dataclass(frozen=True)
class Claim:
    user_id: int
    period: str
    subject: str = ""
    text: str = ""


def claim_and_defer(*, kind: str, claims: list[Claim]) -> list[int]:
    """Insert the notifications not yet claimed and defer their delivery, in one go.

    Returns the ids claimed now; a key already taken (by another worker, an earlier
    run, a retried job) is skipped. Concurrent twins wait on the unique index.
    """
    if not claims:
        return []
    params: dict[str, Any] = {
        "kind": kind,
        "now": timezone.now(),
        "users": [c.user_id for c in claims],
        "periods": [c.period for c in claims],
        "subjects": [c.subject for c in claims],
        "texts": [c.text for c in claims],
    }
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, params)
            ids = [int(row[0]) for row in cursor.fetchall()]
        queue.defer_many(queue.DELIVER, batches(ids))
    return ids


# Delivering

# Notifications per delivery job: one job's overhead (fetching it, finishing it) is
# shared by a batch, and a batch is still short enough for a worker's SIGTERM to wait on.
BATCH = 50


def batches(ids: list[int]) -> list[dict[str, Any]]:
    return [{"notification_ids": ids[i : i + BATCH]} for i in range(0, len(ids), BATCH)]


def _take(notification_ids: list[int]) -> list[Notification]:
    """Move notifications to `sending`, leaving out those someone else has or that are done.

    The conditional UPDATE is the second half of "once": of two workers, or of a job and
    its retry, only one moves a row. A worker that dies after this leaves its rows in
    `sending`, unsent, rather than risk sending them twice.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_notification SET status = %s, attempts = attempts + 1"
            " WHERE id = ANY(%s) AND status IN (%s, %s) RETURNING id",
            [Status.SENDING, notification_ids, Status.PENDING, Status.RETRY],
        )
        taken = [row[0] for row in cursor.fetchall()]
    if not taken:
        return []
    return list(
        Notification.objects.filter(pk__in=taken)
        .select_related("user", "user__notification_settings")
        .order_by("pk")
    )


def _finish(notification: Notification, status: str, *, error: str = "", **fields: Any) -> None:
    notification.status = status
    notification.error = error[:300]
    for name, value in fields.items():
        setattr(notification, name, value)
    notification.save(update_fields=["status", "error", *fields])


def _wanted(prefs: NotificationSettings, kind: str) -> bool:
    return {
        Kind.BUDGET_ALERT: prefs.budget_alerts,
        Kind.DAILY_REMINDER: prefs.daily_reminder,
        Kind.MONTHLY_REPORT: prefs.monthly_report,
        Kind.TOKEN_EXPIRY: prefs.token_expiry,
    }.get(Kind(kind), True)


def _recorded_on(user: User, day: date) -> bool:
    """Anything dated `day`, or recorded during it (yesterday's taxi, typed today)."""
    start = datetime.combine(day, time.min, tzinfo=user.tz())
    records = finance_selectors.transaction_list(user=user)
    return records.filter(Q(date=day) | Q(created_at__gte=start)).exists()


Rendered = tuple[str, outbound.Template]


def _render(notification: Notification) -> Rendered | None:
    """The message's text and WhatsApp's template for it outside the 24-hour window
    (its purpose and one-line variables), or None when it is no longer needed."""
    user = notification.user
    if notification.kind == Kind.DAILY_REMINDER:
        if _recorded_on(user, date.fromisoformat(notification.period)):
            return None
        name = user.first_name or user.username
        return texts.daily_reminder(), outbound.Template("reminder", {"1": texts.one_line(name)})
    if notification.kind == Kind.MONTHLY_REPORT:
        month = date.fromisoformat(notification.period + "-01")
        current = finance_selectors.monthly_summary(user=user, month=month)
        try:
            previous = finance_selectors.monthly_summary(
                user=user, month=finance_selectors.add_months(month, -1)
            )
        except finance_selectors.MissingExchangeRate:
            previous = None
        variables = {"1": texts.month_name(month), "2": texts.report_summary(current)}
        return texts.monthly_report(current, previous), outbound.Template("report", variables)
    if notification.kind == Kind.TOKEN_EXPIRY:
        token = ApiToken.objects.filter(
            user=user, pk=notification.subject.removeprefix("token:")
        ).first()
        if token is None or not token.is_active() or token.expires_at is None:
            return None
        url = settings.PUBLIC_URL + reverse("accounts:tokens")
        expires = token.expires_at.astimezone(user.tz()).date()
        variables = {"1": texts.one_line(token.name), "2": texts.long_date(expires), "3": url}
        return texts.token_expiry(token.name, expires, url), outbound.Template("token", variables)
    if notification.kind == Kind.BUDGET_ALERT:
        alert = outbound.Template("alert", {"1": texts.one_line(notification.text)})
        return notification.text, alert
    return notification.text, channels.TEST_TEMPLATE


def _backoff(attempts: int) -> float:
    return float(min(15 * 4 ** (attempts - 1), 3600))  # 15 s, 1 min, 4 min, 16 min, 1 h


def _retry(notification: Notification, reason: str, delay: float, **fields: Any) -> str:
    """Back to the queue on its own, later; past MAX_ATTEMPTS it has failed."""
    if notification.attempts >= MAX_ATTEMPTS:
        _finish(notification, Status.FAILED, error=reason, **fields)
        return Status.FAILED
    with transaction.atomic():
        _finish(notification, Status.RETRY, error=reason, **fields)
        queue.defer(queue.DELIVER, schedule_in_seconds=delay, notification_ids=[notification.pk])
    return Status.RETRY


def deliver(*, notification_ids: list[int]) -> dict[int, str]:
    """Send claimed notifications; returns the new status of each one this call took
    (a notification another worker has, or one already done, is left out)."""
    return {n.pk: _deliver_one(n) for n in _take(notification_ids)}


def _deliver_one(notification: Notification) -> str:
    user = notification.user
    try:
        prefs = _settings_of(user)
        if not _wanted(prefs, notification.kind):
            _finish(notification, Status.SKIPPED, error=TURNED_OFF)
            return Status.SKIPPED
        with translation.override(user.language):
            rendered = _render(notification)
            subject = str(texts.subject(notification.kind))
        if rendered is None:
            _finish(notification, Status.SKIPPED, error=NOT_NEEDED)
            return Status.SKIPPED
        text, template = rendered
        contact = contact_for(prefs)
        if contact is None:
            _finish(notification, Status.FAILED, error=NO_CHANNEL, text=text)
            return Status.FAILED
    except Exception:
        # Nothing was sent; the rest of the batch goes on.
        logger.exception("notifications: could not prepare notification %s", notification.pk)
        return _retry(notification, NOT_PREPARED, _backoff(notification.attempts))
    try:
        channels.send(contact, text, subject=subject, template=template)
    except channels.TemporaryError as e:
        delay = e.retry_after if e.retry_after is not None else _backoff(notification.attempts)
        return _retry(notification, e.reason, delay, channel=contact.channel, text=text)
    except channels.PermanentError as e:
        with transaction.atomic():
            _finish(notification, Status.FAILED, error=e.reason, channel=contact.channel, text=text)
            channel_disable(prefs=prefs, channel=contact.channel, reason=e.reason)
        return Status.FAILED
    _finish(notification, Status.SENT, channel=contact.channel, text=text, sent_at=timezone.now())
    return Status.SENT


DISABLED_FIELDS = {
    Channel.TELEGRAM: "telegram_disabled",
    Channel.WHATSAPP: "whatsapp_disabled",
    Channel.EMAIL: "email_disabled",
}


def channel_disable(*, prefs: NotificationSettings, channel: str, reason: str) -> None:
    field = DISABLED_FIELDS[Channel(channel)]
    NotificationSettings.objects.filter(pk=prefs.pk).update(**{field: reason[:300]})
    setattr(prefs, field, reason[:300])
    logger.info("notifications: %s turned off for user %s: %s", channel, prefs.user_id, reason)


# Budget alerts


def alert_subject(*, ledger_id: int, category_id: int, threshold: int) -> str:
    return f"ledger:{ledger_id}:category:{category_id}:{threshold}"


def budget_check(*, ledger: Ledger | int, month: date) -> list[int]:
    """Claim an alert for each threshold the ledger's spending in `month` has passed, for
    each member who wants alerts (at their own thresholds, in their own language), and
    send the highest one newly passed per category and member (the lower ones are
    marked not needed)."""
    ledger_id = ledger if isinstance(ledger, int) else ledger.pk
    members = [
        m.user
        for m in Membership.objects.filter(ledger_id=ledger_id, user__is_active=True)
        .select_related("user", "user__notification_settings")
        .order_by("user_id")
    ]
    wanting = [(user, _settings_of(user)) for user in members]
    wanting = [(user, prefs) for user, prefs in wanting if prefs.budget_alerts]
    if not wanting:
        return []
    try:
        # The ledger's figures are the same for every member: read them once, as one.
        summary = finance_selectors.monthly_summary(
            user=wanting[0][0], ledger=ledger_id, month=month
        )
    except finance_selectors.MissingExchangeRate as e:
        logger.warning("notifications: no budget check for ledger %s: %s", ledger_id, e.messages)
        return []
    period = f"{month:%Y-%m}"
    # Someone in more than one ledger is told which one's budget this is.
    named = _in_several_ledgers([user.pk for user, _prefs in wanting])
    name = Ledger.objects.values_list("name", flat=True).get(pk=ledger_id) if named else ""
    sent: list[int] = []
    for line in summary.categories:
        if line.kind != "expense" or line.planned <= 0:
            continue
        for user, prefs in wanting:
            sent += _alert_member(
                user=user,
                prefs=prefs,
                ledger_id=ledger_id,
                ledger_name=name if user.pk in named else "",
                line=line,
                summary=summary,
                month=month,
                period=period,
            )
    return sent


def _in_several_ledgers(user_ids: list[int]) -> set[int]:
    several = (
        Membership.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(ledgers=Count("id"))
        .filter(ledgers__gt=1)
        .order_by()
    )
    return {row["user_id"] for row in several}


def _settings_of(user: User) -> NotificationSettings:
    found = NotificationSettings.objects.filter(user=user).first()
    return found if found is not None else settings_for(user=user)


def _alert_member(
    *,
    user: User,
    prefs: NotificationSettings,
    ledger_id: int,
    ledger_name: str,
    line: finance_selectors.CategoryLine,
    summary: finance_selectors.MonthlySummary,
    month: date,
    period: str,
) -> list[int]:
    crossed = [t for t in prefs.thresholds if line.spent * 100 >= line.planned * t]
    if not crossed:
        return []
    subjects = {
        t: alert_subject(ledger_id=ledger_id, category_id=line.category.id, threshold=t)
        for t in crossed
    }
    with transaction.atomic():
        taken = set(
            Notification.objects.filter(
                user=user,
                kind=Kind.BUDGET_ALERT,
                period=period,
                subject__in=list(subjects.values()),
            ).values_list("subject", flat=True)
        )
        new = [t for t in crossed if subjects[t] not in taken]
        if not new:
            return []
        top = max(new)
        lower = [Claim(user.pk, period, subjects[t], "") for t in new if t != top]
        if lower:
            _claim_skipped(kind=Kind.BUDGET_ALERT, claims=lower, why=SUPERSEDED)
        with translation.override(user.language):
            text = texts.budget_alert(
                line, summary.currency, month=month, today=user.today(), ledger=ledger_name
            )
        return claim_and_defer(
            kind=Kind.BUDGET_ALERT, claims=[Claim(user.pk, period, subjects[top], text)]
        )


def _claim_skipped(*, kind: str, claims: list[Claim], why: str) -> None:
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=c.user_id,
                kind=kind,
                period=c.period,
                subject=c.subject,
                status=Status.SKIPPED,
                error=why,
            )
            for c in claims
        ],
        ignore_conflicts=True,
    )


# The minute's schedule


def settings_ensure_all() -> int:
    """Give everyone without settings the defaults, so schedules are one join away."""
    missing = User.objects.filter(notification_settings__isnull=True).values_list("pk", flat=True)
    made = NotificationSettings.objects.bulk_create(
        [NotificationSettings(user_id=pk) for pk in missing], ignore_conflicts=True
    )
    return len(made)


def schedule_due(*, now: datetime) -> int:
    """Claim and queue everything due at `now`: reminders, reports, token notices."""
    settings_ensure_all()
    count = len(
        claim_and_defer(
            kind=Kind.DAILY_REMINDER,
            claims=[Claim(u, p) for u, p in selectors.due_reminders(now=now)],
        )
    )
    count += len(
        claim_and_defer(
            kind=Kind.MONTHLY_REPORT,
            claims=[Claim(u, p) for u, p in selectors.due_reports(now=now)],
        )
    )
    notices = selectors.due_token_notices(now=now, days=TOKEN_NOTICE_DAYS)
    count += len(
        claim_and_defer(
            kind=Kind.TOKEN_EXPIRY, claims=[Claim(u, p, f"token:{t}") for u, p, t in notices]
        )
    )
    return count


def send_test(*, user: User) -> Notification:
    since = timezone.now() - timedelta(hours=1)
    recent = Notification.objects.filter(user=user, kind=Kind.TEST, created_at__gte=since)
    if recent.count() >= TESTS_PER_HOUR:
        raise ValidationError(TOO_MANY_TESTS, code="too_many_tests")
    with translation.override(user.language):
        text = texts.test_message()
    (pk,) = claim_and_defer(
        kind=Kind.TEST,
        claims=[Claim(user.pk, f"{user.today():%Y-%m-%d}", uuid.uuid4().hex, text)],
    )
    return Notification.objects.get(pk=pk)

"""The outbox: claim each notification by its key, then deliver it once, on the queue.

A notification is a row claimed by (user, kind, period, subject) in the same
transaction that defers the job delivering it. Delivery moves the row to `sending`
with a conditional UPDATE, so of two workers (or a retried job) one sends and the
other finds nothing to do. A temporary failure goes back to the queue with a delay;
a permanent one turns the channel off for the person and says why.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import User
from notifications import channels, preferences, queue, rendering, texts
from notifications.models import Kind, Notification, NotificationSettings

logger = logging.getLogger(__name__)

# Reasons stored on a notification row in English (operators read them in the admin);
# the cabinet shows them in the reader's language.
NO_CHANNEL = gettext_noop("No channel to send to: link a messenger or add an e-mail address.")
TURNED_OFF = gettext_noop("Turned off in the settings before it was sent.")
NOT_NEEDED = gettext_noop("No longer needed when its time came.")
NOT_PREPARED = gettext_noop("The message could not be prepared; it will be tried again.")
TOO_MANY_TESTS = _("That is enough test messages for an hour; try again later.")
TESTS_PER_HOUR = 5
MAX_ATTEMPTS = 6

Status = Notification.Status


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


def claim_skipped(*, kind: str, claims: list[Claim], why: str) -> None:
    """Claim keys that are not to be sent (`why` says so), so that they never are."""
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
        prefs = preferences.settings_of(user)
        if not _wanted(prefs, notification.kind):
            _finish(notification, Status.SKIPPED, error=TURNED_OFF)
            return Status.SKIPPED
        with translation.override(user.language):
            rendered = rendering.render(notification)
            subject = str(texts.subject(notification.kind))
            undo = rendering.undo(notification)
        if rendered is None:
            _finish(notification, Status.SKIPPED, error=NOT_NEEDED)
            return Status.SKIPPED
        text, template = rendered
        contact = preferences.contact_for(prefs)
        if contact is None:
            _finish(notification, Status.FAILED, error=NO_CHANNEL, text=text)
            return Status.FAILED
    except Exception:
        # Nothing was sent; the rest of the batch goes on.
        logger.exception("notifications: could not prepare notification %s", notification.pk)
        return _retry(notification, NOT_PREPARED, _backoff(notification.attempts))
    try:
        channels.send(contact, text, subject=subject, template=template, undo=undo)
    except channels.TemporaryError as e:
        delay = e.retry_after if e.retry_after is not None else _backoff(notification.attempts)
        return _retry(notification, e.reason, delay, channel=contact.channel, text=text)
    except channels.PermanentError as e:
        with transaction.atomic():
            _finish(notification, Status.FAILED, error=e.reason, channel=contact.channel, text=text)
            preferences.channel_disable(prefs=prefs, channel=contact.channel, reason=e.reason)
        return Status.FAILED
    _finish(notification, Status.SENT, channel=contact.channel, text=text, sent_at=timezone.now())
    return Status.SENT

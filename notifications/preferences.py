"""What a person wants to hear, and where it can reach them: their settings, the
messengers they have linked, and the channels a message can go to now."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from messaging.models import Channel as MessagingChannel
from messaging.models import UserContact
from notifications import channels
from notifications.models import Channel, NotificationSettings

logger = logging.getLogger(__name__)

THRESHOLDS_INVALID = _("Thresholds are whole percentages from 1 to 1000, such as “80, 100”.")
CHANNEL_UNAVAILABLE = _("This channel is not set up for you yet.")

DISABLED_FIELDS = {
    Channel.TELEGRAM: "telegram_disabled",
    Channel.WHATSAPP: "whatsapp_disabled",
    Channel.EMAIL: "email_disabled",
}


def settings_for(*, user: User) -> NotificationSettings:
    """The person's settings, made with the defaults on first need."""
    found, _created = NotificationSettings.objects.get_or_create(user=user)
    return found


def settings_of(user: User) -> NotificationSettings:
    """The person's settings, made with the defaults if they have none."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found if found is not None else settings_for(user=user)


def settings_ensure_all() -> int:
    """Give everyone without settings the defaults, so schedules are one join away."""
    missing = User.objects.filter(notification_settings__isnull=True).values_list("pk", flat=True)
    made = NotificationSettings.objects.bulk_create(
        [NotificationSettings(user_id=pk) for pk in missing], ignore_conflicts=True
    )
    return len(made)


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


def contact_for(prefs: NotificationSettings) -> channels.Contact | None:
    """The chosen channel when it works, else the messenger linked last, else e-mail."""
    usable = reachable(prefs)
    chosen = [c for c in usable if c.channel == prefs.channel]
    if chosen:
        return chosen[0]
    return usable[0] if usable else None


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


def channel_disable(*, prefs: NotificationSettings, channel: str, reason: str) -> None:
    """A channel refused for good (bot blocked, address gone): not used again until the
    person sets it up anew."""
    field = DISABLED_FIELDS[Channel(channel)]
    NotificationSettings.objects.filter(pk=prefs.pk).update(**{field: reason[:300]})
    setattr(prefs, field, reason[:300])
    logger.info("notifications: %s turned off for user %s: %s", channel, prefs.user_id, reason)

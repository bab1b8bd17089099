from datetime import time

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    BUDGET_ALERT = "budget_alert", _("Budget alerts")
    DAILY_REMINDER = "daily_reminder", _("Daily reminder")
    MONTHLY_REPORT = "monthly_report", _("Monthly report")
    TOKEN_EXPIRY = "token_expiry", _("Bot token expiry")
    TEST = "test", _("Test message")
    RECURRING = "recurring", _("Regular payment recorded")


class Channel(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", _("E-mail")


def default_thresholds() -> list[int]:
    return [80, 100]


class NotificationSettings(models.Model):
    """What a person wants to hear from Kopilka, where and when (their local time).

    `channel` empty means the messenger linked last (Telegram or WhatsApp, from the
    messaging app's contacts), else e-mail.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notification_settings"
    )
    budget_alerts = models.BooleanField(_("budget alerts"), default=True)
    daily_reminder = models.BooleanField(_("daily reminder"), default=False)
    monthly_report = models.BooleanField(_("monthly report"), default=True)
    token_expiry = models.BooleanField(_("bot token expiry notices"), default=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    reminder_time = models.TimeField(_("daily reminder time"), default=time(21, 0))
    report_time = models.TimeField(_("monthly report time"), default=time(10, 0))
    thresholds = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("alert thresholds, percent"),
        default=default_thresholds,
    )
    # Set when a channel refused for good (bot blocked, address gone): it is not used
    # again until the person sets it up anew; the cabinet shows the reason.
    telegram_disabled = models.CharField(max_length=300, blank=True)
    whatsapp_disabled = models.CharField(max_length=300, blank=True)
    email_disabled = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "notification settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thresholds__len__gte=1),
                name="notifications_settings_thresholds_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}"


class Notification(models.Model):
    """One message Kopilka means to send, claimed by its key before it is sent.

    The key (user, kind, period, subject) is unique: whoever inserts it first sends it,
    and a retried job, a second worker or a second host finds it taken.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        RETRY = "retry", _("Will retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The day (YYYY-MM-DD) or month (YYYY-MM) the notification is about, in the user's zone.
    period = models.CharField(_("period"), max_length=10)
    # What within the period: "ledger:<id>:category:<id>:<threshold>", "token:<id>",
    # "occurrence:<id>" (a recurring rule's date), "" for none.
    subject = models.CharField(_("subject"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    error = models.CharField(_("why"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notifications_user_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period", "subject"],
                name="notifications_notification_unique_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.subject}".strip()

"""Messengers: who a chat belongs to, the codes that link it, the groups linked to a
ledger, and the dialogue.

Channel-neutral on purpose: Telegram fills `telegram_id`, WhatsApp (issue 10) fills
`whatsapp_id` and `phone`; conversations and messages only know a channel and a chat id.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Scope
from ledgers.models import Membership


class Channel(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    WHATSAPP = "whatsapp", "WhatsApp"


def all_scopes() -> list[str]:
    return list(Scope.values)


class UserContactQuerySet(models.QuerySet["UserContact"]):
    def active(self) -> "UserContactQuerySet":
        return self.filter(is_active=True)


class UserContact(models.Model):
    """A messenger account linked to a user by redeeming a one-time code."""

    class InactiveReason(models.TextChoices):
        UNLINKED = "unlinked", _("unlinked")
        BLOCKED = "blocked", _("the bot was blocked")
        RELINKED = "relinked", _("linked to another account")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="contacts", verbose_name=_("user")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    telegram_id = models.BigIntegerField(_("Telegram id"), null=True, blank=True)
    whatsapp_id = models.CharField(_("WhatsApp id"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The private chat the bot answers in (for Telegram the same number as telegram_id).
    chat_id = models.CharField(_("chat id"), max_length=64)
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    # What the replies are written in; blank: the user's own language.
    language = models.CharField(_("language"), max_length=2, blank=True)
    # What the link lets the chat do, as a bot token's scopes do.
    scopes = ArrayField(models.CharField(max_length=32, choices=Scope.choices), default=all_scopes)
    is_active = models.BooleanField(_("active"), default=True)
    inactive_reason = models.CharField(
        _("why inactive"), max_length=16, choices=InactiveReason.choices, blank=True
    )
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)
    unlinked_at = models.DateTimeField(_("unlinked"), null=True, blank=True)

    # The user's membership of their active ledger, read with the contact by
    # `services.contact_for_chat` (None when not read, or not a member of it).
    membership: "Membership | None" = None
    # Its private chat's conversation, read with it the same way (None: not read or none).
    conversation: "Conversation | None" = None

    objects = UserContactQuerySet.as_manager()

    class Meta:
        db_table = "user_contacts"
        ordering = ["-linked_at"]
        verbose_name = _("messenger contact")
        verbose_name_plural = _("messenger contacts")
        constraints = [
            # One messenger account belongs to one user at a time.
            models.UniqueConstraint(
                fields=["telegram_id"],
                condition=Q(is_active=True, telegram_id__isnull=False),
                name="messaging_usercontact_one_active_telegram",
            ),
            models.UniqueConstraint(
                fields=["whatsapp_id"],
                condition=Q(is_active=True) & ~Q(whatsapp_id=""),
                name="messaging_usercontact_one_active_whatsapp",
            ),
        ]
        indexes = [
            models.Index(fields=["channel", "chat_id"], name="messaging_contact_chat"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.display_name or self.chat_id}"


class LinkCode(models.Model):
    """A one-time linking code. Only its HMAC is stored; the code is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="link_codes")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        UserContact, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set: the code links a Telegram group to this ledger (`?startgroup=<code>`), not a
    # person's own chat; any of the ledger's managers may redeem it in the group.
    ledger = models.ForeignKey(
        "ledgers.Ledger", models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "channel"], name="messaging_linkcode_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class GroupLink(models.Model):
    """A Telegram group whose members' messages record into a ledger: one group per
    ledger, one ledger per group. The title is as Telegram last told it."""

    ledger = models.OneToOneField(
        "ledgers.Ledger", models.CASCADE, related_name="group_link", verbose_name=_("ledger")
    )
    chat_id = models.BigIntegerField(_("Telegram chat id"), unique=True)
    title = models.CharField(_("Telegram group"), max_length=255, blank=True)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("Telegram group")
        verbose_name_plural = _("Telegram groups")

    def __str__(self) -> str:
        return self.title or str(self.chat_id)


class LinkFailure(models.Model):
    """A wrong code sent from a chat: too many in a while and the chat is refused."""

    channel = models.CharField(max_length=16, choices=Channel.choices)
    chat_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["channel", "chat_id", "created_at"], name="messaging_linkfailure_chat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.chat_id} {self.created_at:%Y-%m-%d %H:%M}"


class Conversation(models.Model):
    """One per user, channel and chat."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="conversations",
        verbose_name=_("user"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    chat_id = models.CharField(_("chat id"), max_length=64)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)

    class Meta:
        db_table = "conversations"
        ordering = ["-last_activity_at"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "chat_id"], name="messaging_conversation_unique_chat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.chat_id}"


class Message(models.Model):
    """Every inbound and outbound message, with what Kopilka did about it."""

    class Direction(models.TextChoices):
        IN = "in", _("from the person")
        OUT = "out", _("from Kopilka")

    conversation = models.ForeignKey(
        Conversation, models.CASCADE, related_name="messages", verbose_name=_("conversation")
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    text = models.TextField(_("text"), blank=True)
    # The messenger's own id of the message (Telegram's message_id, a WhatsApp SID).
    external_id = models.CharField(_("message id"), max_length=64, blank=True)
    transaction = models.ForeignKey(
        "finance.Transaction",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transaction"),
    )
    action = models.CharField(_("action"), max_length=64, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        db_table = "messages"
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(
                fields=["conversation", "direction", "external_id"], name="messaging_message_ext"
            ),
            models.Index(fields=["conversation", "-created_at"], name="messaging_message_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.text[:40]}"


class InboundUpdate(models.Model):
    """A delivered update, claimed once: a redelivery of it has no second effect."""

    channel = models.CharField(max_length=16, choices=Channel.choices)
    update_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "update_id"], name="messaging_inboundupdate_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.update_id}"


class PollCursor(models.Model):
    """Where long polling resumes (Telegram's getUpdates offset), kept across restarts."""

    channel = models.CharField(max_length=16, choices=Channel.choices, unique=True)
    offset = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.channel} {self.offset}"

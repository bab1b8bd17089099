"""The inbox: updates claimed once, conversations and their messages, both sides.

Every message in and every reply out is a `Message` of the person's `Conversation` in
that chat, with what Kopilka did about it (the action, its result, the transaction);
what a later reply, edit or button press refers to is found here.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.models import User
from core import sql
from messaging.models import Conversation, InboundUpdate, Message, PollCursor

_CLAIM_SQL = """
INSERT INTO messaging_inboundupdate (channel, update_id, received_at)
VALUES (%s, %s, %s) ON CONFLICT (channel, update_id) DO NOTHING RETURNING id
"""


def update_claim(*, channel: str, update_id: str) -> bool:
    """Claim an update for handling: False when it was handled (or is being handled).

    Inside the caller's transaction a twin delivery waits on the unique index until
    the first commits, then finds the claim taken; if the first rolls back, the twin
    handles it instead.
    """
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [channel, update_id, timezone.now()])
        return cursor.fetchone() is not None


def poll_offset_save(*, channel: str, offset: int) -> None:
    PollCursor.objects.update_or_create(
        channel=channel, defaults={"offset": offset, "updated_at": timezone.now()}
    )


_TOUCH_SQL = """
INSERT INTO conversations AS c (user_id, channel, chat_id, started_at, last_activity_at)
VALUES (%(user)s, %(channel)s, %(chat)s, %(now)s, %(now)s)
ON CONFLICT (user_id, channel, chat_id) DO UPDATE SET last_activity_at = EXCLUDED.last_activity_at
RETURNING c.id, c.started_at
"""


# How fresh a conversation's last activity is kept: a chat busier than this is
# not written to on every message.
TOUCH_RESOLUTION = timedelta(minutes=1)


def conversation_touch(
    *, user: User, channel: str, chat_id: str, known: Conversation | None = None
) -> Conversation:
    """The user's conversation in this chat, made or marked active now (one upsert,
    written by hand: every message makes it, and the ORM's took 0.5 ms to compile).
    `known`: the conversation as read with the contact; active within the last minute,
    it is used as it is."""
    now = timezone.now()
    if (
        known is not None
        and (known.user_id, known.channel, known.chat_id) == (user.pk, channel, chat_id)
        and now - known.last_activity_at < TOUCH_RESOLUTION
    ):
        return known
    with connection.cursor() as cursor:
        cursor.execute(
            _TOUCH_SQL, {"user": user.pk, "channel": channel, "chat": chat_id, "now": now}
        )
        pk, started_at = cursor.fetchone()
    conversation = Conversation(
        pk=pk,
        user=user,
        channel=channel,
        chat_id=chat_id,
        started_at=started_at,
        last_activity_at=now,
    )
    conversation._state.adding, conversation._state.db = False, connection.alias
    return conversation


def messages_save(*, messages: list[Message]) -> list[Message]:
    sql.insert(messages)
    return messages


def message_sent(*, message_id: int, external_id: str) -> None:
    """A reply went out: keep the messenger's id of it, which replies to it will name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE messages SET external_id = %s WHERE id = %s", [external_id, message_id]
        )


def message_is_sent(*, message_id: int) -> bool:
    """Whether a reply has gone out already (its messenger's id is kept)."""
    return Message.objects.filter(pk=message_id).exclude(external_id="").exists()


@dataclass(frozen=True)
class Purged:
    messages: int
    updates: int


# Telegram redelivers an update for at most 24 hours; claims are kept a little longer.
CLAIM_RETENTION = timedelta(days=2)


def messages_purge(*, days: int | None = None) -> Purged:
    """Forget messages past the retention period, the claims of their updates, and the
    conversations left empty."""
    days = settings.MESSAGES_RETENTION_DAYS if days is None else days
    now = timezone.now()
    messages, _kinds = Message.objects.filter(created_at__lt=now - timedelta(days=days)).delete()
    updates, _kinds = InboundUpdate.objects.filter(
        received_at__lt=now - max(CLAIM_RETENTION, timedelta(days=days))
    ).delete()
    Conversation.objects.filter(messages__isnull=True).filter(
        last_activity_at__lt=now - timedelta(days=days)
    ).delete()
    return Purged(messages=messages, updates=updates)


# Reads: the history, and what a chat's reply, edit or button refers to

HISTORY_MESSAGES = 50
# A message Kopilka started about what it recorded by itself (a recurring rule's date).
RECORDED_NOTICE = "notify_recorded"
# The replies that recorded a transaction, which "undo" and "category" refer to.
CREATE_ACTIONS = (
    "create_expense",
    "create_income",
    "record_bank_messages",
    "record_separately",
    RECORDED_NOTICE,
)


@dataclass(frozen=True)
class ConversationHistory:
    conversation: Conversation
    messages: list[Message]


def history(*, user: User, limit: int = HISTORY_MESSAGES) -> list[ConversationHistory]:
    """The user's conversations, latest first, each with its last `limit` messages."""
    recent = Message.objects.select_related("transaction__category").order_by("-created_at", "-pk")
    conversations = Conversation.objects.filter(user=user).prefetch_related(
        Prefetch("messages", queryset=recent, to_attr="recent")
    )
    return [
        ConversationHistory(c, list(reversed(c.recent[:limit])))
        for c in conversations.order_by("-last_activity_at")
    ]


def confirmed_transaction(*, conversation: Conversation, external_id: str) -> int | None:
    """The transaction a bot message (by its messenger id) confirmed."""
    return (
        Message.objects.filter(
            conversation=conversation,
            direction=Message.Direction.OUT,
            external_id=external_id,
            transaction__isnull=False,
        )
        .values_list("transaction_id", flat=True)
        .first()
    )


def recording_message(*, conversation: Conversation, external_id: str) -> Message | None:
    """The person's message (by its messenger id) that recorded one or more transactions."""
    return (
        Message.objects.filter(
            conversation=conversation, direction=Message.Direction.IN, external_id=external_id
        )
        .filter(Q(transaction__isnull=False) | Q(result__has_key="transactions"))
        .order_by("-created_at", "-pk")
        .first()
    )


def last_confirmation(*, conversation: Conversation, transaction_id: int) -> dict[str, Any] | None:
    """The transaction as the chat last showed it (an action's result, as stored)."""
    result: dict[str, Any] | None = (
        Message.objects.filter(
            conversation=conversation, transaction_id=transaction_id, result__has_key="kind"
        )
        .order_by("-created_at", "-pk")
        .values_list("result", flat=True)
        .first()
    )
    return result


def last_recorded(*, conversation: Conversation) -> int | None:
    """The last transaction recorded from this chat that still exists."""
    return (
        Message.objects.filter(
            conversation=conversation,
            direction=Message.Direction.OUT,
            action__in=CREATE_ACTIONS,
            transaction__isnull=False,
        )
        .order_by("-created_at", "-pk")
        .values_list("transaction_id", flat=True)
        .first()
    )


def last_reply(*, conversation: Conversation) -> tuple[str, int | None] | None:
    """The action and the transaction of the chat's last reply, if it has one."""
    return (
        Message.objects.filter(conversation=conversation, direction=Message.Direction.OUT)
        .order_by("-created_at", "-pk")
        .values_list("action", "transaction_id")
        .first()
    )


def reply_result(*, conversation: Conversation, external_id: str) -> dict[str, Any] | None:
    """The action's result a bot message (by its messenger id) showed."""
    if not external_id:
        return None
    result: dict[str, Any] | None = (
        Message.objects.filter(
            conversation=conversation, direction=Message.Direction.OUT, external_id=external_id
        )
        .values_list("result", flat=True)
        .first()
    )
    return result


def last_result(*, conversation: Conversation, action: str) -> dict[str, Any] | None:
    """The result of the chat's last reply of `action` that listed items (notifications)."""
    result: dict[str, Any] | None = (
        Message.objects.filter(
            conversation=conversation,
            direction=Message.Direction.OUT,
            action=action,
            result__has_key="items",
        )
        .order_by("-created_at", "-pk")
        .values_list("result", flat=True)
        .first()
    )
    return result


def bot_message_owner(*, channel: str, chat_id: str, external_id: str) -> int | None:
    """Whose conversation a bot message of a chat belongs to (in a group, the person a
    confirmation was for)."""
    if not external_id:
        return None
    return (
        Message.objects.filter(
            conversation__channel=channel,
            conversation__chat_id=chat_id,
            direction=Message.Direction.OUT,
            external_id=external_id,
        )
        .values_list("conversation__user_id", flat=True)
        .first()
    )

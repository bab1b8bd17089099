"""Reads of the messengers: a user's links and their dialogue."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q

from accounts.models import User
from messaging.models import Conversation, Message, UserContact

HISTORY_MESSAGES = 50


def contact_list(*, user: User) -> list[UserContact]:
    return list(UserContact.objects.filter(user=user, is_active=True).order_by("-linked_at"))


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


# What a chat's reply, edit or button refers to.

CREATE_ACTIONS = ("create_expense", "create_income")


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
    """The transaction as the chat last showed it (an action's result)."""
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

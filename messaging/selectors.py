"""Reads of the messengers: a user's links and their dialogue."""

from dataclasses import dataclass

from django.db.models import Prefetch

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

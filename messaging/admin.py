"""The messengers in the admin, read-only: the links, what people wrote and what
Kopilka did."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from messaging.models import Conversation, GroupLink, Message, UserContact


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UserContact)
class UserContactAdmin(ReadOnlyAdmin):
    list_display = ["user", "channel", "display_name", "chat_id", "is_active", "linked_at"]
    list_filter = ["channel", "is_active", "inactive_reason"]
    search_fields = ["user__username", "display_name", "chat_id"]


@admin.register(GroupLink)
class GroupLinkAdmin(ReadOnlyAdmin):
    list_display = ["ledger", "title", "chat_id", "linked_at"]
    search_fields = ["ledger__name", "title"]
    list_select_related = ["ledger"]


class MessageInline(admin.TabularInline[Message, Conversation]):
    model = Message
    fields = ("created_at", "direction", "text", "action", "transaction", "external_id")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ["user", "channel", "chat_id", "started_at", "last_activity_at"]
    list_filter = ["channel"]
    search_fields = ["user__username", "chat_id"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "conversation", "direction", "text", "action", "transaction"]
    list_filter = ["direction", "action", "conversation__channel"]
    search_fields = ["text", "conversation__user__username"]
    list_select_related = ["conversation__user", "transaction"]

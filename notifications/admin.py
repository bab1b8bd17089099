from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Notification, NotificationSettings


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Rows the queue writes: operators read them, nobody edits them by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "period", "channel", "status", "error"]
    list_filter = ["kind", "status", "channel"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "channel",
        "budget_alerts",
        "daily_reminder",
        "monthly_report",
        "token_expiry",
        "telegram_disabled",
        "whatsapp_disabled",
        "email_disabled",
    ]
    list_select_related = ["user"]
    search_fields = ["user__username"]

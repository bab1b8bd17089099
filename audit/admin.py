from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin[AuditLog]):
    """Read-only: audit history must not change."""

    list_display = [
        "created_at",
        "source",
        "action",
        "user",
        "status_code",
        "error_code",
        "client_ip",
        "request_id",
    ]
    list_filter = ["source", "action", "status_code", "error_code"]
    search_fields = ["user__username", "request_id", "idempotency_key", "object_id", "action"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

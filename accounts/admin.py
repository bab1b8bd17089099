from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from accounts import services
from accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ["username", "email", "language", "default_currency", "is_staff", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Kopilka", {"fields": ("default_currency", "timezone", "language")}),
    )

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            services.user_setup(user=obj, source="admin", actor=cast(User, request.user))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are issued from the cabinet or `manage.py create_bot_token`; here they are
    looked at and revoked."""

    list_display = [
        "name",
        "user",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in ApiToken._meta.fields if f.name != "token_hash"]
    exclude = ["token_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, source="admin", actor=cast(User, request.user))
        messages.success(request, "Revoked.")

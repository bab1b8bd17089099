from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from accounts import services
from accounts.models import ApiToken, User

SETTINGS = {"default_currency", "timezone", "language"}


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
        operator = cast(User, request.user)
        if not change:
            super().save_model(request, obj, form, change)
            services.user_setup(user=obj, source="admin", actor=operator)
            return
        wanted = {name: getattr(obj, name) for name in SETTINGS}
        if not SETTINGS & set(form.changed_data):
            super().save_model(request, obj, form, change)
            return
        # The settings change through their service (audit row, categories renamed into
        # a new language); everything else the way Django's admin saves it.
        original = User.objects.get(pk=obj.pk)
        for name in SETTINGS:
            setattr(obj, name, getattr(original, name))
        super().save_model(request, obj, form, change)
        services.user_update_settings(
            user=obj,
            default_currency=wanted["default_currency"],
            timezone_name=wanted["timezone"],
            language=wanted["language"],
            source="admin",
            actor=operator,
        )


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
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            services.api_token_revoke(token=token, source="admin", actor=cast(User, request.user))
        messages.success(request, "Revoked.")

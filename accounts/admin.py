import copy
from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.token_blacklist import admin as token_blacklist_admin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts import services
from accounts.models import ApiToken, User

SETTINGS = {"default_currency", "timezone", "language"}
ACCESS = ["is_active", "is_staff", "is_superuser"]

# Groups and per-user permissions are not used (staff are superusers), and the JWT
# blacklist is written by log-outs only: offering their edit forms would be writes
# without an audit row.
admin.site.unregister(Group)
assert token_blacklist_admin  # imported first, so that its registration can be undone
admin.site.unregister(BlacklistedToken)


if TYPE_CHECKING:
    PasswordForm = AdminPasswordChangeForm[User]
else:
    PasswordForm = AdminPasswordChangeForm  # generic only in the stubs


def _password_form(operator: User) -> type[PasswordForm]:
    class AuditedPasswordChangeForm(PasswordForm):
        """Saves through the service, so the operator's change has an audit row."""

        def save(self, commit: bool = True) -> Any:
            usable = self.cleaned_data["set_usable_password"]
            return services.user_set_password(
                user=self.user,
                password=self.cleaned_data["password1"] if usable else None,
                source="admin",
                actor=operator,
            )

    return AuditedPasswordChangeForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    """Operators open or close access and change a person's settings, each through its
    service (an audit row with the operator as actor); users are never deleted here
    (closing access is `is_active`), and their names and e-mail are theirs to edit."""

    list_display = ["username", "email", "language", "default_currency", "is_staff", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": tuple(ACCESS)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        ("Kopilka", {"fields": ("default_currency", "timezone", "language")}),
    )
    readonly_fields = ["username", "first_name", "last_name", "email", "last_login", "date_joined"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []  # the add form stays writable

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # A copy for this request, so that concurrent requests never share the operator.
        admin_for_request = copy.copy(self)
        admin_for_request.change_password_form = _password_form(cast(User, request.user))
        return DjangoUserAdmin.user_change_password(admin_for_request, request, id, form_url)

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        operator = cast(User, request.user)
        if not change:
            usable = form.cleaned_data.get("set_usable_password", True)
            user = services.user_create(
                username=obj.username,
                password=form.cleaned_data["password1"] if usable else None,
                source="admin",
                actor=operator,
            )
            # The admin goes on with `obj` (its history entry, the redirect to the new row).
            obj.pk, obj._state.adding, obj._state.db = user.pk, False, user._state.db
            return
        # Nothing is saved the way Django's admin would: each change through its service.
        user = User.objects.get(pk=obj.pk)
        if set(ACCESS) & set(form.changed_data):
            services.user_set_access(
                user=user,
                is_active=obj.is_active,
                is_staff=obj.is_staff,
                is_superuser=obj.is_superuser,
                source="admin",
                actor=operator,
            )
        if SETTINGS & set(form.changed_data):
            # The settings' service renames default categories into a new language.
            services.user_update_settings(
                user=user,
                default_currency=obj.default_currency,
                timezone_name=obj.timezone,
                language=obj.language,
                source="admin",
                actor=operator,
            )

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        if not change:
            super().save_related(request, form, formsets, change)


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

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoking keeps the token's history; deleting would lose it unaudited

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            services.api_token_revoke(token=token, source="admin", actor=cast(User, request.user))
        messages.success(request, "Revoked.")

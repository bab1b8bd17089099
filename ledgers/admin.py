from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ledgers.models import Invite, Ledger, Membership

# Read-only: who belongs to a ledger changes through its members' own pages, where
# every change is checked (the last owner stays) and audited.


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(ReadOnly, admin.TabularInline[Membership, Ledger]):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["user", "role", "created_at"]


@admin.register(Ledger)
class LedgerAdmin(ReadOnly, admin.ModelAdmin[Ledger]):
    list_display = ["name", "owner", "default_currency", "personal_for", "created_at"]
    search_fields = ["name", "owner__username", "members__user__username"]
    list_select_related = ["owner", "personal_for"]
    inlines = [MembershipInline]


@admin.register(Invite)
class InviteAdmin(ReadOnly, admin.ModelAdmin[Invite]):
    list_display = ["ledger", "role", "created_by", "created_at", "expires_at", "used_by"]
    list_select_related = ["ledger", "created_by", "used_by"]
    exclude = ["code_hash"]

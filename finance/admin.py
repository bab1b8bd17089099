from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from accounts.models import User
from core import money
from finance.models import (
    BudgetItem,
    Category,
    CategoryAlias,
    ExchangeRate,
    Receipt,
    ReceiptItem,
    Transaction,
)
from finance.rules import check_category, normalize_amount
from finance.services.budget import budget_item_delete, budget_item_set
from finance.services.categories import category_update, check_archivable, check_category_name_free
from finance.services.transactions import transaction_delete, transaction_update

# Every write made here goes through the services, like any other interface:
# validated, normalised and audited with source "admin" and the operator as actor.
# The forms run the services' own checks in clean(), so a refused value is shown
# on the form instead of failing in save_model().


def _clean_money(
    form: forms.ModelForm[Any], cleaned: dict[str, Any], field: str, allow_zero: bool = False
) -> None:
    """The currency and the amount in `field`, as the services will check them."""
    if cleaned.get("currency"):
        try:
            cleaned["currency"] = money.normalize_code(cleaned["currency"])
        except ValidationError as e:
            form.add_error("currency", e)
    if cleaned.get(field) is not None and cleaned.get("currency"):
        try:
            normalize_amount(cleaned[field], cleaned["currency"], allow_zero=allow_zero)
        except ValidationError as e:
            form.add_error(field, e)


class CategoryAliasInline(admin.TabularInline[CategoryAlias, Category]):
    model = CategoryAlias
    extra = 0
    fields = ["word", "source", "created_at"]
    readonly_fields = ["word", "source", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keywords are edited by their owner in the cabinet


class CategoryAdminForm(forms.ModelForm[Category]):
    class Meta:
        model = Category
        fields = ["name", "is_archived"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        category = self.instance
        if cleaned.get("name") and "name" in self.changed_data:
            try:
                check_category_name_free(
                    ledger_id=category.ledger_id,
                    kind=category.kind,
                    name=cleaned["name"],
                    exclude_pk=category.pk,
                )
            except ValidationError as e:
                self.add_error("name", e)
        if cleaned.get("is_archived") and "is_archived" in self.changed_data:
            try:
                check_archivable(category)
            except ValidationError as e:
                self.add_error("is_archived", e)
        return cleaned


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    form = CategoryAdminForm
    list_display = ["name", "slug", "kind", "ledger", "is_archived"]
    list_filter = ["kind", "is_archived"]
    search_fields = ["name", "slug", "ledger__name", "aliases__word"]
    list_select_related = ["ledger"]
    fields = ["ledger", "kind", "slug", "name", "is_archived", "created_at"]
    readonly_fields = ["ledger", "kind", "slug", "created_at"]
    inlines = [CategoryAliasInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # categories belong to their ledgers: members add them in the cabinet

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archiving (audited) keeps the transactions that name it

    def save_model(
        self, request: HttpRequest, obj: Category, form: ModelForm[Any], change: bool
    ) -> None:
        category_update(
            category=Category.objects.get(pk=obj.pk),
            user=None,
            name=obj.name if "name" in form.changed_data else None,
            archived=obj.is_archived if "is_archived" in form.changed_data else None,
            source="admin",
            actor=cast(User, request.user),
        )


class TransactionAdminForm(forms.ModelForm[Transaction]):
    class Meta:
        model = Transaction
        fields = ["amount", "currency", "category", "date", "note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tx = self.instance
        if cleaned.get("category") and "category" in self.changed_data:
            try:
                check_category(ledger_id=tx.ledger_id, category=cleaned["category"], kind=tx.kind)
            except ValidationError as e:
                self.add_error("category", e)
        _clean_money(self, cleaned, "amount")
        return cleaned


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin[Transaction]):
    form = TransactionAdminForm
    list_display = [
        "date",
        "ledger",
        "created_by",
        "kind",
        "amount",
        "currency",
        "category",
        "note",
        "source",
    ]
    list_filter = ["kind", "source", "currency", "date"]
    search_fields = ["note", "text", "created_by__username", "ledger__name", "category__name"]
    date_hierarchy = "date"
    list_select_related = ["ledger", "created_by", "category"]
    raw_id_fields = ["category"]
    readonly_fields = ["ledger", "created_by", "paid_by", "kind", "text", "source", "created_at"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a transaction is recorded by its owner, never on their behalf

    def save_model(
        self, request: HttpRequest, obj: Transaction, form: ModelForm[Any], change: bool
    ) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        transaction_update(
            tx=Transaction.objects.select_related("created_by", "category").get(pk=obj.pk),
            user=None,
            source="admin",
            actor=cast(User, request.user),
            **changes,
        )

    def delete_model(self, request: HttpRequest, obj: Transaction) -> None:
        transaction_delete(tx=obj, user=None, source="admin", actor=cast(User, request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Transaction]) -> None:
        for tx in queryset.select_related("created_by", "category"):
            self.delete_model(request, tx)


class BudgetItemAdminForm(forms.ModelForm[BudgetItem]):
    class Meta:
        model = BudgetItem
        fields = ["planned_amount", "currency"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _clean_money(self, cleaned, "planned_amount", allow_zero=True)
        item = self.instance
        try:
            check_category(
                ledger_id=item.ledger_id, category=item.category, kind=item.category.kind
            )
        except ValidationError as e:
            self.add_error(None, e)  # an archived category's plan is no longer edited
        return cleaned


@admin.register(BudgetItem)
class BudgetItemAdmin(admin.ModelAdmin[BudgetItem]):
    form = BudgetItemAdminForm
    list_display = ["month", "ledger", "category", "planned_amount", "currency", "updated_at"]
    list_filter = ["month", "currency"]
    search_fields = ["ledger__name", "category__name"]
    list_select_related = ["ledger", "category"]
    fields = ["ledger", "month", "category", "planned_amount", "currency", "updated_at"]
    readonly_fields = ["ledger", "month", "category", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: BudgetItem, form: ModelForm[Any], change: bool
    ) -> None:
        budget_item_set(
            user=None,
            ledger=obj.ledger,
            month=obj.month,
            category=obj.category,
            planned_amount=obj.planned_amount,
            currency=obj.currency,
            source="admin",
            actor=cast(User, request.user),
        )

    def delete_model(self, request: HttpRequest, obj: BudgetItem) -> None:
        budget_item_delete(item=obj, user=None, source="admin", actor=cast(User, request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BudgetItem]) -> None:
        for item in queryset.select_related("ledger", "category"):
            self.delete_model(request, item)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin[ExchangeRate]):
    """Read-only: rates are history that summaries depend on; fetch_rates and import_rates
    load them."""

    list_display = ["date", "base", "quote", "rate", "source", "imported_at"]
    list_filter = ["source", "base", "quote"]
    search_fields = ["base", "quote"]
    date_hierarchy = "date"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReceiptItemInline(admin.TabularInline[ReceiptItem, Receipt]):
    model = ReceiptItem
    fields = readonly_fields = ("position", "name", "price", "quantity", "amount")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin[Receipt]):
    """Read-only: a receipt is what its QR code said and what the checking service gave."""

    list_display = ["issued_on", "ledger", "total", "n", "seller", "fn", "i", "fp"]
    list_filter = ["n", "issued_on"]
    search_fields = ["fn", "seller", "ledger__name"]
    list_select_related = ["ledger"]
    inlines = [ReceiptItemInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # undoing its transaction forgets it

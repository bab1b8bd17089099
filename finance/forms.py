"""Cabinet input for the money domain. Forms validate; the views call the services."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import money
from finance import error_fields
from finance.households.forms import add_split_fields, is_split_field, split_request
from finance.models import CATEGORY_KINDS, Category, Kind, Transaction
from finance.months import parse_month
from finance.readers.receipts import MAX_IMAGE_BYTES
from finance.rules import normalize_amount
from finance.selectors.budget import BudgetRow
from finance.selectors.splits import default_split, split_view
from finance.services.splits import SplitRequest
from ledgers.models import Ledger

KIND_CHOICES = Kind.choices
SOURCE_CHOICES = Transaction.Source.choices


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: beside its field when the form has one."""
    pairs: list[tuple[str | None, ValidationError]]
    if hasattr(error, "error_dict"):
        pairs = [(field, e) for field, items in error.error_dict.items() for e in items]
    else:
        pairs = [(error_fields.field_for(e.code), e) for e in error.error_list]
    for field, e in pairs:
        form.add_error(field if field in form.fields else None, e)


def split_aliases(value: str) -> list[str]:
    """'кофе, латте\\nкапучино' -> ['кофе', 'латте', 'капучино']."""
    return [w.strip() for w in value.replace("\n", ",").split(",") if w.strip()]


def amount_field(
    label: str | Any, *, allow_zero: bool = False, required: bool = True
) -> forms.DecimalField:
    # A text box with a decimal keypad: type="number" refuses "250,50" in some browsers,
    # and localize=True accepts the comma Russian speakers type.
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0) if allow_zero else Decimal("0.01"),
        localize=True,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class CategoryChoiceField(forms.ModelChoiceField[Category]):
    def label_from_instance(self, obj: Category) -> str:
        return obj.name


def _grouped(categories: Iterable[Category]) -> list[tuple[str, list[tuple[int, str]]]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    for category in categories:
        groups.setdefault(str(Kind(category.kind).label), []).append((category.pk, category.name))
    return list(groups.items())


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TransactionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, initial=Kind.EXPENSE, widget=forms.RadioSelect
    )
    amount = amount_field(_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"))
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none())
    date = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, user: User, ledger: Ledger, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = Category.objects.for_ledger(ledger).active().order_by("kind", "name")
        field = self.fields["category"]
        assert isinstance(field, CategoryChoiceField)
        field.queryset = categories
        field.choices = [("", "—"), *_grouped(categories)]
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = currency_choices(ledger.default_currency)
        currency.initial = ledger.default_currency
        self.fields["date"].initial = user.today()
        if ledger.personal_for_id is None:  # a shared ledger's expense is split
            add_split_fields(self, people=default_split(ledger=ledger))

    def split(self) -> "SplitRequest | None":
        """The split asked for (None: the ledger's default), for transaction_create."""
        return split_request(self)


class EditTransactionForm(forms.Form):
    amount = amount_field(_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"))
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none())
    date = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, tx: Transaction, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "amount": tx.amount,
                "currency": tx.currency,
                "category": tx.category_id,
                "date": tx.date,
                "note": tx.note,
            },
        )
        super().__init__(*args, **kwargs)
        # Same kind only (a refund's: expense); the current category stays choosable even
        # once archived.
        kind = Kind(tx.kind).category_kind
        categories = Category.objects.filter(ledger_id=tx.ledger_id, kind=kind).filter(
            is_archived=False
        ) | Category.objects.filter(pk=tx.category_id)
        field = self.fields["category"]
        assert isinstance(field, CategoryChoiceField)
        field.queryset = categories.order_by("name")
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = currency_choices(tx.ledger.default_currency, also=tx.currency)
        if tx.ledger.personal_for_id is None and tx.kind == Kind.EXPENSE:
            people = default_split(ledger=tx.ledger)
            add_split_fields(self, people=people, current=split_view(tx), editing=True)

    def changes(self) -> dict[str, Any]:
        """Only what the person changed, as keyword arguments of transaction_update."""
        changes = {
            name: self.cleaned_data[name] for name in self.changed_data if not is_split_field(name)
        }
        split = split_request(self)
        if split is not None:
            changes["split"] = split
        return changes


class TextEntryForm(forms.Form):
    text = forms.CharField(
        label=_("What happened?"),
        max_length=500,
        help_text=_("As you would tell the bot: “кофе 250”, “taxi 12.5$ yesterday”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, initial=Kind.EXPENSE, widget=forms.RadioSelect
    )


class BankMessagesForm(forms.Form):
    text = forms.CharField(
        label=_("Notifications"),
        max_length=20_000,
        help_text=_("Paste one or several of your bank's SMS or pushes as they came."),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )
    # "Record as an expense" under a transfer to a person sends its text again with this.
    record_transfers = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReceiptForm(forms.Form):
    """A receipt by its QR code: a photo (on a phone, the camera) or the code's text."""

    photo = forms.FileField(
        label=_("Photo of the receipt"),
        required=False,
        help_text=_("With its QR code in the frame, flat and in good light."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    qr = forms.CharField(
        label=_("Or the text of its QR code"),
        max_length=500,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "t=20261124T1305&s=1250.00&fn=…"}
        ),
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("By the note, else Other"),
    )
    text = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, ledger: Ledger, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, CategoryChoiceField)
        field.queryset = (
            Category.objects.for_ledger(ledger).active().filter(kind=Kind.EXPENSE).order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("photo") and not cleaned.get("qr"):
            raise ValidationError(
                _("Choose a photo of the receipt or type its QR code's text."), code="required"
            )
        photo = cleaned.get("photo")
        if photo is not None and photo.size is not None and photo.size > MAX_IMAGE_BYTES:
            self.add_error("photo", _("The photo is larger than 5 MB: send a smaller one."))
        return cleaned


def currency_choices(default: str, also: str = "") -> list[tuple[str, str]]:
    # The ledger's currency and the common ones first, then those in use today (a record
    # already in a withdrawn one keeps it).
    return [(c, c) for c in money.choice_codes([default, *money.COMMON, also])]


class TransactionFilterForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *KIND_CHOICES], required=False
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All")), *SOURCE_CHOICES], required=False
    )
    paid_by = forms.ModelChoiceField(
        label=_("Paid by"), queryset=User.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, ledger: Ledger, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, CategoryChoiceField)
        field.queryset = Category.objects.for_ledger(ledger).order_by("kind", "name")
        payers = User.objects.filter(memberships__ledger=ledger)
        if payers.count() > 1:
            paid_by = self.fields["paid_by"]
            assert isinstance(paid_by, forms.ModelChoiceField)
            paid_by.queryset = payers.order_by("username")
        else:
            del self.fields["paid_by"]  # a ledger of one shows nothing extra

    def clean_month(self) -> date | None:
        value = self.cleaned_data["month"]
        return parse_month(value) if value else None


class BudgetForm(forms.Form):
    """One amount per category: this month's plan, edited in place on the budget page."""

    def __init__(self, *args: Any, rows: list[BudgetRow], currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.currency = currency
        for row in rows:
            field = amount_field(row.category.name, allow_zero=True, required=False)
            field.initial = row.item.planned_amount if row.item else None
            self.fields[self.field_name(row.category)] = field

    def lines(self) -> list[tuple[BudgetRow, forms.BoundField]]:
        return [(row, self[self.field_name(row.category)]) for row in self.rows]

    @staticmethod
    def field_name(category: Category) -> str:
        return f"plan_{category.pk}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The service's own precision check (JPY has no cents), shown beside the row.
        for row in self.rows:
            name = self.field_name(row.category)
            if cleaned.get(name) is not None:
                currency = row.item.currency if row.item else self.currency
                try:
                    normalize_amount(cleaned[name], currency, allow_zero=True)
                except ValidationError as e:
                    self.add_error(name, e)
        return cleaned

    def plans(self) -> dict[Category, Decimal | None]:
        """Each category's plan as typed (None: left empty), for budget_month_update."""
        return {
            row.category: self.cleaned_data.get(self.field_name(row.category)) for row in self.rows
        }


class MonthForm(forms.Form):
    month = forms.CharField()

    def clean_month(self) -> date:
        return parse_month(self.cleaned_data["month"])


class CategoryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CATEGORY_KINDS, initial=Kind.EXPENSE, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    aliases = forms.CharField(
        label=_("Keywords"),
        required=False,
        help_text=_("Comma-separated words that file an entry here, for example “кофе, latte”."),
    )


class EditCategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    aliases = forms.CharField(
        label=_("Keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Comma-separated. The bot files an entry containing one of them here."),
    )

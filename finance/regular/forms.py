"""The Regular payments page's input: a rule in words, or its fields."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from finance.forms import (
    CategoryChoiceField,
    DateInput,
    _grouped,
    amount_field,
    currency_choices,
)
from finance.models import Category, Kind, RecurringRule
from finance.schedules import LAST_DAY
from finance.services.recurring import When
from ledgers.models import Ledger

FREQUENCY_CHOICES = RecurringRule.Frequency.choices
WEEKDAY_CHOICES = [
    ("", "—"),
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
DAY_CHOICES = [("", "—"), *((str(d), str(d)) for d in range(1, 32)), (str(LAST_DAY), _("last"))]


class RecurringTextForm(forms.Form):
    text = forms.CharField(
        label=_("How often, what and how much"),
        max_length=500,
        help_text=_(
            "As you would tell the bot: “каждый месяц 1-го аренда 45000”, “every friday piano 40”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class MemberChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class RecurringForm(forms.Form):
    """A rule's fields; `rule` given, its kind stays and its values are the initial ones."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=Kind.choices, initial=Kind.EXPENSE, widget=forms.RadioSelect
    )
    amount = amount_field(_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"))
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none())
    # A box that wraps: a rule's note ("Аренда квартиры на Большой Пироговской") is
    # read whole on a phone, not cut.
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    paid_by = MemberChoiceField(label=_("Paid by"), queryset=User.objects.none())
    frequency = forms.ChoiceField(
        label=_("How often"), choices=FREQUENCY_CHOICES, initial=RecurringRule.Frequency.MONTHLY
    )
    interval = forms.IntegerField(label=_("Every"), min_value=1, max_value=1000, initial=1)
    day = forms.TypedChoiceField(
        label=_("Day of the month"),
        choices=DAY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Monthly: the 29th-31st fall on the last day of a shorter month."),
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=WEEKDAY_CHOICES, coerce=int, empty_value=None, required=False
    )
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("Until"), widget=DateInput(), required=False)
    count = forms.IntegerField(
        label=_("Times in all"), min_value=1, max_value=10000, required=False
    )

    def __init__(
        self,
        *args: Any,
        user: User,
        ledger: Ledger,
        rule: RecurringRule | None = None,
        **kwargs: Any,
    ) -> None:
        if rule is not None:
            kwargs.setdefault("initial", _initial(rule))
        super().__init__(*args, **kwargs)
        categories = Category.objects.for_ledger(ledger).active()
        if rule is not None:
            del self.fields["kind"]
            categories = categories.filter(kind=rule.kind) | Category.objects.filter(
                pk=rule.category_id
            )
        categories = categories.order_by("kind", "name")
        field = self.fields["category"]
        assert isinstance(field, CategoryChoiceField)
        field.queryset = categories
        field.choices = [("", "—"), *_grouped(categories)]
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = currency_choices(ledger.default_currency, rule.currency if rule else "")
        currency.initial = ledger.default_currency
        members = User.objects.filter(memberships__ledger=ledger).order_by("username")
        payer = self.fields["paid_by"]
        assert isinstance(payer, MemberChoiceField)
        payer.queryset = members
        payer.initial = user.pk
        if members.count() < 2:
            payer.widget = forms.HiddenInput()
        self.fields["start_date"].initial = user.today()

    def when(self) -> When:
        data = self.cleaned_data
        return When(
            frequency=data["frequency"],
            interval=data["interval"],
            day=data["day"],
            weekday=data["weekday"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            count=data["count"],
        )


def _initial(rule: RecurringRule) -> dict[str, Any]:
    return {
        "amount": rule.amount,
        "currency": rule.currency,
        "category": rule.category_id,
        "note": rule.note,
        "paid_by": rule.paid_by_id,
        "frequency": rule.frequency,
        "interval": rule.interval,
        "day": rule.day,
        "weekday": rule.weekday,
        "start_date": rule.start_date,
        "end_date": rule.end_date,
        "count": rule.count,
    }


def changes(form: RecurringForm) -> dict[str, Any]:
    """What the person changed, as keyword arguments of recurring_update."""
    return {name: form.cleaned_data[name] for name in form.changed_data}

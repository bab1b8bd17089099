"""Cabinet input about ledgers; the services check and save."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import money
from ledgers.models import Ledger, Membership
from ledgers.services import INVITABLE_ROLES


class LedgerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    default_currency = forms.ChoiceField(label=_("Currency"))

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["default_currency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c, c) for c in money.choice_codes([currency, *money.COMMON])]
        field.initial = currency


class SwitchForm(forms.Form):
    ledger = forms.ModelChoiceField(label=_("Ledger"), queryset=Ledger.objects.none())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ledger"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Ledger.objects.filter(members__user=user)


class InviteForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(r.value, r.label) for r in INVITABLE_ROLES],
        initial=Membership.Role.MEMBER,
    )


class TransferForm(forms.Form):
    to = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none())

    def __init__(self, *args: Any, members: "QuerySet[User]", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = members


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Invitation code"), max_length=100)

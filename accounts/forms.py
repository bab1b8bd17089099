"""Cabinet input for accounts. Forms validate; the views call the services to write."""

import zoneinfo
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Scope, User
from core import money
from ledgers.models import Ledger

# Scopes as a person reads them: what an assistant holding the token may do.
SCOPE_HELP = {
    Scope.EXPENSES_WRITE: _("The assistant can record your expenses and delete them."),
    Scope.INCOMES_WRITE: _("The assistant can record your incomes and delete them."),
    Scope.BUDGETS_WRITE: _("The assistant can set how much you plan to spend per category."),
    Scope.SUMMARIES_READ: _("The assistant can read your month's totals and your categories."),
}
EXPIRY_CHOICES = [
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In a year")),
    ("never", _("Never")),
]


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    # Region/City names only: the legacy aliases (EST5EDT, Etc/GMT+3) confuse more than help.
    names = sorted(
        z
        for z in zoneinfo.available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    return [(z, z.replace("_", " ")) for z in names]


def currency_choices() -> list[tuple[str, str]]:
    language = get_language() or "en"
    return [(code, f"{code} — {money.name(code, language)}") for code in money.all_codes()]


class PreferencesMixin(forms.Form):
    default_currency = forms.ChoiceField(label=_("Default currency"), choices=currency_choices)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)


class SignupForm(PreferencesMixin, UserCreationForm[User]):
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("Only for resetting a forgotten password.")
    )

    class Meta:
        model = User
        fields = ["username", "email"]
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The browser's language (LocaleMiddleware's pick) is the best first guess.
        language = get_language() or "ru"
        self.fields["language"].initial = "en" if language.startswith("en") else "ru"
        self.fields["default_currency"].initial = "USD" if language.startswith("en") else "RUB"
        self.fields["timezone"].initial = "Europe/Moscow"
        self.fields["username"].widget.attrs.pop("autofocus", None)


class SettingsForm(PreferencesMixin):
    pass


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who will use it, for example “clawd.bot on my laptop”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=[(scope.value, SCOPE_HELP[scope]) for scope in Scope],
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.EXPENSES_WRITE, Scope.INCOMES_WRITE, Scope.SUMMARIES_READ],
    )
    expires = forms.ChoiceField(label=_("Expires"), choices=EXPIRY_CHOICES, initial="90")
    ledger = forms.ModelChoiceField(
        label=_("Ledger"),
        queryset=Ledger.objects.none(),
        help_text=_("The books the token records into and reads."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ledgers = Ledger.objects.filter(members__user=user).order_by("name", "id")
        if ledgers.count() > 1:
            field = self.fields["ledger"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = ledgers
            field.initial = user.active_ledger_id
        else:
            del self.fields["ledger"]  # one ledger: nothing to choose

    def expires_at(self) -> datetime | None:
        value = self.cleaned_data["expires"]
        return None if value == "never" else timezone.now() + timedelta(days=int(value))


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that my transactions, budgets, categories and tokens are deleted for good."
        ),
    )

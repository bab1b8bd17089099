"""Cabinet input for accounts. Forms validate; the views call the services to write."""

import zoneinfo
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import defaults
from accounts.models import Scope, User
from core import money
from ledgers.models import Ledger

# Where a new person is until their browser says otherwise (the script on the sign-up page).
DEFAULT_ZONE = "Europe/Moscow"
ZONE_REASON = _("%(currency)s, because your time zone is %(zone)s.")
LANGUAGE_REASON = _("%(currency)s, because your language is %(language)s.")
BROWSER_ZONE = _("Your browser's time zone. Dates and “today” follow it.")
SETTINGS_CURRENCY_HELP = _(
    "Amounts typed without a currency are recorded in it. Suggested: %(reason)s"
)

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


def reason(guess: defaults.CurrencyGuess) -> str:
    """Why this currency: "RUB, because your time zone is Europe/Moscow."."""
    if guess.zone is not None:
        return ZONE_REASON % {"currency": guess.code, "zone": guess.zone}
    language = dict(User.Language.choices).get(guess.language, guess.language)
    return LANGUAGE_REASON % {"currency": guess.code, "language": language}


class CurrencyHintSelect(forms.Select):
    """Options that carry the currency they suggest (data-currency), for the page's script."""

    def __init__(self, hint: Callable[[str], str | None]) -> None:
        super().__init__()
        self.hint = hint

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        code = self.hint(str(option["value"]))
        if code:
            option["attrs"]["data-currency"] = code
        return option


def _zone_currency(zone: str) -> str | None:
    territory = defaults.zone_territory(zone)
    return money.territory_currency(territory) if territory else None


def _language_currency(language: str) -> str | None:
    territory = defaults.language_territory(language)
    return money.territory_currency(territory) if territory else None


class PreferencesMixin(forms.Form):
    default_currency = forms.ChoiceField(label=_("Default currency"))
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        help_text=_("Dates and “today” follow it."),
        widget=CurrencyHintSelect(_zone_currency),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=User.Language.choices,
        widget=CurrencyHintSelect(_language_currency),
    )

    def offer_currencies(self, *, zone: str, language: str, chosen: str = "") -> None:
        """The currency list for this time zone and language: `chosen`, RUB, USD, EUR and
        the region's first, then the currencies in use today; the guess and its reason."""
        field = self.fields["default_currency"]
        assert isinstance(field, forms.ChoiceField)
        shown = get_language() or "en"
        codes = defaults.currency_order(zone=zone, language=language, also=chosen)
        field.choices = [(code, f"{code} — {money.name(code, shown)}") for code in codes]
        guess = defaults.default_currency(zone=zone, language=language)
        field.help_text = reason(guess)
        # What the page's script says when the time zone or the language changes.
        field.widget.attrs.update(
            {"data-reason-zone": str(ZONE_REASON), "data-reason-language": str(LANGUAGE_REASON)}
        )


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
        # The browser's language (LocaleMiddleware's pick) is the best first guess; the
        # page's script puts the browser's time zone in, and the currency follows both.
        language = "en" if (get_language() or "ru").startswith("en") else "ru"
        zone = str(self.data.get("timezone") or DEFAULT_ZONE)
        self.fields["language"].initial = language
        self.fields["timezone"].initial = DEFAULT_ZONE
        self.offer_currencies(zone=zone, language=str(self.data.get("language") or language))
        self.fields["default_currency"].initial = defaults.default_currency(
            zone=DEFAULT_ZONE, language=language
        ).code
        if not self.is_bound:  # a form sent back keeps what the person sent
            self.fields["default_currency"].widget.attrs["data-follow"] = "1"
            self.fields["timezone"].widget.attrs.update(
                {"data-detect": "1", "data-detected": str(BROWSER_ZONE)}
            )
        self.fields["username"].widget.attrs.pop("autofocus", None)


class SettingsForm(PreferencesMixin):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer_currencies(
            zone=user.timezone, language=user.language, chosen=user.default_currency
        )
        guess = defaults.default_currency(zone=user.timezone, language=user.language)
        self.fields["default_currency"].help_text = SETTINGS_CURRENCY_HELP % {
            "reason": reason(guess)
        }


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

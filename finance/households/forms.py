"""Cabinet input of a household: an expense's split (fields added to the transaction
forms), a payment between two people, the ledger's default split."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import money
from finance.models import Split
from finance.selectors.balances import Balances, ledger_balances
from finance.selectors.splits import DefaultWeight, SplitView, default_split
from finance.services.splits import SplitMember, SplitRequest
from ledgers.models import Membership

SPLIT_MODE = "split_mode"
SPLIT_HELP = _(
    "Equally: 1 for each who shares it, empty for who does not. By shares: weights such "
    "as 60 and 40. By amounts: what each one's part is; they add up to the amount."
)


def _share_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=4,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def add_split_fields(
    form: forms.Form,
    *,
    people: Iterable[DefaultWeight],
    current: SplitView | None = None,
    editing: bool = False,
) -> None:
    """Give `form` a split: its mode (the ledger's default, or keep it as it is) and one
    share per member of the ledger, filled in as it is now (or as the default is)."""
    unchanged = _("Keep as it is") if editing else _("The ledger's default")
    form.fields[SPLIT_MODE] = forms.ChoiceField(
        label=_("Split"),
        choices=[("", unchanged), *Split.Mode.choices],
        required=False,
        help_text=SPLIT_HELP,
    )
    now = {s.user_id: s.weight for s in current.shares} if current is not None else {}
    if current is not None:
        form.fields[SPLIT_MODE].initial = ""
    for person in people:
        field = _share_field(str(_("%(name)s's share") % {"name": person.name}))
        if current is not None:
            field.initial = now.get(person.user_id)
        else:
            field.initial = person.weight if person.weight is not None else Decimal(1)
        form.fields[f"split_{person.user_id}"] = field


def split_request(form: forms.Form) -> SplitRequest | None:
    """The split the person asked for in a valid `form`; None: the default (or as it is)."""
    mode = form.cleaned_data.get(SPLIT_MODE)
    if not mode:
        return None
    members = []
    for name, value in form.cleaned_data.items():
        if not name.startswith("split_") or name == SPLIT_MODE or not value:
            continue
        members.append(SplitMember(int(name.removeprefix("split_")), value))
    return SplitRequest(mode=mode, members=tuple(members))


def is_split_field(name: str) -> bool:
    return name.startswith("split_")


class SettlementForm(forms.Form):
    """Someone paid someone back: a member's own payments, a manager's any."""

    from_user = forms.TypedChoiceField(label=_("Who paid"), coerce=int)
    to_user = forms.TypedChoiceField(label=_("To whom"), coerce=int)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.ChoiceField(label=_("Currency"))

    def __init__(
        self,
        *args: Any,
        people: list[tuple[int, str]],
        currencies: list[str],
        payer: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_user", "to_user"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = people
        self.fields["from_user"].initial = payer
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [(c, c) for c in currencies]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("from_user") is not None and cleaned.get("from_user") == cleaned.get(
            "to_user"
        ):
            raise ValidationError(_("A payment goes from one person to another."))
        return cleaned


class DefaultSplitForm(forms.Form):
    """The ledger's default split: a weight per member; all empty: equal among all."""

    def __init__(self, *args: Any, people: Iterable[DefaultWeight], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for person in people:
            field = _share_field(person.name)
            field.initial = person.weight
            self.fields[f"weight_{person.user_id}"] = field

    def weights(self) -> list[tuple[int, Decimal]]:
        return [
            (int(name.removeprefix("weight_")), value)
            for name, value in self.cleaned_data.items()
            if value
        ]


def settlement_choices(
    user: User, member: Membership, balances: Balances | None = None
) -> dict[str, Any]:
    """Who may be named in a payment (the members, and whoever left with a balance), the
    currencies (the ledger's and the balances' first) and the payer to suggest."""
    if balances is None:
        balances = ledger_balances(user=user, ledger=member)
    people = {p.user_id: p.name for p in default_split(ledger=member.ledger)}
    for b in balances.balances:
        if b.user_id is not None:
            people.setdefault(b.user_id, b.name)
    first = [member.ledger.default_currency, *(b.currency for b in balances.balances)]
    return {
        "people": list(people.items()),
        "currencies": money.choice_codes([*first, *money.COMMON]),
        "payer": user.pk,
    }

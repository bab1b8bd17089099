"""Cabinet input for a person's data in and out: the export period, the import file and
its column mapping."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from finance.data import exports, imports

DATE_TO_BEFORE_FROM = _("The end of the period comes before its start.")


class ExportForm(forms.Form):
    """`from` and `to`, both optional (a keyword cannot name a class attribute), and the
    `format`: RFC 4180 for programs unless `excel` is asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # YYYY-MM-DD only, as the API documents it (and as <input type=date> sends it).
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                input_formats=["%Y-%m-%d"],
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        self.fields["format"] = forms.ChoiceField(
            label=_("For"),
            choices=[
                (exports.CSV, _("Programs and Google Sheets (commas)")),
                (exports.EXCEL, _("Excel (semicolons and decimal commas, as Russian Excel reads)")),
            ],
            initial=exports.CSV,
            required=False,
            widget=forms.RadioSelect,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            raise forms.ValidationError(DATE_TO_BEFORE_FROM, code="invalid_period")
        return data

    def period(self) -> tuple[date | None, date | None]:
        return self.cleaned_data.get("from"), self.cleaned_data.get("to")

    def excel(self) -> bool:
        return bool(self.cleaned_data.get("format") == exports.EXCEL)


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Date, amount and, if there are any, currency, category, note and type columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )


FIELD_LABELS = {
    "date": _("Date"),
    "amount": _("Amount"),
    "currency": _("Currency"),
    "category": _("Category"),
    "note": _("Note"),
    "kind": _("Type (expense, income or refund)"),
}


class ImportMappingForm(forms.Form):
    date_format = forms.ChoiceField(label=_("Dates"), choices=imports.DATE_FORMAT_CHOICES)
    decimal = forms.ChoiceField(label=_("Decimal sign"), choices=imports.DECIMAL_CHOICES)

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("— none —"))] + [
            (str(i), name or _("column %(number)s") % {"number": i + 1})
            for i, name in enumerate(header)
        ]
        for name in imports.FIELDS:
            self.fields[f"column_{name}"] = forms.TypedChoiceField(
                label=FIELD_LABELS[name],
                choices=columns,
                coerce=int,
                empty_value=None,
                required=name in imports.REQUIRED,
            )
        self.order_fields([f"column_{n}" for n in imports.FIELDS] + ["date_format", "decimal"])

    @classmethod
    def initial_for(cls, header: list[str]) -> dict[str, Any]:
        guessed = imports.guess_mapping(header)
        initial: dict[str, Any] = {"date_format": "auto", "decimal": "auto"}
        for name, index in guessed.items():
            initial[f"column_{name}"] = "" if index is None else str(index)
        return initial

    def options(self) -> imports.Options:
        data = self.cleaned_data
        return imports.Options(
            mapping={name: data.get(f"column_{name}") for name in imports.FIELDS},
            date_format=data["date_format"],
            decimal=data["decimal"],
        )

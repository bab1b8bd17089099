"""Cabinet input for a person's data in and out: the export period, the import file and
its column mapping."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from finance.data import exports, imports
from finance.models import Kind, StatementImportRow

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
        label=_("Statement or CSV file"),
        help_text=_(
            "Your bank's statement (T-Bank or Sber CSV, OFX, QIF, camt.053), or any CSV with "
            "date and amount columns."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.txt,.ofx,.qfx,.qif,.xml,text/csv,text/plain,application/xml"}
        ),
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

    @classmethod
    def initial_from(cls, header: list[str], options: dict[str, Any]) -> dict[str, Any]:
        """The choices a statement import was last read with, else the guessed ones."""
        mapping = options.get("mapping")
        if not mapping:
            return cls.initial_for(header)
        initial: dict[str, Any] = {
            "date_format": options.get("date_format", "auto"),
            "decimal": options.get("decimal", "auto"),
        }
        for name in imports.FIELDS:
            index = mapping.get(name)
            initial[f"column_{name}"] = "" if index is None else str(index)
        return initial

    def csv_options(self) -> dict[str, Any]:
        """The choices as a statement import keeps them."""
        options = self.options()
        return {
            "mapping": options.mapping,
            "date_format": options.date_format,
            "decimal": options.decimal,
        }

    def options(self) -> imports.Options:
        data = self.cleaned_data
        return imports.Options(
            mapping={name: data.get(f"column_{name}") for name in imports.FIELDS},
            date_format=data["date_format"],
            decimal=data["decimal"],
        )


class ImportRowsForm(forms.Form):
    """One page of a previewed statement: each row's category and whether it goes in."""

    def __init__(
        self,
        *args: Any,
        rows: list[StatementImportRow],
        categories: dict[str, list[tuple[int, str]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            kind = Kind(row.kind).category_kind.value
            # The table shows the fields without their <label>: each names itself.
            category = _("Category of row %(row)s") % {"row": row.index}
            include = _("Import row %(row)s") % {"row": row.index}
            self.fields[f"category_{row.index}"] = forms.TypedChoiceField(
                label=category,
                choices=categories.get(kind, []),
                coerce=int,
                initial=row.category_id,
                widget=forms.Select(attrs={"aria-label": category}),
            )
            self.fields[f"include_{row.index}"] = forms.BooleanField(
                label=include,
                widget=forms.CheckboxInput(attrs={"aria-label": include}),
                required=False,
                initial=row.include,
                disabled=row.already_imported,
            )

    def pairs(self) -> list[tuple[StatementImportRow, forms.BoundField, forms.BoundField]]:
        return [(r, self[f"include_{r.index}"], self[f"category_{r.index}"]) for r in self.rows]

    def choices(self) -> tuple[dict[int, int], list[int], list[int]]:
        """What changed: (categories by row, rows taken in, rows left out)."""
        categories: dict[int, int] = {}
        include, exclude = [], []
        for row in self.rows:
            chosen = self.cleaned_data[f"category_{row.index}"]
            if chosen != row.category_id:
                categories[row.index] = chosen
            if row.already_imported:
                continue
            wanted = self.cleaned_data[f"include_{row.index}"]
            if wanted and not row.include:
                include.append(row.index)
            elif row.include and not wanted:
                exclude.append(row.index)
        return categories, include, exclude

"""Cabinet input for notifications. The form validates; the view calls the service."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Channel

LINKED_LAST = ("", _("The messenger linked last (e-mail when none)"))


class NotificationSettingsForm(forms.Form):
    budget_alerts = forms.BooleanField(label=_("Budget alerts"), required=False)
    thresholds = forms.CharField(
        label=_("Alert at, percent of the plan"),
        max_length=40,
        help_text=_("One alert per category and month at each of these, such as “80, 100”."),
    )
    monthly_report = forms.BooleanField(label=_("Monthly report on the 1st"), required=False)
    report_time = forms.TimeField(
        label=_("Report time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    daily_reminder = forms.BooleanField(
        label=_("Daily reminder on days with nothing recorded"), required=False
    )
    reminder_time = forms.TimeField(
        label=_("Reminder time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    token_expiry = forms.BooleanField(
        label=_("Tell me 7 days before a bot token expires"), required=False
    )
    channel = forms.ChoiceField(label=_("Send to"), required=False)

    def __init__(self, *args: Any, channels: list[str], **kwargs: Any) -> None:
        """`channels`: the ones to offer (WhatsApp only to someone who linked a number)."""
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [LINKED_LAST, *((c, Channel(c).label) for c in channels)]

    def clean_thresholds(self) -> list[int]:
        raw = self.cleaned_data["thresholds"].replace(";", ",").replace("%", "")
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(
                _("Write whole percentages separated by commas, such as “80, 100”."),
                code="thresholds_invalid",
            ) from None

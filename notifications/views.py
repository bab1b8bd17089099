from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from notifications import forms, outbox, preferences, selectors
from notifications.models import Channel


@login_required
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    prefs = preferences.settings_for(user=request.user)
    initial = {
        "budget_alerts": prefs.budget_alerts,
        "thresholds": ", ".join(str(t) for t in prefs.thresholds),
        "monthly_report": prefs.monthly_report,
        "report_time": prefs.report_time,
        "daily_reminder": prefs.daily_reminder,
        "reminder_time": prefs.reminder_time,
        "token_expiry": prefs.token_expiry,
        "channel": prefs.channel,
    }
    form = forms.NotificationSettingsForm(
        request.POST or None, initial=initial, channels=preferences.offered_channels(prefs)
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences.settings_update(user=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect("notifications:settings")
    contact = preferences.contact_for(prefs)
    context = {
        "form": form,
        "prefs": prefs,
        "channel": Channel(contact.channel).label if contact else None,
        "notifications": selectors.notification_list(user=request.user),
        "current": "notifications",
    }
    return render(request, "notifications/settings.html", context)


@login_required
@require_POST
def send_test(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        outbox.send_test(user=request.user)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, _("A test message is on its way; its result appears below."))
    return redirect("notifications:settings")

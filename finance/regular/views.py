"""The cabinet's Regular payments page: the ledger's rules (pause, skip the next date,
delete, edit), a new one in words or by its fields, and the suggestions (add, dismiss)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from finance import forms as finance_forms
from finance.models import RecurringRule
from finance.presenters import schedule_text, suggestion_schedule_text
from finance.regular import forms
from finance.selectors.recurring import recurring_list
from finance.selectors.suggestions import Suggestion, suggestion_list
from finance.services.recurring import (
    recurring_create,
    recurring_delete,
    recurring_skip_next,
    recurring_update,
)
from finance.services.recurring_words import recurring_create_from_text
from finance.services.suggestions import recurring_from_suggestion, suggestion_dismiss
from ledgers import access
from ledgers.models import Membership


def _member(request: AuthenticatedHttpRequest) -> Membership:
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    return access.member_of(user=request.user, write=unsafe)


def _rule(request: AuthenticatedHttpRequest, rule_id: int) -> RecurringRule:
    member = _member(request)
    return get_object_or_404(
        RecurringRule.objects.select_related("category", "created_by", "ledger"),
        pk=rule_id,
        ledger_id=member.ledger_id,
    )


def schedule_of(rule: RecurringRule | Suggestion) -> str:
    if isinstance(rule, RecurringRule):
        return schedule_text(
            frequency=rule.frequency,
            interval=rule.interval,
            start=rule.start_date,
            day=rule.day,
            weekday=rule.weekday,
            end=rule.end_date,
            count=rule.count,
        )
    return suggestion_schedule_text(rule)


def _page(
    request: AuthenticatedHttpRequest,
    member: Membership,
    text_form: forms.RecurringTextForm,
    form: forms.RecurringForm,
) -> HttpResponse:
    rules = recurring_list(user=request.user, ledger=member)
    suggestions = suggestion_list(user=request.user, ledger=member)
    context = {
        "rules": [(rule, schedule_of(rule)) for rule in rules],
        "suggestions": [(s, schedule_of(s)) for s in suggestions],
        "text_form": text_form,
        "form": form,
        "can_write": member.can_write,
    }
    return render(request, "finance/regular.html", context)


@login_required
def regular(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _member(request)
    text_form = forms.RecurringTextForm(auto_id="text_%s")
    form = forms.RecurringForm(request.POST or None, user=request.user, ledger=member.ledger)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = recurring_create(
                user=request.user,
                ledger=member,
                kind=data["kind"],
                amount=data["amount"],
                currency=data["currency"],
                category=data["category"],
                when=form.when(),
                note=data["note"],
                paid_by=data["paid_by"],
                source="web",
            )
        except ValidationError as e:
            finance_forms.add_service_error(form, e)
        else:
            return _saved(request, rule)
    return _page(request, member, text_form, form)


@login_required
@require_POST
def add_regular_text(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _member(request)
    text_form = forms.RecurringTextForm(request.POST, auto_id="text_%s")
    form = forms.RecurringForm(user=request.user, ledger=member.ledger)
    if text_form.is_valid():
        try:
            rule = recurring_create_from_text(
                user=request.user, ledger=member, text=text_form.cleaned_data["text"], source="web"
            )
        except ValidationError as e:
            finance_forms.add_service_error(text_form, e)
        else:
            return _saved(request, rule)
    return _page(request, member, text_form, form)


def _saved(request: AuthenticatedHttpRequest, rule: RecurringRule) -> HttpResponse:
    if rule.next_date is not None:
        next_date = formats.date_format(rule.next_date, "DATE_FORMAT")
        messages.success(
            request,
            _("Saved: %(what)s, %(schedule)s. Next: %(date)s.")
            % {
                "what": rule.note or rule.category.name,
                "schedule": schedule_of(rule),
                "date": next_date,
            },
        )
    return redirect("finance:regular")


@login_required
def edit_regular(request: AuthenticatedHttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(request, rule_id)
    form = forms.RecurringForm(
        request.POST or None, user=request.user, ledger=rule.ledger, rule=rule
    )
    if request.method == "POST" and form.is_valid():
        try:
            recurring_update(rule=rule, user=request.user, source="web", **forms.changes(form))
        except ValidationError as e:
            finance_forms.add_service_error(form, e)
        else:
            messages.success(request, _("Saved. Only the dates from today on change."))
            return redirect("finance:regular")
    context = {"form": form, "rule": rule, "schedule": schedule_of(rule)}
    return render(request, "finance/edit_regular.html", context)


@login_required
@require_POST
def pause_regular(request: AuthenticatedHttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(request, rule_id)
    paused = request.POST.get("paused", "1") == "1"
    recurring_update(rule=rule, user=request.user, paused=paused, source="web")
    what = rule.note or rule.category.name
    message = _("“%(what)s” paused.") if paused else _("“%(what)s” goes on.")
    messages.success(request, message % {"what": what})
    return redirect("finance:regular")


@login_required
@require_POST
def skip_regular(request: AuthenticatedHttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(request, rule_id)
    try:
        skipped = recurring_skip_next(rule=rule, user=request.user, source="web")
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        day = formats.date_format(skipped, "DATE_FORMAT")
        messages.success(request, _("%(date)s skipped.") % {"date": day})
    return redirect("finance:regular")


@login_required
@require_POST
def delete_regular(request: AuthenticatedHttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(request, rule_id)
    recurring_delete(rule=rule, user=request.user, source="web")
    messages.success(
        request,
        _("“%(what)s” deleted; what it recorded stays.")
        % {"what": rule.note or rule.category.name},
    )
    return redirect("finance:regular")


@login_required
@require_POST
def accept_suggestion(request: AuthenticatedHttpRequest, suggestion_id: str) -> HttpResponse:
    member = _member(request)
    try:
        rule = recurring_from_suggestion(
            user=request.user, ledger=member, suggestion_id=suggestion_id, source="web"
        )
    except ValidationError:
        raise Http404 from None  # not (or no longer) a suggestion of this ledger
    return _saved(request, rule)


@login_required
@require_POST
def dismiss_suggestion(request: AuthenticatedHttpRequest, suggestion_id: str) -> HttpResponse:
    member = _member(request)
    try:
        suggestion = suggestion_dismiss(
            user=request.user, ledger=member, suggestion_id=suggestion_id, source="web"
        )
    except ValidationError:
        raise Http404 from None  # not (or no longer) a suggestion of this ledger
    messages.success(
        request, _("“%(what)s” will not be suggested again.") % {"what": suggestion.note}
    )
    return redirect("finance:regular")

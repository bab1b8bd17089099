"""Cabinet actions of a household, posted from the ledger's page: record a payment,
undo one, set the default split. Each goes back to the ledger's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from finance.households import forms
from finance.selectors.balances import settlement_get
from finance.selectors.splits import default_split
from finance.services.settlements import settlement_create, settlement_delete
from finance.services.splits import split_default_set
from ledgers import access


def _back(ledger_id: int) -> HttpResponse:
    return redirect("ledgers:ledger", ledger_id=ledger_id)


def _error(request: AuthenticatedHttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
@require_POST
def record_settlement(request: AuthenticatedHttpRequest, ledger_id: int) -> HttpResponse:
    member = access.member_of(user=request.user, ledger=ledger_id, write=True)
    form = forms.SettlementForm(request.POST, **forms.settlement_choices(request.user, member))
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(request, " ".join(errors))
        return _back(ledger_id)
    data = form.cleaned_data
    try:
        settlement_create(
            user=request.user,
            ledger=member,
            from_user_id=data["from_user"],
            to_user_id=data["to_user"],
            amount=data["amount"],
            currency=data["currency"],
            source="web",
        )
    except ValidationError as e:
        _error(request, e)
    except access.LedgerForbidden as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Payment recorded."))
    return _back(ledger_id)


@login_required
@require_POST
def undo_settlement(
    request: AuthenticatedHttpRequest, ledger_id: int, settlement_id: int
) -> HttpResponse:
    member = access.member_of(user=request.user, ledger=ledger_id, write=True)
    settlement = settlement_get(user=request.user, ledger=member, pk=settlement_id)
    if settlement is None:
        raise Http404
    if settlement_delete(user=request.user, settlement=settlement, source="web"):
        messages.success(request, _("Payment removed."))
    return _back(ledger_id)


@login_required
@require_POST
def set_default_split(request: AuthenticatedHttpRequest, ledger_id: int) -> HttpResponse:
    member = access.member_of(user=request.user, ledger=ledger_id, manage=True)
    form = forms.DefaultSplitForm(request.POST, people=default_split(ledger=member.ledger))
    if not form.is_valid():
        messages.error(request, _("A weight is a number of zero or more."))
        return _back(ledger_id)
    try:
        split_default_set(user=request.user, ledger=member, weights=form.weights(), source="web")
    except ValidationError as e:
        _error(request, e)
    else:
        messages.success(request, _("Default split saved."))
    return _back(ledger_id)

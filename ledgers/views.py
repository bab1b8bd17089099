"""Cabinet pages about ledgers: which there are, who is in them, invitations."""

from collections.abc import Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from finance.selectors.balances import ledger_balances
from finance.services import books
from finance.services.books import ledger_create
from ledgers import access, forms, selectors, services
from ledgers.models import Membership
from ledgers.services import IssuedInvite


@login_required
def ledgers(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.LedgerForm(request.POST or None, currency=request.user.default_currency)
    if request.method == "POST" and form.is_valid():
        try:
            ledger = ledger_create(
                user=request.user,
                name=form.cleaned_data["name"],
                default_currency=form.cleaned_data["default_currency"],
                source="web",
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Ledger “%(name)s” made.") % {"name": ledger.name})
            return redirect("ledgers:ledger", ledger_id=ledger.pk)
    context = {
        "form": form,
        "rows": selectors.memberships(user=request.user),
        "active_id": access.member_of(user=request.user).ledger_id,
        "code_form": forms.CodeForm(),
    }
    return render(request, "ledgers/ledgers.html", context)


def _back(request: HttpRequest) -> str:
    back = request.POST.get("next", "")
    # A path of this site only: a bare word would be read as a view's name (a 500).
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, request.is_secure()
    ):
        return back
    return reverse("finance:dashboard")


@login_required
@require_POST
def switch_ledger(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.SwitchForm(request.POST, user=request.user)
    if not form.is_valid():
        raise access.LedgerNotFound  # not one of theirs: as if it did not exist
    ledger = services.ledger_activate(
        user=request.user, ledger=form.cleaned_data["ledger"], source="web"
    )
    messages.success(request, _("Now keeping the books of “%(name)s”.") % {"name": ledger.name})
    return redirect(_back(request))


def ledger_page(
    request: AuthenticatedHttpRequest,
    member: Membership,
    *,
    invite_form: forms.InviteForm | None = None,
    issued: IssuedInvite | None = None,
    extra: Mapping[str, object] | None = None,
) -> HttpResponse:
    """The ledger's page; `extra`: what another app's part of it shows this once (the
    messengers' group code)."""
    members = selectors.members(member=member)
    context: dict[str, object] = {
        "member": member,
        "ledger": member.ledger,
        "members": members,
        "invite_form": invite_form or forms.InviteForm(),
        "transfer_form": forms.TransferForm(
            members=User.objects.filter(memberships__ledger_id=member.ledger_id).exclude(
                pk=request.user.pk
            )
        ),
        "issued": issued,
        "invite_url": request.build_absolute_uri(
            reverse("ledgers:join_code", kwargs={"code": issued.code})
        )
        if issued
        else "",
        **(extra or {}),
    }
    response = render(request, "ledgers/ledger.html", context)
    if issued is not None or extra:
        # The one page that holds the code: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def ledger_detail(request: AuthenticatedHttpRequest, ledger_id: int) -> HttpResponse:
    return ledger_page(request, access.member_of(user=request.user, ledger=ledger_id))


@login_required
@require_POST
def invite(request: AuthenticatedHttpRequest, ledger_id: int) -> HttpResponse:
    member = access.member_of(user=request.user, ledger=ledger_id, manage=True)
    form = forms.InviteForm(request.POST)
    if form.is_valid():
        try:
            issued = services.invite_create(
                user=request.user, ledger=member, role=form.cleaned_data["role"], source="web"
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            # Rendered, not redirected: the code must never sit in a session.
            return ledger_page(request, member, issued=issued)
    return ledger_page(request, member, invite_form=form)


def _remove(request: AuthenticatedHttpRequest, ledger_id: int, member_user: User) -> bool:
    try:
        books.member_remove(
            user=request.user, ledger=ledger_id, member_user=member_user, source="web"
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return False
    return True


@login_required
@require_POST
def leave(request: AuthenticatedHttpRequest, ledger_id: int) -> HttpResponse:
    member = access.member_of(user=request.user, ledger=ledger_id)
    # Leaving with money owed either way is allowed; the balance stays for the others.
    owed = ledger_balances(user=request.user, ledger=member).of(request.user.pk)
    if not _remove(request, ledger_id, request.user):
        return redirect("ledgers:ledger", ledger_id=ledger_id)
    messages.success(request, _("You have left the ledger."))
    if owed:
        amounts = ", ".join(f"{b.balance:+} {b.currency}" for b in owed)
        messages.warning(
            request,
            _(
                "Your balance in “%(ledger)s” was %(amounts)s when you left: it stays there "
                "for the others to see and settle."
            )
            % {"ledger": member.ledger.name, "amounts": amounts},
        )
    return redirect("ledgers:ledgers")


@login_required
@require_POST
def remove_member(request: AuthenticatedHttpRequest, ledger_id: int, user_id: int) -> HttpResponse:
    access.member_of(user=request.user, ledger=ledger_id, manage=True)
    member_user = User.objects.filter(pk=user_id).first()
    if member_user is None:
        raise Http404
    if _remove(request, ledger_id, member_user):
        messages.success(request, _("%(name)s is no longer a member.") % {"name": member_user})
    return redirect("ledgers:ledger", ledger_id=ledger_id)


@login_required
@require_POST
def transfer(request: AuthenticatedHttpRequest, ledger_id: int) -> HttpResponse:
    member = access.member_of(user=request.user, ledger=ledger_id)
    members = User.objects.filter(memberships__ledger_id=member.ledger_id)
    form = forms.TransferForm(request.POST, members=members)
    if not form.is_valid():
        messages.error(request, _("Choose a member to hand the ledger to."))
        return redirect("ledgers:ledger", ledger_id=ledger_id)
    try:
        services.ownership_transfer(
            user=request.user, ledger=member, to=form.cleaned_data["to"], source="web"
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request, _("%(name)s now owns the ledger.") % {"name": form.cleaned_data["to"]}
        )
    return redirect("ledgers:ledger", ledger_id=ledger_id)


@login_required
def join(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("ledgers:join_code", code=form.cleaned_data["code"].strip())
    return render(request, "ledgers/join.html", {"code_form": form, "invite": None})


def join_code(request: HttpRequest, code: str) -> HttpResponse:
    """The invitation, shown to anyone holding its code; accepting it needs an account."""
    try:
        invite = services.invite_find(code=code)
    except ValidationError as e:
        context = {"error": " ".join(e.messages), "code_form": forms.CodeForm(), "invite": None}
        return render(request, "ledgers/join.html", context, status=404)
    user = request.user
    if request.method == "POST" and isinstance(user, User):
        try:
            member = services.invite_accept(user=user, code=code, source="web")
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            services.ledger_activate(user=user, ledger=member, source="web")
            messages.success(request, _("Welcome to “%(name)s”.") % {"name": member.ledger.name})
            return redirect("finance:dashboard")
    elif request.method == "POST":
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    return render(request, "ledgers/join.html", {"invite": invite, "code": code})

"""The cabinet's Messengers pages, and the part of a ledger's page about its Telegram
group (the webhooks are `messaging.webhooks`)."""

from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from audit.models import Source
from ledgers import access
from ledgers.views import ledger_page
from messaging import inbox, whatsapp
from messaging.linking import codes, contacts, groups
from messaging.models import Channel, UserContact
from messaging.transports import telegram_enabled


def _deep_link(code: str) -> str:
    return f"https://t.me/{quote(settings.TELEGRAM_BOT_USERNAME)}?start={code}"


def _wa_link(code: str) -> str:
    return f"https://wa.me/{whatsapp.number()}?text={quote(f'link {code}')}"


def _page(request: AuthenticatedHttpRequest, issued: codes.IssuedCode | None) -> HttpResponse:
    context: dict[str, object] = {
        "enabled": telegram_enabled(),
        "whatsapp_enabled": whatsapp.enabled(),
        "whatsapp_number": whatsapp.number(),
        "bot_username": settings.TELEGRAM_BOT_USERNAME,
        "contacts": contacts.contact_list(user=request.user),
        "issued": issued,
    }
    if issued is not None and issued.link.channel == Channel.WHATSAPP:
        link = _wa_link(issued.code)
        context["wa_link"] = link
        context["qr_svg"] = segno.make(link, error="m").svg_inline(
            scale=5, title=_("QR code of the link to the WhatsApp chat")
        )
    elif issued is not None:
        link = _deep_link(issued.code)
        context["deep_link"] = link
        context["qr_svg"] = segno.make(link, error="m").svg_inline(
            scale=5, title=_("QR code of the link to the bot")
        )
    return render(request, "messaging/messengers.html", context)


@login_required
@never_cache
def messengers(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request, None)


@login_required
@require_POST
@never_cache
def link_telegram(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not telegram_enabled():
        messages.error(request, _("The Telegram bot is not configured on this server."))
        return redirect("messaging:messengers")
    issued = codes.link_code_create(user=request.user, channel=Channel.TELEGRAM, source=Source.WEB)
    # Rendered, not redirected: the code must never sit in a session.
    return _page(request, issued)


@login_required
@require_POST
@never_cache
def link_whatsapp(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not whatsapp.enabled():
        messages.error(request, _("WhatsApp is not configured on this server."))
        return redirect("messaging:messengers")
    issued = codes.link_code_create(user=request.user, channel=Channel.WHATSAPP, source=Source.WEB)
    return _page(request, issued)


@login_required
@require_POST
def unlink(request: AuthenticatedHttpRequest, contact_id: int) -> HttpResponse:
    contact = get_object_or_404(UserContact, pk=contact_id, user=request.user, is_active=True)
    contacts.contact_unlink(contact=contact, source=Source.WEB)
    messages.success(request, _("%(chat)s is unlinked.") % {"chat": contact})
    return redirect("messaging:messengers")


@login_required
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"conversations": inbox.history(user=request.user)}
    return render(request, "messaging/history.html", context)


# A ledger's Telegram group, on the ledger's page


@login_required
@require_POST
@never_cache
def link_telegram_group(request: AuthenticatedHttpRequest, ledger_id: int) -> HttpResponse:
    member = access.member_of(user=request.user, ledger=ledger_id, manage=True)
    if not telegram_enabled():
        messages.error(request, _("The Telegram bot is not configured on this server."))
        return redirect("ledgers:ledger", ledger_id=ledger_id)
    issued = codes.group_code_create(user=request.user, ledger=member, source=Source.WEB)
    # Rendered, not redirected: the code must never sit in a session.
    return ledger_page(request, member, extra={"group_code": issued})


@login_required
@require_POST
def unlink_telegram_group(request: AuthenticatedHttpRequest, ledger_id: int) -> HttpResponse:
    member = access.member_of(user=request.user, ledger=ledger_id, manage=True)
    ended = groups.group_unlink(user=request.user, ledger=member, source=Source.WEB)
    if ended is not None:
        messages.success(
            request,
            _("The Telegram group “%(title)s” no longer keeps these books.")
            % {"title": ended.title or _("the group")},
        )
    return redirect("ledgers:ledger", ledger_id=ledger_id)

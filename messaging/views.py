"""The Telegram and WhatsApp webhooks and the cabinet's Messengers pages."""

import hmac
import json
import logging
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from audit.models import Source
from messaging import selectors, services, telegram, whatsapp
from messaging.models import Channel, UserContact

logger = logging.getLogger(__name__)
SECRET_HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"


def telegram_enabled() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest) -> HttpResponse:
    if not telegram_enabled():
        return JsonResponse(
            {"error": "telegram_disabled", "message": "The Telegram bot is not configured."},
            status=404,
        )
    expected = settings.TELEGRAM_WEBHOOK_SECRET.encode()
    given = request.META.get(SECRET_HEADER, "").encode()
    if not expected or not hmac.compare_digest(given, expected):
        return JsonResponse(
            {"error": "authentication_failed", "message": "Wrong or missing secret token."},
            status=401,
        )
    try:
        update = json.loads(request.body.decode("utf-8"))
    except (ValueError, UnicodeError):
        update = None  # answered 200 all the same: Telegram must not retry it
    telegram.handle_update_or_log(update)
    return JsonResponse({"ok": True})


def _twilio_refusal() -> HttpResponse:
    return JsonResponse(
        {"error": "authentication_failed", "message": "Wrong or missing X-Twilio-Signature."},
        status=403,
    )


def _twilio_request(request: HttpRequest) -> HttpResponse | None:
    """A refusal unless WhatsApp is on and Twilio signed this very request."""
    if not whatsapp.enabled():
        return JsonResponse(
            {"error": "whatsapp_disabled", "message": "WhatsApp is not configured."},
            status=404,
        )
    json_body = request.content_type == "application/json"
    valid = whatsapp.signature_valid(
        url=whatsapp.public_url(request.get_full_path()),
        params=request.body.decode("utf-8", "replace") if json_body else request.POST,
        signature=request.META.get(whatsapp.SIGNATURE_HEADER, ""),
        signature_settings=request.META.get(whatsapp.SIGNATURE_SETTINGS_HEADER, ""),
    )
    return None if valid else _twilio_refusal()


@csrf_exempt
@require_POST
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    refusal = _twilio_request(request)
    if refusal is not None:
        return refusal
    # Anything signed is answered 200, with TwiML: Twilio must not retry it.
    texts = whatsapp.handle_message(request.POST)
    return HttpResponse(whatsapp.twiml(texts), content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def whatsapp_status(request: HttpRequest) -> HttpResponse:
    refusal = _twilio_request(request)
    if refusal is not None:
        return refusal
    whatsapp.handle_status(request.POST)
    return HttpResponse(status=204)


def _deep_link(code: str) -> str:
    return f"https://t.me/{quote(settings.TELEGRAM_BOT_USERNAME)}?start={code}"


def _wa_link(code: str) -> str:
    return f"https://wa.me/{whatsapp.number()}?text={quote(f'link {code}')}"


def _page(request: AuthenticatedHttpRequest, issued: services.IssuedCode | None) -> HttpResponse:
    context: dict[str, object] = {
        "enabled": telegram_enabled(),
        "whatsapp_enabled": whatsapp.enabled(),
        "whatsapp_number": whatsapp.number(),
        "bot_username": settings.TELEGRAM_BOT_USERNAME,
        "contacts": selectors.contact_list(user=request.user),
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
    issued = services.link_code_create(
        user=request.user, channel=Channel.TELEGRAM, source=Source.WEB
    )
    # Rendered, not redirected: the code must never sit in a session.
    return _page(request, issued)


@login_required
@require_POST
@never_cache
def link_whatsapp(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not whatsapp.enabled():
        messages.error(request, _("WhatsApp is not configured on this server."))
        return redirect("messaging:messengers")
    issued = services.link_code_create(
        user=request.user, channel=Channel.WHATSAPP, source=Source.WEB
    )
    return _page(request, issued)


@login_required
@require_POST
def unlink(request: AuthenticatedHttpRequest, contact_id: int) -> HttpResponse:
    contact = get_object_or_404(UserContact, pk=contact_id, user=request.user, is_active=True)
    services.contact_unlink(contact=contact, source=Source.WEB)
    messages.success(request, _("%(chat)s is unlinked.") % {"chat": contact})
    return redirect("messaging:messengers")


@login_required
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"conversations": selectors.history(user=request.user)}
    return render(request, "messaging/history.html", context)

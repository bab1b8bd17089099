"""The messengers' webhooks: Telegram's and Twilio's calls, admitted as every door's
requests are (`botapi.admission`) and answered at once.

Each call is proven (Telegram's secret, Twilio's signature), its body read (Telegram's
JSON with the strict reader), then handed to the messenger's adapter. Anything proven
is answered 200, so that a provider does not retry what cannot change; a refusal has
the contract's error body. Nothing is audited or rate-limited here: the caller is not
known until the chat finds the linked person, whose every action `perform` audits.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from audit.models import Source
from botapi import admission
from core.errors import ApiError
from messaging import outbound, telegram, whatsapp
from messaging.transports import telegram_enabled

SECRET_HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"
SECRET_HEADER_NAME = "X-Telegram-Bot-Api-Secret-Token"
SIGNATURE_HEADER_NAME = "X-Twilio-Signature"


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest) -> HttpResponse:
    entry = admission.Admission(request, source=Source.TELEGRAM, audited=False)
    try:
        if not telegram_enabled():
            raise admission.disabled("telegram_disabled", _("The Telegram bot is not configured."))
        given = request.META.get(SECRET_HEADER, "")
        entry.verify(
            admission.secret_matches(given, settings.TELEGRAM_WEBHOOK_SECRET),
            code="secret_invalid",
            message=_("Wrong or missing secret token."),
            path=SECRET_HEADER_NAME,
        )
    except ApiError as exc:
        return admission.refusal_response(exc)
    try:
        # A lone surrogate in what a person typed is answered (as U+FFFD), not dropped.
        update = entry.body(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE, replace_surrogates=True)
    except ApiError:
        update = None  # answered 200 all the same: Telegram must not retry it
    telegram.handle_update_or_log(update)
    return JsonResponse({"ok": True})


def _twilio(request: HttpRequest) -> HttpResponse | None:
    """A refusal unless WhatsApp is on and Twilio signed this very request."""
    entry = admission.Admission(request, source=Source.WHATSAPP, audited=False)
    try:
        if not whatsapp.enabled():
            raise admission.disabled("whatsapp_disabled", _("WhatsApp is not configured."))
        entry.verify(
            whatsapp.signed(request),
            code="signature_invalid",
            message=_("Wrong or missing %(header)s.") % {"header": SIGNATURE_HEADER_NAME},
            path=SIGNATURE_HEADER_NAME,
            status=403,
        )
    except ApiError as exc:
        return admission.refusal_response(exc)
    return None


@csrf_exempt
@require_POST
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    refusal = _twilio(request)
    if refusal is not None:
        return refusal
    # Anything signed is answered 200, with TwiML: Twilio must not retry it.
    texts = whatsapp.handle_message(request.POST)
    return HttpResponse(whatsapp.twiml(texts), content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def whatsapp_status(request: HttpRequest) -> HttpResponse:
    refusal = _twilio(request)
    if refusal is not None:
        return refusal
    outbound.handle_status(request.POST)
    return HttpResponse(status=204)
